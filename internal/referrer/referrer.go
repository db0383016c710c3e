// Package referrer names where a visit came from: its campaign's
// utm_source, else its referrer's host, else "direct", normalised so that
// linkedin.com, www.linkedin.com, lnkd.in and utm_source=LinkedIn are one
// source, "LinkedIn", of the kind "social".
//
// The known sources are our own list, sources.txt, embedded: a few dozen
// lines written for Foyer and tested here. No well-kept Go package does
// this: Shopify's goreferrer says it is no longer maintained, and the Go
// ports of Snowplow's referer-parser were last published years ago; the
// lists that exist are mostly data shipped in JavaScript packages, under
// mixed licences, far larger than a B2B site needs, and none knows AI
// assistants or folds utm_source values in. We copy none of them. A source
// missing from the list is not lost: it keeps its host (lower case, without
// "www." or a port) or its utm_source value (lower case).
package referrer

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// Direct is the source of a visit without a campaign or a referrer.
const Direct = "direct"

// Kind is what sort of place a known source is.
type Kind string

// The kinds of sources.
const (
	Search Kind = "search"
	Social Kind = "social"
	Chat   Kind = "chat"
	Email  Kind = "email"
	AI     Kind = "ai"
	Video  Kind = "video"
	Code   Kind = "code"
	News   Kind = "news"
)

var kindLabels = map[Kind]string{
	Search: "search", Social: "social", Chat: "chat", Email: "email",
	AI: "AI assistant", Video: "video", Code: "developer", News: "news",
}

// Label is the kind as a reader sees it ("AI assistant"), "" for none.
func (k Kind) Label() string { return kindLabels[k] }

// Source is a normalised source: its display name, and its kind when it
// is a known one ("" otherwise).
type Source struct {
	Name string
	Kind Kind
}

// Of names the source of a visit: its campaign's utm_source, else its
// referrer's host, else Direct.
func Of(utmSource, referrerURL string) Source {
	if s := strings.TrimSpace(utmSource); s != "" {
		return Normalize(s)
	}
	if referrerURL == "" {
		return Source{Name: Direct}
	}
	return Normalize(hostOf(referrerURL))
}

// Normalize names a source given as a host, a URL, a utm_source value or
// a name Normalize returned: a known source by its display name, any other
// host in lower case without "www.", a port or trailing dots, any other
// value in lower case. Normalize(Normalize(s).Name) is Normalize(s).
func Normalize(s string) Source {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "://") {
		s = hostOf(s)
	}
	if s == "" || s == Direct {
		return Source{Name: Direct}
	}
	t := sources()
	if strings.IndexFunc(s, unicode.IsSpace) < 0 && strings.ContainsAny(s, ".:") {
		s = cleanHost(s)
		if src, ok := t.host(s); ok {
			return src
		}
		if s == "" {
			return Source{Name: Direct}
		}
	}
	if src, ok := t.names[s]; ok {
		return src
	}
	return Source{Name: s}
}

// hostOf is the host part of a URL (or of what is left of one).
func hostOf(u string) string {
	if _, after, ok := strings.Cut(u, "://"); ok {
		u = after
	}
	if i := strings.IndexAny(u, "/?#"); i >= 0 {
		u = u[:i]
	}
	if i := strings.LastIndexByte(u, '@'); i >= 0 {
		u = u[i+1:]
	}
	return strings.ToLower(strings.TrimSpace(u))
}

// cleanHost takes a port, trailing dots and a leading "www." off a
// lower-case host.
func cleanHost(h string) string {
	if strings.HasPrefix(h, "[") { // an IPv6 literal
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[:i+1]
		}
		return h
	}
	if i := strings.IndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimRight(h, ".")
	for strings.HasPrefix(h, "www.") {
		h = strings.TrimPrefix(h, "www.")
	}
	return h
}

// table is the parsed list: known sources by host (with their subdomains),
// by a name under any top-level domain ("google" for google.*), and by
// utm_source value or display name.
type table struct {
	hosts, anyTLD, names map[string]Source
}

//go:embed sources.txt
var sourcesFile string

// sources parses sources.txt once; TestSourcesFile keeps it parseable.
var sources = sync.OnceValue(func() *table {
	t, err := parse(sourcesFile)
	if err != nil {
		panic(err)
	}
	return t
})

// host finds the known source of a clean host: the longest suffix of it,
// at a label boundary, that the list names.
func (t *table) host(h string) (Source, bool) {
	for rest := h; rest != ""; {
		if src, ok := t.hosts[rest]; ok {
			return src, true
		}
		label, tld, _ := strings.Cut(rest, ".")
		if src, ok := t.anyTLD[label]; ok && isTLD(tld) {
			return src, true
		}
		_, rest, _ = strings.Cut(rest, ".")
	}
	return Source{}, false
}

// secondLevel are the labels under a country code that registrars sell
// names under (google.co.uk, google.com.au).
var secondLevel = map[string]bool{"co": true, "com": true, "net": true, "org": true, "ac": true, "ne": true, "or": true, "gov": true, "edu": true, "gob": true}

// isTLD reports whether s looks like a top-level domain ("de", "com") or
// a country's second level ("co.uk").
func isTLD(s string) bool {
	first, cc, two := strings.Cut(s, ".")
	if !two {
		return isLetters(s) && len(s) >= 2 && len(s) <= 6
	}
	return secondLevel[first] && len(cc) == 2 && isLetters(cc)
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return s != ""
}

// parse reads a list in the format of sources.txt.
func parse(text string) (*table, error) {
	t := &table{hosts: map[string]Source{}, anyTLD: map[string]Source{}, names: map[string]Source{}}
	seen := map[string]int{}
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) != 3 {
			return nil, fmt.Errorf("referrer: sources.txt:%d: want kind | name | aliases", n)
		}
		kind, name := Kind(strings.TrimSpace(f[0])), strings.TrimSpace(f[1])
		if kindLabels[kind] == "" {
			return nil, fmt.Errorf("referrer: sources.txt:%d: unknown kind %q", n, kind)
		}
		if name == "" || strings.EqualFold(name, Direct) {
			return nil, fmt.Errorf("referrer: sources.txt:%d: no name", n)
		}
		src := Source{Name: name, Kind: kind}
		aliases := strings.Fields(f[2])
		if len(aliases) == 0 {
			return nil, fmt.Errorf("referrer: sources.txt:%d: no alias", n)
		}
		add := func(m map[string]Source, alias, key string) error {
			if prev, dup := seen[alias]; dup {
				return fmt.Errorf("referrer: sources.txt:%d: %q is on line %d already", n, alias, prev)
			}
			seen[alias] = n
			m[key] = src
			return nil
		}
		if lower := strings.ToLower(name); !strings.Contains(lower, ".") {
			if err := add(t.names, lower, lower); err != nil {
				return nil, err
			}
		}
		for _, a := range aliases {
			if a != strings.ToLower(a) {
				return nil, fmt.Errorf("referrer: sources.txt:%d: alias %q is not lower case", n, a)
			}
			var err error
			switch {
			case strings.HasSuffix(a, ".*"):
				err = add(t.anyTLD, a, strings.TrimSuffix(a, ".*"))
			case strings.Contains(a, "."):
				err = add(t.hosts, a, a)
			case a == strings.ToLower(name):
				continue // the name is an alias already
			default:
				err = add(t.names, a, a)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}
