package store

import "testing"

func TestVisitSource(t *testing.T) {
	for _, c := range []struct{ utm, ref, want string }{
		{"newsletter", "https://www.google.com/", "newsletter"},
		{"", "https://www.google.com/search", "google.com"},
		{"", "https://news.ycombinator.com/item", "news.ycombinator.com"},
		{"", "", "direct"},
	} {
		if got := visitSource(c.utm, c.ref); got != c.want {
			t.Errorf("visitSource(%q, %q) = %q, want %q", c.utm, c.ref, got, c.want)
		}
	}
}
