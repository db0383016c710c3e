package collect

import (
	"net/http"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// Tests of the privacy scrubbing of issue 12, items 10 to 14: titles,
// repeatedly encoded identifiers, the kept query parameters, the
// normalised path, IPv6 hostnames.

func TestCleanTitle(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Inbox – jane.doe@example.com", "Inbox – :email"},
		{"Inbox (jane.doe@example.com) - Mail", "Inbox :email - Mail"},
		{"Results for jane.doe%40example.com", "Results for :email"},
		{"Results for jane.doe%2540example.com", "Results for :email"},
		{"Call +1 (415) 555-2671 today", "Call :number today"},
		{"Order 0612345678 confirmed", "Order :number confirmed"},
		{"Reset Xk9vB2mQ7pL4tR8wZ1yC now", "Reset :token now"},
		{"Invoice 123e4567-e89b-12d3-a456-426614174000", "Invoice :token"},
		{"  Pricing\u0000 — Acme  ", "Pricing — Acme"},
		{"jane@acme.com\u00a0jane@acme.com", ":email\u00a0:email"},
		// Addresses spelt to pass a filter.
		{"Hi jane\uff20example.com", "Hi :email"},
		{"Hi jane\ufe6bexample.com", "Hi :email"},
		{"Hi jane(at)example.com", "Hi :email"},
		{"Hi Jane[AT]example[DOT]com", "Hi :email"},
		{"Hi jane%EF%BC%A0example.com", "Hi :email"},
		// Ordinary titles stay as they are.
		{"Q3 2024 results – Acme", "Q3 2024 results – Acme"},
		{"Pricing — Acme", "Pricing — Acme"},
		{"@foyer on Mastodon", "@foyer on Mastodon"},
		{"Release 2019-2024, 100% done", "Release 2019-2024, 100% done"},
		{"ProductCategoryOverview", "ProductCategoryOverview"},
		{"日本語のページ", "日本語のページ"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cleanTitle(tt.in); got != tt.want {
			t.Errorf("cleanTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Scrubbed before it is cut: an address at the cut is not left half.
	long := strings.Repeat("a", maxTitle-10) + " jane.doe@example.com"
	if got := cleanTitle(long); strings.Contains(got, "jane") {
		t.Errorf("a long title kept %q", got[len(got)-20:])
	}
}

func TestCleanPageDecodesRepeatedly(t *testing.T) {
	t.Parallel()
	site := &foyer.Site{KeepParams: []string{"u", "next", "page"}}
	tests := []struct {
		name, raw, path string
		utm             foyer.UTM
	}{
		{"twice-encoded value", "https://example.com/x?u=jane%2540example.com&page=2", "/x?page=2", foyer.UTM{}},
		{"three times", "https://example.com/x?u=jane%25252540example.com&page=2", "/x?page=2", foyer.UTM{}},
		{"a stray '%' does not stop the decoding", "https://example.com/x?u=jane%2540example.com%25zz", "/x", foyer.UTM{}},
		{"in a nested redirect", "https://example.com/login?next=https%3A%2F%2Fsso.example%2Fcb%3Fu%3Djane%2540example.com&page=1",
			"/login?page=1", foyer.UTM{}},
		{"a redirect without identifiers is kept", "https://example.com/login?next=%2Fdocs%3Fpage%3D2", "/login?next=%2Fdocs%3Fpage%3D2", foyer.UTM{}},
		{"encoded more often than the bound", "https://example.com/x?u=a%25252525252540b&page=3", "/x?page=3", foyer.UTM{}},
		{"twice-encoded name", "https://example.com/x?pa%2567e=4&utm%255Fsource=jane%2540example.com", "/x?page=4", foyer.UTM{}},
		{"twice-encoded UTM value", "https://example.com/?utm_source=jane%2540example.com&utm_medium=email",
			"/", foyer.UTM{Medium: "email"}},
		{"twice-encoded path segment", "https://example.com/u/jane%2540example.com/profile", "/u/:email/profile", foyer.UTM{}},
		{"three times in a path segment", "https://example.com/u/jane%25252540example.com", "/u/:email", foyer.UTM{}},
		{"twice-encoded token segment", "https://example.com/r/Xk9vB2mQ7p%254C4tR8wZ1yC", "/r/:token", foyer.UTM{}},
		{"path segment encoded more often than the bound", "https://example.com/r/a%25252525252540b", "/r/:invalid", foyer.UTM{}},
	}
	for _, tt := range tests {
		p, err := cleanPage(tt.raw, site)
		if err != nil || p.path != tt.path || p.utm != tt.utm {
			t.Errorf("%s: cleanPage(%q) = path %q utm %+v, %v; want %q %+v", tt.name, tt.raw, p.path, p.utm, err, tt.path, tt.utm)
		}
	}
}

func TestCleanPageKeepsOnlyListedParams(t *testing.T) {
	t.Parallel()
	none := &foyer.Site{}
	shop := &foyer.Site{KeepParams: []string{"page", "q", "category"}}
	tests := []struct {
		name string
		site *foyer.Site
		raw  string
		path string
		utm  foyer.UTM
	}{
		{"tracked-email link: names as well as the address", none,
			"https://example.com/pricing?fy_email=jane%40example.com&fy_fn=Jane&fy_ln=Doe", "/pricing", foyer.UTM{}},
		{"email tools' identifiers", none,
			"https://example.com/?mc_eid=4f8c1e2a9b&_hsenc=p2ANqtz-8x&_hsmi=12345&mkt_tok=NzEx&fn=Jane&ln=Doe&vero_id=7", "/", foyer.UTM{}},
		{"a parameter nobody thought of", none, "https://example.com/welcome?recipient_firstname=Jane", "/welcome", foyer.UTM{}},
		{"UTM taken into the visit, nothing kept", none,
			"https://example.com/?utm_source=news&page=2&utm_campaign=spring", "/", foyer.UTM{Source: "news", Campaign: "spring"}},
		{"listed ones kept, in order, under their listed names", shop,
			"https://example.com/list?Category=crm&fy_fn=Jane&page=2&sort=new&Q=tracking&utm_medium=email",
			"/list?category=crm&page=2&q=tracking", foyer.UTM{Medium: "email"}},
		{"a listed one whose value is an identifier is dropped", shop,
			"https://example.com/search?q=jane%40example.com&page=2", "/search?page=2", foyer.UTM{}},
		{"a listed one without a value", shop, "https://example.com/search?q&page=", "/search?q&page=", foyer.UTM{}},
	}
	for _, tt := range tests {
		p, err := cleanPage(tt.raw, tt.site)
		if err != nil || p.path != tt.path || p.utm != tt.utm {
			t.Errorf("%s: cleanPage(%q) = path %q utm %+v, %v; want %q %+v", tt.name, tt.raw, p.path, p.utm, err, tt.path, tt.utm)
		}
	}
	// A link target keeps its UTM parameters and the listed ones, checked alike.
	got, err := cleanLink("https://partner.example/docs?utm_source=acme&utm_term=jane%2540acme.com&page=2&fy_fn=Jane&ref=x", shop)
	if want := "https://partner.example/docs?utm_source=acme&page=2"; err != nil || got != want {
		t.Errorf("cleanLink = %q, %v; want %q", got, err, want)
	}
}

func TestCleanPathNormalises(t *testing.T) {
	t.Parallel()
	tests := []struct{ raw, want string }{
		{"/", "/"},
		{"", "/"},
		{"//", "/"},
		{"//admin/x", "/admin/x"},
		{"/admin//x//", "/admin/x/"},
		{"/admin;x/y", "/admin/y"},
		{"/blog;jsessionid=A1B2C3/post;v=2", "/blog/post"},
		{"/admin%2Fx", "/admin/x"},
		{"/admin%2fx%2F", "/admin/x"},
		{"/admin%252Fx", "/admin/x"},
		{"/admin%3Bx/y", "/admin/y"},
		{"/admin%5Cx", "/admin/x"},
		{"/public/../admin/x", "/admin/x"},
		{"/public/%2e%2e/admin/", "/admin/"},
		{"/public/%2E%2E%2Fadmin", "/admin"},
		{"/../../admin", "/admin"},
		{"/a/./b/.", "/a/b"},
		{"/caf%c3%a9", "/caf%C3%A9"},
		{"/a%20b", "/a%20b"},
		{"/a,b/c:d@e", "/a,b/c:d@e"},
		{"/100%25", "/100%25"},
		{"/%zz", "/:invalid"},
		{"/users/jane%40acme.com/x", "/users/:email/x"},
		{"/x/jane%2Facme/y", "/x/jane/acme/y"},
	}
	for _, tt := range tests {
		if got := cleanPath(tt.raw); got != tt.want {
			t.Errorf("cleanPath(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		if again := cleanPath(tt.want); again != tt.want {
			t.Errorf("cleanPath(%q) = %q: not idempotent", tt.want, again)
		}
	}
}

// TestHandlerScrubs sends what issue 12 found stored through the collector
// and reads back what was stored: titles scrubbed, twice-encoded
// identifiers caught, only the listed query parameters kept, excluded
// paths not sidestepped, and a site on [::1] accepting its own pages.
func TestHandlerScrubs(t *testing.T) {
	t.Parallel()
	c := newCollector(t, Config{})
	c.update(t, func(s *foyer.Site) {
		s.Hostnames = append(s.Hostnames, "[::1]")
		s.ExcludedPaths = []string{"/admin/"}
		s.KeepParams = []string{"page", "next"}
	})
	titled := func(url, title string) string {
		return `{"type":"pageview","url":"` + url + `","title":"` + title + `"}`
	}
	a := c.post(t, acmeBatch("",
		titled("https://www.example.com/inbox", "Inbox – jane.doe@example.com"),
		pageview("/x?u=jane%2540example.com&page=2"),
		pageview("/login?next=https%3A%2F%2Fsso.example%2Fcb%3Fu%3Djane%2540example.com"),
		pageview("/u/jane%2540example.com/profile"),
		pageview("/pricing?fy_email=jane%40example.com&fy_fn=Jane&fy_ln=Doe"),
		pageview("/?mc_eid=4f8c1e2a9b&_hsenc=p2ANqtz&_hsmi=123&mkt_tok=NzEx&fn=Jane&ln=Doe"),
		pageview("//admin/x"), pageview("/admin;x/y"), pageview("/admin%2Fx"), pageview("/x/%2e%2e/admin/"),
		`{"type":"pageview","url":"http://[::1]:8080/local"}`,
		`{"type":"pageview","url":"http://[0:0::1]/local2"}`,
	))
	if a.status != http.StatusAccepted || string(a.body) != "{\"accepted\":8}\n" {
		t.Fatalf("answer %d %s, want 202 {\"accepted\":8}", a.status, a.body)
	}
	want := []string{
		"www.example.com /inbox Inbox – :email",
		"www.example.com /x?page=2 ",
		"www.example.com /login ",
		"www.example.com /u/:email/profile ",
		"www.example.com /pricing ",
		"www.example.com / ",
		"::1 /local ",
		"::1 /local2 ",
	}
	var got []string
	for _, e := range c.events(t) {
		got = append(got, e.Host+" "+e.Path+" "+e.Title)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored\n %s\nwant\n %s", strings.Join(got, "\n "), strings.Join(want, "\n "))
	}
}
