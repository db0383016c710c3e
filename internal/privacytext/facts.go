package privacytext

import (
	"slices"
	"strings"

	"github.com/foyerhq/foyer"
)

// Facts are the settings of a workspace that the texts follow.
type Facts struct {
	// Controller names the controller: the workspace's name.
	Controller string
	Sites      []*foyer.Site
	Persona    foyer.PersonaSettings
	Mode       foyer.TrackingMode
	// Require2FA says whether every member must use two-factor
	// authentication.
	Require2FA bool
	// VisitDays is how many days the page-by-page records of visits are
	// kept, 0 when no period is set; LinkDays how many days a link
	// between a browser or a visit and a contact is kept, 0 for no period.
	VisitDays, LinkDays int
}

// writer builds a Doc in one language.
type writer struct {
	lang Lang
	f    Facts
}

// tr returns the text in the writer's language; French gets its
// non-breaking spaces before a colon, a semicolon and a question mark.
func (w writer) tr(en, fr string) string {
	if w.lang == French {
		return frSpaces.Replace(fr)
	}
	return en
}

var frSpaces = strings.NewReplacer(" :", "\u00a0:", " ;", "\u202f;", " ?", "\u202f?", " !", "\u202f!")

// t is a line of plain text in the writer's language.
func (w writer) t(en, fr string) Line { return Line{{Text: w.tr(en, fr)}} }

// plain, code and strong are spans.
func plain(s string) Span  { return Span{Text: s} }
func code(s string) Span   { return Span{Text: s, Code: true} }
func strong(s string) Span { return Span{Text: s, Strong: true} }

// Each part of the sites' settings that the texts follow.

func (f Facts) consentSites() (required, none []*foyer.Site) {
	for _, s := range f.Sites {
		if s.Consent == foyer.ConsentRequired {
			required = append(required, s)
		} else {
			none = append(none, s)
		}
	}
	return required, none
}

func (f Facts) gpcSites() (honour, ignore []*foyer.Site) {
	for _, s := range f.Sites {
		if s.HonorGPC {
			honour = append(honour, s)
		} else {
			ignore = append(ignore, s)
		}
	}
	return honour, ignore
}

// Sources say which ways of recognising a contact some site uses while
// Persona Insights is on: HubSpot counts only when it is connected.
type Sources struct{ Forms, EmailLinks, HubSpot bool }

// Any reports whether some way is in use.
func (s Sources) Any() bool { return s.Forms || s.EmailLinks || s.HubSpot }

// SourcesOf returns what site s uses of Persona Insights under the
// workspace's settings p.
func SourcesOf(s *foyer.Site, p foyer.PersonaSettings) Sources {
	if !p.On() {
		return Sources{}
	}
	return Sources{Forms: s.Identify.Forms, EmailLinks: s.Identify.EmailLinks, HubSpot: s.Identify.HubSpot && p.HubSpot}
}

// Sources returns the ways any site of the workspace uses.
func (f Facts) Sources() Sources {
	var all Sources
	for _, s := range f.Sites {
		o := SourcesOf(s, f.Persona)
		all.Forms = all.Forms || o.Forms
		all.EmailLinks = all.EmailLinks || o.EmailLinks
		all.HubSpot = all.HubSpot || o.HubSpot
	}
	return all
}

// Identifying reports whether the texts describe Persona Insights: it is
// on and some site uses a way.
func (f Facts) Identifying() bool { return f.Sources().Any() }

// hosts are every site's hostnames, sorted, without repeats.
func (f Facts) hosts() []string {
	var hs []string
	for _, s := range f.Sites {
		hs = append(hs, s.Hostnames...)
	}
	slices.Sort(hs)
	return slices.Compact(hs)
}

// siteName is the site's name and its hostnames: "Shop (shop.example.com)".
func siteLine(s *foyer.Site) Line {
	l := Line{strong(s.Name)}
	if len(s.Hostnames) > 0 && !(len(s.Hostnames) == 1 && s.Hostnames[0] == s.Name) {
		l = append(l, plain(" ("+strings.Join(s.Hostnames, ", ")+")"))
	}
	return l
}

// join writes items as a list in a sentence: "a, b and c" / "a, b et c".
func (w writer) join(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + w.tr(" and ", " et ") + items[len(items)-1]
}
