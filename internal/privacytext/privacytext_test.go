package privacytext

import (
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/tracker"
)

// facts are a workspace with one site, tracking without consent, GPC
// honoured, Persona Insights off; change returns a copy with changes.
func facts(change func(*Facts, *foyer.Site)) Facts {
	s := &foyer.Site{Key: "shop", Name: "Shop", Hostnames: []string{"shop.example.com"}, Consent: foyer.ConsentNone, HonorGPC: true}
	f := Facts{Controller: "Acme", Sites: []*foyer.Site{s}, Mode: foyer.TrackingOptOut}
	if change != nil {
		change(&f, s)
	}
	return f
}

// both returns the Markdown of the texts in English and in French.
func both(f Facts) (en, fr string) {
	return Build(f, English).Markdown(), Build(f, French).Markdown()
}

// TestTextsFollowSettings: the legal basis follows the sites' consent
// modes, the Persona Insights part its basis, sources and the tracking
// mode, the GPC sentence the sites' GPC setting, in both languages.
func TestTextsFollowSettings(t *testing.T) {
	t.Parallel()
	type want struct{ en, fr []string }
	for _, tc := range []struct {
		name      string
		change    func(*Facts, *foyer.Site)
		has, lack want
	}{
		{"legitimate interest", nil,
			want{[]string{"legitimate interest (article 6(1)(f)", "we do not measure your visits at all", "- We see organisations, not people"}, []string{"intérêt légitime (article 6, paragraphe 1, point f)", "nous ne mesurons pas du tout vos visites"}},
			want{[]string{"only once you have agreed", "Recognising our existing contacts", "HubSpot"}, []string{"qu’après votre accord", "Reconnaissance de nos contacts", "HubSpot"}}},
		{"consent required", func(f *Facts, s *foyer.Site) { s.Consent = foyer.ConsentRequired },
			want{[]string{"only once you have agreed", "consent (article 6(1)(a)", "None of them is set before you agree"}, []string{"qu’après votre accord", "Aucun n’est déposé avant que vous acceptiez"}},
			want{[]string{"legitimate interest (article 6(1)(f)"}, []string{"intérêt légitime"}}},
		{"mixed sites", func(f *Facts, s *foyer.Site) {
			f.Sites = append(f.Sites, &foyer.Site{Key: "blog", Name: "Blog", Hostnames: []string{"blog.example.com"}, Consent: foyer.ConsentRequired})
		},
			want{[]string{"The basis depends on the site", "**Blog** (blog.example.com): your consent", "not acted upon on **Blog**", "consent on 1 of our 2 sites"},
				[]string{"La base dépend du site", "**Blog** (blog.example.com)\u00a0: votre consentement", "consentement sur 1 de nos 2 sites"}},
			want{}},
		{"GPC ignored", func(f *Facts, s *foyer.Site) { s.HonorGPC = false },
			want{[]string{"not acted upon on **Shop**"}, []string{"ne sont pas pris en compte sur **Shop**"}},
			want{[]string{"we do not measure your visits at all"}, []string{"nous ne mesurons pas du tout"}}},
		{"excluded paths", func(f *Facts, s *foyer.Site) { s.ExcludedPaths = []string{"/account/*"} },
			want{[]string{"these pages are not measured at all: `/account/*`"}, []string{"ces pages ne sont pas mesurées du tout\u00a0: `/account/*`"}},
			want{}},
		{"persona on, no source", func(f *Facts, s *foyer.Site) { f.Persona.Basis = foyer.PersonaLegitimateInterest },
			want{}, want{[]string{"Recognising our existing contacts"}, []string{"Reconnaissance de nos contacts"}}},
		{"persona source, persona off", func(f *Facts, s *foyer.Site) { s.Identify.Forms = true },
			want{}, want{[]string{"Recognising our existing contacts"}, []string{"Reconnaissance de nos contacts"}}},
		{"persona on, legitimate interest", func(f *Facts, s *foyer.Site) {
			f.Persona.Basis = foyer.PersonaLegitimateInterest
			s.Identify.Forms = true
		},
			want{[]string{"Recognising our existing contacts", "fill in one of our forms", "our legitimate interest (article 6(1)(f) of the GDPR) in knowing which of our existing contacts", "who have not objected", "recognising contacts: legitimate interest, except contacts who objected"},
				[]string{"Reconnaissance de nos contacts existants", "dans l’un de nos formulaires", "qui ne s’y sont pas opposés", "Sauf si nous vous reconnaissons"}},
			want{[]string{"follow a link in one of our emails", "hubspotutk", "_foyer_hs", "90 days"}, []string{"lien de l’un de nos e-mails", "hubspotutk"}}},
		{"persona on, consent, opt-in, email links", func(f *Facts, s *foyer.Site) {
			f.Persona.Basis = foyer.PersonaConsent
			f.Mode = foyer.TrackingOptIn
			s.Identify.EmailLinks = true
		},
			want{[]string{"on the basis of your consent (article 6(1)(a) of the GDPR), which you can withdraw", "only the contacts who have agreed to it", "follow a link in one of our emails", "90 days"},
				[]string{"sur la base de votre consentement", "que les contacts qui l’ont accepté", "pendant 90 jours"}},
			want{[]string{"fill in one of our forms", "who have not objected"}, []string{"formulaires"}}},
		{"hubspot not connected", func(f *Facts, s *foyer.Site) {
			f.Persona.Basis = foyer.PersonaLegitimateInterest
			s.Identify.HubSpot = true
		},
			want{}, want{[]string{"hubspotutk", "_foyer_hs", "Recognising"}, []string{"hubspotutk"}}},
		{"hubspot", func(f *Facts, s *foyer.Site) {
			f.Persona.Basis = foyer.PersonaLegitimateInterest
			f.Persona.HubSpot = true
			s.Identify.HubSpot = true
		},
			want{[]string{"through the cookie of HubSpot", "`hubspotutk`", "`_foyer_hs`", "HubSpot, Inc., which receives"}, []string{"par le cookie de HubSpot", "`hubspotutk`", "`_foyer_hs`"}},
			want{[]string{"None: Foyer runs on servers"}, []string{"Aucun : Foyer"}}},
		{"retention and 2FA", func(f *Facts, s *foyer.Site) { f.VisitDays = 395; f.Require2FA = true },
			want{[]string{"deleted after 395 days", "records of visits: 395 days", "required of every member"}, []string{"supprimé au bout de 395 jours", "exigée de chaque membre"}},
			want{[]string{"no automatic deletion period"}, []string{"aucune durée de suppression"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			en, fr := both(facts(tc.change))
			for _, s := range tc.has.en {
				if !strings.Contains(en, s) {
					t.Errorf("the English texts lack %q:\n%s", s, en)
				}
			}
			for _, s := range tc.has.fr {
				if !strings.Contains(fr, s) {
					t.Errorf("the French texts lack %q:\n%s", s, fr)
				}
			}
			for _, s := range tc.lack.en {
				if strings.Contains(en, s) {
					t.Errorf("the English texts have %q", s)
				}
			}
			for _, s := range tc.lack.fr {
				if strings.Contains(fr, s) {
					t.Errorf("the French texts have %q", s)
				}
			}
		})
	}
}

// TestFrenchIsFrench: the French texts hold no English sentence left
// behind, and put a non-breaking space before each colon.
func TestFrenchIsFrench(t *testing.T) {
	t.Parallel()
	_, fr := both(facts(func(f *Facts, s *foyer.Site) {
		f.Persona.Basis, f.Persona.HubSpot = foyer.PersonaConsent, true
		s.Identify = foyer.Identification{Forms: true, EmailLinks: true, HubSpot: true}
		f.Sites = append(f.Sites, &foyer.Site{Name: "Blog", Hostnames: []string{"blog.example.com"}, Consent: foyer.ConsentRequired})
	}))
	for _, w := range []string{" the ", " and ", " of our ", " you ", " is ", " with "} {
		if strings.Contains(fr, w) {
			i := strings.Index(fr, w)
			t.Errorf("the French texts have the English %q: …%s…", w, fr[max(0, i-60):min(len(fr), i+60)])
		}
	}
	if m := regexp.MustCompile(`\S.{0,30}[^\x{a0}\x{202f}][:;?!]\s`).FindString(fr); m != "" && !strings.Contains(m, "://") {
		t.Errorf("a colon without a non-breaking space before it: %q", m)
	}
}

// TestCookieDeclarationFromTracker: the declaration lists every entry of
// tracker.Storage the settings may make the tracker set, and only those.
func TestCookieDeclarationFromTracker(t *testing.T) {
	t.Parallel()
	on := facts(func(f *Facts, s *foyer.Site) {
		f.Persona.Basis, f.Persona.HubSpot = foyer.PersonaLegitimateInterest, true
		s.Identify.HubSpot = true
	})
	for _, lang := range Langs {
		for _, tc := range []struct {
			f       Facts
			hubspot bool
		}{{facts(nil), false}, {on, true}} {
			doc := Build(tc.f, lang)
			var rows [][]Line
			for _, b := range doc.Sections[1].Blocks {
				if b.Table != nil {
					rows = b.Table.Rows
				}
			}
			n := 0
			for _, e := range tracker.Storage() {
				if e.HubSpotOnly && !tc.hubspot {
					continue
				}
				if n >= len(rows) || rows[n][0][0].Text != e.Name {
					t.Fatalf("%s, hubspot %v: row %d is not %s %s: %v", lang, tc.hubspot, n, e.Kind, e.Name, rows)
				}
				purpose := e.Purpose.EN
				if lang == French {
					purpose = frSpaces.Replace(e.Purpose.FR)
				}
				if rows[n][2][0].Text != purpose {
					t.Errorf("%s: %s's purpose is %q", lang, e.Name, rows[n][2][0].Text)
				}
				n++
			}
			if n != len(rows) {
				t.Errorf("%s, hubspot %v: %d rows, want %d", lang, tc.hubspot, len(rows), n)
			}
		}
	}
}

// TestEscaping: names from the settings show as themselves in HTML and in
// Markdown, and break neither.
func TestEscaping(t *testing.T) {
	t.Parallel()
	const evil = "<script>alert(1)</script> *x* _y_ [z](http://e.example) | `c` &amp; # \\\nnext"
	f := facts(func(f *Facts, s *foyer.Site) {
		f.Controller = evil
		s.Name = evil
		s.ExcludedPaths = []string{"/a|b`c"}
	})
	for _, lang := range Langs {
		doc := Build(f, lang)
		h := doc.Page()
		if strings.Contains(h, "<script") || strings.Contains(h, "&amp;amp;") == false {
			t.Errorf("%s HTML: the name is not escaped", lang)
		}
		if !strings.Contains(h, "&lt;script&gt;alert(1)&lt;/script&gt; *x* _y_ [z](http://e.example) | `c` &amp;amp; # \\\nnext") {
			t.Errorf("%s HTML: the escaped name is not there:\n%s", lang, h)
		}
		md := doc.Markdown()
		want := `\<script\>alert(1)\</script\> \*x\* \_y\_ \[z\](http://e.example) \| \` + "`c\\`" + ` \&amp; \# \\ next`
		if !strings.Contains(md, want) {
			t.Errorf("%s Markdown: want %s in:\n%s", lang, want, md)
		}
		if regexp.MustCompile(`(^|[^\\])<script|\nnext`).MatchString(md) {
			t.Errorf("%s Markdown: the name breaks out", lang)
		}
		// Each table row has as many cells as its head: no pipe of a
		// value splits one.
		for _, l := range strings.Split(md, "\n") {
			if strings.HasPrefix(l, "| ") {
				cells := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1)) - 1
				if cells != 2 && cells != 5 {
					t.Errorf("%s Markdown: a table row of %d cells: %s", lang, cells, l)
				}
			}
		}
	}
	if got := mdCode("a`b"); got != "``a`b``" {
		t.Errorf("mdCode(a`b) = %s", got)
	}
	if got := mdCode("`a"); got != "`` `a ``" {
		t.Errorf("mdCode(`a) = %s", got)
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Lang{"": English, "en": English, "fr": French} {
		if got, ok := ParseLang(in); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := ParseLang("de"); ok {
		t.Error("ParseLang(de) is ok")
	}
}
