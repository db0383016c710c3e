package collect

import (
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// keepAll is a site that keeps the query parameters the tests of the
// identifier rules use, among them three identifier names, which the
// collector drops even when a site lists them (ValidateSite refuses them).
var keepAll = &foyer.Site{KeepParams: []string{"plan", "seats", "ref", "q", "page", "to", "n", "x", "ok", "t", "tab",
	"v", "a", "b", "category", "sort", "lang", "u", "next", "name", "email", "token"}}

func TestCleanPage(t *testing.T) {
	t.Parallel()
	const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	tests := []struct {
		name, raw  string
		host, path string
		utm        foyer.UTM
	}{
		{"plain", "https://example.com/pricing", "example.com", "/pricing", foyer.UTM{}},
		{"no path", "https://example.com", "example.com", "/", foyer.UTM{}},
		{"host lower case, port and trailing dot gone", "https://WWW.Example.COM.:8443/Pricing", "www.example.com", "/Pricing", foyer.UTM{}},
		{"fragment dropped", "https://example.com/docs#install-on-linux", "example.com", "/docs", foyer.UTM{}},
		{"fragment with an e-mail dropped", "https://example.com/#jane@acme.com", "example.com", "/", foyer.UTM{}},
		{"utm extracted, other params kept in order",
			"https://example.com/pricing?plan=team&utm_source=newsletter&utm_medium=email&utm_campaign=spring-launch&utm_term=crm&utm_content=hero&seats=10",
			"example.com", "/pricing?plan=team&seats=10",
			foyer.UTM{Source: "newsletter", Medium: "email", Campaign: "spring-launch", Term: "crm", Content: "hero"}},
		{"utm names in any case and with dashes", "https://example.com/?UTM_Source=li&utm-medium=social",
			"example.com", "/", foyer.UTM{Source: "li", Medium: "social"}},
		{"utm value that is an e-mail is not kept", "https://example.com/?utm_source=jane%40acme.com&utm_medium=email",
			"example.com", "/", foyer.UTM{Medium: "email"}},
		{"utm value with NUL", "https://example.com/?utm_source=a%00b", "example.com", "/", foyer.UTM{Source: "ab"}},
		{"identifier params dropped",
			"https://example.com/signup?email=jane%40acme.com&Name=Jane&ref=hn&token=abc&Password=hunter2&first-name=Jane&session_id=1&api_key=k&plan=pro",
			"example.com", "/signup?ref=hn&plan=pro", foyer.UTM{}},
		{"e-mail value under any name dropped", "https://example.com/search?q=jane@acme.com&page=2", "example.com", "/search?page=2", foyer.UTM{}},
		{"encoded e-mail value dropped", "https://example.com/share?to=jane%40acme.com", "example.com", "/share", foyer.UTM{}},
		{"bare e-mail as a parameter name dropped", "https://example.com/welcome?jane@acme.com&lang=en", "example.com", "/welcome?lang=en", foyer.UTM{}},
		{"e-mail after a leading @ dropped", "https://example.com/x?q=@jane@acme.com", "example.com", "/x", foyer.UTM{}},
		{"phone value dropped", "https://example.com/callback?n=%2B44%2020%207946%200958&x=555-123-4567&ok=1", "example.com", "/callback?ok=1", foyer.UTM{}},
		{"JWT value dropped", "https://example.com/app?t=" + jwt + "&tab=home", "example.com", "/app?tab=home", foyer.UTM{}},
		{"UUID value dropped", "https://example.com/r?ref=123e4567-e89b-12d3-a456-426614174000&v=2", "example.com", "/r?v=2", foyer.UTM{}},
		{"random token value dropped", "https://example.com/r?x=AbCdEfGhIjKlMnOp1234", "example.com", "/r", foyer.UTM{}},
		{"badly escaped param dropped", "https://example.com/r?a=%zz&b=1", "example.com", "/r?b=1", foyer.UTM{}},
		{"ordinary params kept", "https://example.com/list?category=enterprise-software&sort=newest&page=3",
			"example.com", "/list?category=enterprise-software&sort=newest&page=3", foyer.UTM{}},
		{"e-mail segment", "https://example.com/users/jane.doe@acme.com/settings", "example.com", "/users/:email/settings", foyer.UTM{}},
		{"encoded e-mail segment", "https://example.com/u/jane%40acme.com", "example.com", "/u/:email", foyer.UTM{}},
		{"handle then e-mail in one segment", "https://example.com/@jane@mastodon.social", "example.com", "/:email", foyer.UTM{}},
		{"token segment", "https://example.com/reset/Xk9vB2mQ7pL4tR8wZ1yC/confirm", "example.com", "/reset/:token/confirm", foyer.UTM{}},
		{"UUID segment", "https://example.com/invoice/123e4567-e89b-12d3-a456-426614174000", "example.com", "/invoice/:token", foyer.UTM{}},
		{"hex id segment", "https://example.com/o/9f86d081884c7d659a2feaa0c55ad015", "example.com", "/o/:token", foyer.UTM{}},
		{"JWT segment", "https://example.com/magic/" + jwt, "example.com", "/magic/:token", foyer.UTM{}},
		{"phone segment", "https://example.com/call/+14155552671", "example.com", "/call/:number", foyer.UTM{}},
		{"long number segment", "https://example.com/account/123456789", "example.com", "/account/:number", foyer.UTM{}},
		{"short number kept", "https://example.com/orders/12345", "example.com", "/orders/12345", foyer.UTM{}},
		{"slug with a year kept", "https://example.com/blog/how-to-track-visitors-in-2024", "example.com", "/blog/how-to-track-visitors-in-2024", foyer.UTM{}},
		{"CamelCase page kept", "https://example.com/ProductCategoryOverview", "example.com", "/ProductCategoryOverview", foyer.UTM{}},
		{"dated slug kept", "https://example.com/en/2024/03/15/announcing-foyer", "example.com", "/en/2024/03/15/announcing-foyer", foyer.UTM{}},
		{"unicode path kept escaped", "https://example.com/ja/製品", "example.com", "/ja/%E8%A3%BD%E5%93%81", foyer.UTM{}},
		{"handle without domain kept", "https://example.com/@foyer", "example.com", "/@foyer", foyer.UTM{}},
		{"user info never reaches host or path", "https://jane:secret@example.com/x", "example.com", "/x", foyer.UTM{}},
		{"IPv6 host", "http://[2001:DB8::1]:8080/x", "2001:db8::1", "/x", foyer.UTM{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := cleanPage(tt.raw, keepAll)
			if err != nil {
				t.Fatalf("cleanPage(%q): %v", tt.raw, err)
			}
			if p.host != tt.host || p.path != tt.path || p.utm != tt.utm {
				t.Errorf("cleanPage(%q)\n got host %q path %q utm %+v\nwant host %q path %q utm %+v",
					tt.raw, p.host, p.path, p.utm, tt.host, tt.path, tt.utm)
			}
		})
	}
}

func TestCleanPageRejects(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"", "/relative/path", "example.com/pricing", "ftp://example.com/", "mailto:jane@acme.com",
		"javascript:alert(1)", "https:///no-host", "http://.", "http://.:80/", "http://exa mple.com/", "https://example.com/%zz\x7f",
		"https://example.com/" + strings.Repeat("a", maxURL),
	} {
		if p, err := cleanPage(raw, keepAll); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("cleanPage(%q) = %+v, %v; want EINVALID", raw, p, err)
		}
	}
}

func TestCleanPageTruncates(t *testing.T) {
	t.Parallel()
	p, err := cleanPage("https://example.com/"+strings.Repeat("é", 1500), keepAll) // 9,000 escaped bytes
	if err != nil {
		t.Fatal(err)
	}
	if len(p.path) > 2048 {
		t.Errorf("path is %d bytes, want at most 2048", len(p.path))
	}
}

func TestCleanReferrer(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, host, ref string }{
		{"https://www.google.com/", "www.google.com", "https://www.google.com/"},
		{"https://www.google.com/search?q=foyer+analytics&oq=foyer#top", "www.google.com", "https://www.google.com/search"},
		{"https://News.Example.COM:8080/item", "news.example.com", "https://news.example.com:8080/item"},
		{"https://jane:secret@mail.example.net/inbox/jane@acme.com/read?id=1", "mail.example.net", "https://mail.example.net/inbox/:email/read"},
		{"https://l.example.org/r/Xk9vB2mQ7pL4tR8wZ1yC", "l.example.org", "https://l.example.org/r/:token"},
		{"http://[2001:db8::1]/x", "2001:db8::1", "http://[2001:db8::1]/x"},
		{"", "", ""},
		{"android-app://com.google.android.gm/", "", ""},
		{"javascript:alert(1)", "", ""},
		{"/relative", "", ""},
		{"http://", "", ""},
		{"http://./x", "", ""},
		{"http://%zz/", "", ""},
		{"https://example.com/" + strings.Repeat("a", maxURL), "", ""},
	}
	for _, tt := range tests {
		host, ref := cleanReferrer(tt.raw)
		if host != tt.host || ref != tt.ref {
			t.Errorf("cleanReferrer(%q) = %q, %q; want %q, %q", tt.raw, host, ref, tt.host, tt.ref)
		}
	}
}

func TestCleanLink(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"https://partner.example/docs", "https://partner.example/docs"},
		{"https://Partner.Example/docs?utm_source=foyer&email=jane%40acme.com&page=2#top", "https://partner.example/docs?utm_source=foyer&page=2"},
		{"http://partner.example:8080/u/jane@acme.com", "http://partner.example:8080/u/:email"},
		{"https://jane:secret@partner.example/", "https://partner.example/"},
		{"https://partner.example", "https://partner.example/"},
	}
	for _, tt := range tests {
		got, err := cleanLink(tt.raw, keepAll)
		if err != nil || got != tt.want {
			t.Errorf("cleanLink(%q) = %q, %v; want %q", tt.raw, got, err, tt.want)
		}
	}
	for _, raw := range []string{"", "mailto:jane@acme.com", "tel:+14155552671", "/relative", "http://./"} {
		if got, err := cleanLink(raw, keepAll); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("cleanLink(%q) = %q, %v; want EINVALID", raw, got, err)
		}
	}
}

func TestLooksPersonal(t *testing.T) {
	t.Parallel()
	personal := []string{
		"jane@acme.com", "jane.doe+news@mail.acme.co.uk", "@jane@mastodon.social", "x@y.z",
		"+1 (415) 555-2671", "0612345678", "123456789",
		"123e4567-e89b-12d3-a456-426614174000", "9F86D081884C7D659A2FEAA0C55AD015",
		"AbCdEfGhIjKlMnOp1234", "sk_live_51HxYzAbCdEf9876543210",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc",
		"jane\uff20acme.com", "jane%EF%BC%A0acme.com", "jane(at)acme(dot)com", "jane [at] acme.com",
	}
	ordinary := []string{
		"", "pricing", "enterprise-software", "how-to-track-visitors-in-2024", "ProductCategoryOverview",
		"@foyer", "jane@", "@", "a@b", "(at)", "price(dot)list", "2024", "12345678", "newest", "Q3 2024 results", "v1.2.3",
	}
	for _, s := range personal {
		if !looksPersonal(s) {
			t.Errorf("looksPersonal(%q) = false, want true", s)
		}
	}
	for _, s := range ordinary {
		if looksPersonal(s) {
			t.Errorf("looksPersonal(%q) = true, want false", s)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abcdef", 3, "abc"},
		{"aé", 2, "a"}, // never half a rune
		{"日本語", 4, "日"},
		{"日本語", 0, ""},
	}
	for _, tt := range tests {
		if got := truncate(tt.s, tt.n); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
