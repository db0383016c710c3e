package referrer

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		name string
		kind Kind
	}{
		// One source, however it is written.
		{"linkedin", "LinkedIn", Social},
		{"linkedin.com", "LinkedIn", Social},
		{"www.linkedin.com", "LinkedIn", Social},
		{"de.linkedin.com", "LinkedIn", Social},
		{"lnkd.in", "LinkedIn", Social},
		{"LinkedIn", "LinkedIn", Social},
		{"LINKEDIN.COM", "LinkedIn", Social},
		{"https://www.linkedin.com/feed/", "LinkedIn", Social},
		{"google", "Google", Search},
		{"Google", "Google", Search},
		{"google.com", "Google", Search},
		{"google.de", "Google", Search},
		{"www.google.co.uk", "Google", Search},
		{"google.com.au", "Google", Search},
		{"www.google.com.", "Google", Search}, // a trailing dot
		{"www.google.com:443", "Google", Search},
		{"https://www.google.fr/search?q=x", "Google", Search},
		// A subdomain more specific than its domain.
		{"mail.google.com", "Gmail", Email},
		{"gemini.google.com", "Gemini", AI},
		{"m.facebook.com", "Facebook", Social},
		{"l.facebook.com", "Facebook", Social},
		{"lm.facebook.com", "Facebook", Social},
		{"t.co", "X (Twitter)", Social},
		{"x.com", "X (Twitter)", Social},
		{"twitter", "X (Twitter)", Social},
		{"x (twitter)", "X (Twitter)", Social},
		{"outlook.live.com", "Outlook", Email},
		{"mail.yahoo.com", "Yahoo Mail", Email},
		{"search.yahoo.com", "Yahoo", Search},
		{"de.search.yahoo.com", "Yahoo", Search},
		{"yandex.ru", "Yandex", Search},
		{"gmx.net", "GMX", Email},
		{"web.de", "WEB.DE", Email},
		{"WEB.DE", "WEB.DE", Email},
		{"chatgpt.com", "ChatGPT", AI},
		{"perplexity.ai", "Perplexity", AI},
		{"www.perplexity.ai", "Perplexity", AI},
		{"m.youtube.com", "YouTube", Video},
		{"youtu.be", "YouTube", Video},
		{"news.ycombinator.com", "Hacker News", Social},
		// utm_source values of email campaigns.
		{"newsletter", "Email", Email},
		{"Newsletter", "Email", Email},
		{"email", "Email", Email},
		{"E-Mail", "Email", Email},
		{" fb ", "Facebook", Social},
		// Unknown: the host, clean; the value, in lower case.
		{"news.example.com", "news.example.com", ""},
		{"WWW.Example.COM:8080", "example.com", ""},
		{"example.com..", "example.com", ""},
		{"http://user@Example.org/x", "example.org", ""},
		{"localhost:3000", "localhost", ""},
		{"Partner-Portal", "partner-portal", ""},
		{"Spring Campaign", "spring campaign", ""},
		// Not Google: google is not a top-level domain here.
		{"google.example.com", "google.example.com", ""},
		{"notgoogle.com", "notgoogle.com", ""},
		{"", Direct, ""},
		{"direct", Direct, ""},
		{"https://", Direct, ""},
	} {
		got := Normalize(c.in)
		if got.Name != c.name || got.Kind != c.kind {
			t.Errorf("Normalize(%q) = %+v, want %q (%q)", c.in, got, c.name, c.kind)
		}
	}
}

func TestOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ utm, ref, want string }{
		{"newsletter", "https://www.google.com/", "Email"}, // the campaign wins
		{"", "https://www.google.com/search", "Google"},
		{"", "https://news.ycombinator.com/item", "Hacker News"},
		{"", "https://blog.example.com/post", "blog.example.com"},
		{"  ", "https://lnkd.in/abc", "LinkedIn"},
		{"", "", Direct},
	} {
		if got := Of(c.utm, c.ref); got.Name != c.want {
			t.Errorf("Of(%q, %q) = %q, want %q", c.utm, c.ref, got.Name, c.want)
		}
	}
}

// TestSourcesFile checks that the list parses and that every known source
// is its own name's source, so that a stored name normalises to itself.
func TestSourcesFile(t *testing.T) {
	t.Parallel()
	tb, err := parse(sourcesFile)
	if err != nil {
		t.Fatal(err)
	}
	all := map[Source]bool{}
	for _, m := range []map[string]Source{tb.hosts, tb.anyTLD, tb.names} {
		for _, s := range m {
			all[s] = true
		}
	}
	if len(all) < 40 {
		t.Errorf("%d sources, want the whole list", len(all))
	}
	for s := range all {
		if got := Normalize(s.Name); got != s {
			t.Errorf("Normalize(%q) = %+v, want itself", s.Name, got)
		}
		if s.Kind.Label() == "" {
			t.Errorf("%q: kind %q has no label", s.Name, s.Kind)
		}
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{
		"search | Google",                               // no aliases field
		"search | Google | ",                            // no alias
		"nosuch | Google | google",                      // unknown kind
		"search |  | google",                            // no name
		"search | Google | Google.com",                  // not lower case
		"search | Google | google\nsearch | G | google", // an alias twice
		"search | Google | google.*\nsearch | G | google.*",
		"social | Direct | direct.example",
	} {
		if _, err := parse(bad); err == nil {
			t.Errorf("parse(%q): no error", bad)
		}
	}
	if _, err := parse("# a comment\n\nsearch | Google | google.* google\n"); err != nil {
		t.Errorf("a good list: %v", err)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"linkedin.com", "www.google.co.uk", "https://l.facebook.com/l.php?u=x", "Newsletter",
		"[::1]:8080", "a:b:c.d", "www..x", "example.com.", "", "X (Twitter)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if got.Name == "" {
			t.Fatalf("Normalize(%q): no name", s)
		}
		if again := Normalize(got.Name); again != got {
			t.Fatalf("Normalize(%q) = %+v, but Normalize(%q) = %+v", s, got, got.Name, again)
		}
		if got.Kind == "" && got.Name != strings.ToLower(got.Name) {
			t.Fatalf("Normalize(%q) = %q: an unknown source not in lower case", s, got.Name)
		}
	})
}
