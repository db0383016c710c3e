package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

func TestSitesPage(t *testing.T) {
	w := newWebTest(t)
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme := w.site("Acme", "acme-web")
	ctx := context.Background()
	sites := fmt.Sprintf("/app/w/%d/sites", acme.WorkspaceID)
	ada := w.signIn("ada@example.com")

	b := body(w.do("GET", sites, nil, ada))
	if !strings.Contains(b, "key acme-web") || !strings.Contains(b, "No visit has arrived yet: check the snippet") || !strings.Contains(b, "Add a site") ||
		!strings.Contains(b, `&lt;script defer src=&#34;https://example.com/t.js&#34; data-site=&#34;acme-web&#34;&gt;&lt;/script&gt;`) {
		t.Errorf("sites page:\n%s", b)
	}
	w.visitFrom(acme, 0, foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}, time.Now().Add(-30*time.Second))
	if b := body(w.do("GET", sites, nil, ada)); !strings.Contains(b, "Last visit started") {
		t.Errorf("no last visit after a visit:\n%s", b)
	}

	add := url.Values{"name": {`Docs <site>`}, "hostnames": {"docs.example.com\n*.example.org"}}
	resp := w.do("POST", sites, add, ada, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a site: %d\n%s", resp.StatusCode, body(resp))
	}
	list, _ := w.st.Sites(ctx, acme.WorkspaceID)
	if len(list) != 2 {
		t.Fatalf("%d sites after adding one", len(list))
	}
	var added *foyer.Site
	for _, s := range list {
		if s.ID != acme.ID {
			added = s
		}
	}
	if added.Name != "Docs <site>" || len(added.Key) != 12 || strings.Join(added.Hostnames, ",") != "docs.example.com,*.example.org" || !added.HonorGPC {
		t.Errorf("added %+v", added)
	}
	if b := body(w.do("GET", sites, nil, ada)); !strings.Contains(b, "Docs &lt;site&gt;") || strings.Contains(b, "Docs <site>") {
		t.Error("the new site's name is not escaped")
	}

	bad := w.do("POST", sites, url.Values{"name": {"Bad"}, "hostnames": {"not a host!"}}, ada, "Sec-Fetch-Site", "same-origin")
	if b := body(bad); bad.StatusCode != http.StatusBadRequest || !strings.Contains(b, `class="error"`) || !strings.Contains(b, `value="Bad"`) {
		t.Errorf("a bad hostname: %d\n%s", bad.StatusCode, b)
	}
	// Refused: an analyst, another workspace's owner, another origin. None adds a site.
	ana, bob := w.signIn("ana@example.com"), w.signIn("bob@example.com")
	for _, c := range []struct {
		who, cookie string
		hdr         []string
		status      int
	}{
		{"analyst", ana, []string{"Sec-Fetch-Site", "same-origin"}, http.StatusForbidden},
		{"another workspace", bob, []string{"Sec-Fetch-Site", "same-origin"}, http.StatusNotFound},
		{"another origin", ada, []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
	} {
		resp := w.do("POST", sites, url.Values{"name": {"Sneaky"}, "hostnames": {"sneaky.example"}}, c.cookie, c.hdr...)
		if resp.StatusCode != c.status {
			t.Errorf("%s: %d, want %d", c.who, resp.StatusCode, c.status)
		}
	}
	if list, _ := w.st.Sites(ctx, acme.WorkspaceID); len(list) != 2 {
		t.Errorf("%d sites after the refused attempts, want 2", len(list))
	}
	if b := body(w.do("GET", sites, nil, ana)); strings.Contains(b, "Add a site") || !strings.Contains(b, "key acme-web") {
		t.Error("an analyst sees the form, or not the sites")
	}
	if resp := w.do("GET", sites, nil, bob); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another workspace's sites: %d", resp.StatusCode)
	}
}

func TestSiteOverview(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	w.user("bob@example.com", "correct horse battery", "Initech", foyer.RoleOwner)
	acme, initech := w.site("Acme", "acme"), w.site("Initech", "initech")
	at := time.Now().Add(-time.Hour)
	hits := []foyer.Hit{
		{SiteID: acme.ID, VisitorUID: "visitor-0000000000000001", Time: at, Kind: foyer.KindPageview, Host: "www.example.com",
			Path: "/pricing", UTM: foyer.UTM{Source: "newsletter"}, Origin: foyer.Origin{Org: foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}}},
		{SiteID: acme.ID, VisitorUID: "visitor-0000000000000001", Time: at.Add(time.Minute), Kind: foyer.KindPageview, Host: "www.example.com",
			Path: "/<b>docs</b>", Origin: foyer.Origin{Org: foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}}},
		{SiteID: acme.ID, VisitorUID: "visitor-0000000000000002", Time: at, Kind: foyer.KindPageview, Host: "www.example.com",
			Path: "/pricing", Referrer: "https://www.google.com/", Origin: foyer.Origin{Org: foyer.Org{Name: "Example Telecom", Type: foyer.OrgISP}}},
	}
	if err := w.st.Append(context.Background(), hits); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	ana := w.signIn("ana@example.com")
	resp := w.do("GET", fmt.Sprintf("/app/w/%d/sites/%d", acme.WorkspaceID, acme.ID), nil, ana)
	b := body(resp)
	if resp.StatusCode != 200 {
		t.Fatalf("overview: %d", resp.StatusCode)
	}
	for _, want := range []string{`<span class="n">2</span> visits`, `<span class="n">1</span> companies identified`,
		`<span class="n">50%</span> anonymous`, `<td class="path">/pricing</td><td class="num">2</td>`,
		`<td class="path">/&lt;b&gt;docs&lt;/b&gt;</td>`, `<td>Email</td>`,
		`<td>Google <span class="muted">search</span></td>`, `<span class="n">0</span> unidentified`,
		"1 from companies + 1 anonymous (carriers, hosting) + 0 unidentified"} {
		if !strings.Contains(b, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	for _, path := range []string{fmt.Sprintf("/app/w/%d/sites/%d", acme.WorkspaceID, initech.ID), fmt.Sprintf("/app/w/%d/sites/%d", initech.WorkspaceID, initech.ID)} {
		if resp := w.do("GET", path, nil, ana); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	if percent(1, 3) != "33%" || percent(0, 0) != "–" || percent(2, 3) != "67%" {
		t.Error("percent")
	}
}

// TestLoopbackSnippetWarning: without a public URL, the sites page and a
// site's settings warn when the snippet names a loopback address; with a
// public URL, or on an address visitors can reach, they do not.
func TestLoopbackSnippetWarning(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	site := w.site("Acme", "acme")
	olga := w.signIn("olga@example.com")
	const warning = "Visitors' browsers cannot reach this address."
	pages := []string{
		fmt.Sprintf("/app/w/%d/sites", site.WorkspaceID),
		fmt.Sprintf("/app/w/%d/sites/%d/settings", site.WorkspaceID, site.ID),
	}
	for _, tc := range []struct {
		publicURL, host string
		warn            bool
	}{
		{"", "localhost:8080", true},
		{"", "127.0.0.1:8080", true},
		{"", "127.1.2.3", true},
		{"", "[::1]:8080", true},
		{"", "app.localhost:8080", true},
		{"", "foyer.example.com", false},
		{"", "192.168.1.20:8080", false},
		{"https://foyer.example.com", "localhost:8080", false},
	} {
		w.srv.cfg.PublicURL = tc.publicURL
		for _, p := range pages {
			resp := w.do("GET", p, nil, olga, "Sec-Fetch-Site", "same-origin", "Host", tc.host)
			b := body(resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(b, `data-site=&#34;acme&#34;`) {
				t.Fatalf("%s on %s: %d\n%s", p, tc.host, resp.StatusCode, b)
			}
			if got := strings.Contains(b, warning); got != tc.warn {
				t.Errorf("%s on %s, public URL %q: warning shown %v, want %v", p, tc.host, tc.publicURL, got, tc.warn)
			}
		}
	}
}

// TestAddSitePastedURL: the add-site form takes a pasted URL or a
// host:port for a hostname, and says what is wrong in plain words,
// without the new site's key.
func TestAddSitePastedURL(t *testing.T) {
	w := newWebTest(t)
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	acme := w.site("Acme", "acme-web")
	sites := fmt.Sprintf("/app/w/%d/sites", acme.WorkspaceID)
	ada := w.signIn("ada@example.com")

	add := url.Values{"name": {"Shop"}, "hostnames": {"https://www.example.com/\r\nshop.example.com:8443\r\nhttp://WWW.Example.com/pricing?x=1"}}
	if resp := w.do("POST", sites, add, ada, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a site by its URL: %d\n%s", resp.StatusCode, body(resp))
	}
	list, _ := w.st.Sites(context.Background(), acme.WorkspaceID)
	var added *foyer.Site
	for _, s := range list {
		if s.Name == "Shop" {
			added = s
		}
	}
	if added == nil || strings.Join(added.Hostnames, ",") != "www.example.com,shop.example.com" {
		t.Fatalf("added %+v", added)
	}

	for _, bad := range []struct{ hostnames, msg string }{
		{"https://www_example.com/", "&#34;www_example.com&#34; is not a hostname: write one as www.example.com, or *.example.com for every subdomain of example.com."},
		{" \r\n ", "Give at least one hostname the site&#39;s pages are on, such as www.example.com."},
		{"2001:db8::1", "&#34;2001:db8::1&#34;: write an IPv6 address in brackets, as in [2001:db8::1]."},
	} {
		resp := w.do("POST", sites, url.Values{"name": {"Bad"}, "hostnames": {bad.hostnames}}, ada, same...)
		b := body(resp)
		_, msg, _ := strings.Cut(b, `<p class="error" role="alert">`)
		msg, _, _ = strings.Cut(msg, "</p>")
		if resp.StatusCode != http.StatusBadRequest || msg != bad.msg {
			t.Errorf("hostnames %q: %d, %q, want %q", bad.hostnames, resp.StatusCode, msg, bad.msg)
		}
	}
	if list, _ := w.st.Sites(context.Background(), acme.WorkspaceID); len(list) != 2 {
		t.Errorf("%d sites, want 2", len(list))
	}
}

// TestRequestURL: links made from the request are plain http only on this
// machine (localhost, 127/8, ::1), and https for any other host, one that
// merely begins with "localhost" too.
func TestRequestURL(t *testing.T) {
	for host, want := range map[string]string{
		"localhost:8080":             "http://localhost:8080",
		"127.0.0.1:8080":             "http://127.0.0.1:8080",
		"127.5.5.5":                  "http://127.5.5.5",
		"[::1]:8080":                 "http://[::1]:8080",
		"app.localhost":              "http://app.localhost",
		"localhost.evil.example":     "https://localhost.evil.example",
		"127.0.0.1.evil.example:443": "https://127.0.0.1.evil.example:443",
		"foyer.example.com":          "https://foyer.example.com",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		if got := requestURL(r); got != want {
			t.Errorf("requestURL on %s = %s, want %s", host, got, want)
		}
	}
}
