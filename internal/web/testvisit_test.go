package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestEmptyStatesAndTestVisit walks a workspace from no site to its first
// visit: the feed and the sites page say to add a site; a site without
// visits shows its snippet and, to admins, the test-visit button; the
// test visit goes over HTTP to the real collector, is accepted and ends
// the empty states.
func TestEmptyStatesAndTestVisit(t *testing.T) {
	w := newWebTest(t)
	w.withCollector()
	ts := httptest.NewServer(w.srv)
	t.Cleanup(ts.Close)
	w.srv.cfg.PublicURL = ts.URL
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
	w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	ada, vic := w.signIn("ada@example.com"), w.signIn("vic@example.com")
	ws := w.workspace("Acme")
	feed, sites := fmt.Sprintf("/app/w/%d", ws), fmt.Sprintf("/app/w/%d/sites", ws)
	same := []string{"Sec-Fetch-Site", "same-origin"}

	has := func(what, page, cookie string, wants ...string) {
		t.Helper()
		b := body(w.do("GET", page, nil, cookie))
		for _, want := range wants {
			if neg, ok := strings.CutPrefix(want, "!"); ok {
				if strings.Contains(b, neg) {
					t.Errorf("%s shows %q:\n%s", what, neg, b)
				}
			} else if !strings.Contains(b, want) {
				t.Errorf("%s lacks %q:\n%s", what, want, b)
			}
		}
	}
	has("the feed without a site", feed, ada, "No site yet", `href="`+sites+`">Add your website</a>`)
	has("the feed without a site, to a viewer", feed, vic, "No site yet", "An admin or owner", "!Add your website")
	has("the sites page without a site", sites, ada, "No site yet.", "Add your website below", `action="`+sites+`"`, `name="hostnames"`)
	has("the sites page without a site, to a viewer", sites, vic, "No site yet.", "An admin or owner of this workspace can add one", "!Add a site")

	acme := w.site("Acme", "acme")
	overview := fmt.Sprintf("%s/%d", sites, acme.ID)
	send := overview + "/test-visit"
	snippet := `data-site=&#34;acme&#34;`
	has("the feed without a visit", feed, ada, "No visit has arrived yet", snippet, `action="`+send+`"`, `name="from" value="feed"`)
	has("the feed without a visit, to a viewer", feed, vic, "No visit has arrived yet", snippet, "!"+send)
	has("the site without a visit", overview, ada, "No visit has arrived yet", snippet, `action="`+send+`"`, "Send a test visit")
	has("the site without a visit, to a viewer", overview, vic, "No visit has arrived yet", snippet, "!"+send, "An admin of this workspace")

	resp := w.do("POST", send, url.Values{}, ada, same...)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != overview+"?done=test-visit" {
		t.Fatalf("test visit: %d to %q", resp.StatusCode, loc)
	}
	events := func(site *foyer.Site) int {
		n := 0
		w.st.Events(context.Background(), ws, site.ID, w.clock.Now().Add(-1e12), func(e *foyer.StoredEvent) error {
			if e.Host == "www.example.com" && e.Path == "/" && e.Title == "Foyer test visit" {
				n++
			}
			return nil
		})
		return n
	}
	if n := events(acme); n != 1 {
		t.Fatalf("%d test visits stored, want 1", n)
	}
	has("the site after its test visit", overview+"?done=test-visit", ada, template.HTMLEscapeString(notices["test-visit"]), "!No visit has arrived yet", "!Send a test visit")
	// The feed has nothing to list (the visit is anonymous) but has had a visit.
	has("the feed after a test visit", feed, ada, "No company has visited in this period yet", "!No visit has arrived yet")

	// From the feed, with a wildcard hostname: back to the feed.
	shop := &foyer.Site{WorkspaceID: ws, Key: "shop", Name: "Shop", Hostnames: []string{"*.example.org"}, HonorGPC: true}
	if err := w.st.CreateSite(context.Background(), shop); err != nil {
		t.Fatal(err)
	}
	resp = w.do("POST", fmt.Sprintf("%s/%d/test-visit", sites, shop.ID), url.Values{"from": {"feed"}}, ada, same...)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != feed+"?done=test-visit" {
		t.Fatalf("test visit from the feed: %d to %q", resp.StatusCode, loc)
	}
	has("the feed after a test visit from it", feed+"?done=test-visit", ada, template.HTMLEscapeString(notices["test-visit"]))
}

// TestTestVisitRefused: what the page says when the collector does not
// accept the test visit, each time by a real server: a collector that
// does not know the site, a server that is no collector, an address where nothing listens, and no
// address at all. Each goes back to the site's page with the problem.
func TestTestVisitRefused(t *testing.T) {
	w := newWebTest(t)
	w.withCollector()
	w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ada := w.signIn("ada@example.com")
	acme := w.site("Acme", "acme")
	overview := fmt.Sprintf("/app/w/%d/sites/%d", acme.WorkspaceID, acme.ID)

	// A collector on another database, which has no site "acme".
	other := testutil.NewStore(t, store.SQLite, store.Options{})
	wr := collect.NewWriter(other, collect.WriterConfig{Log: slog.New(slog.DiscardHandler)})
	wr.Start()
	t.Cleanup(func() { wr.Stop(context.Background()) })
	stranger := httptest.NewServer(collect.NewHandler(collect.Config{Sites: other, Writer: wr, Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(stranger.Close)
	notCollector := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notCollector.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	for _, c := range []struct {
		name, publicURL, want string
	}{
		{"unknown site", stranger.URL, "test-unknown-site"},
		{"not the collector", notCollector.URL, "test-not-collector"},
		{"nothing listens", closed.URL, "test-unreachable"},
		{"no address", "", "test-unreachable"}, // no public URL, and the test request has no socket
	} {
		w.srv.cfg.PublicURL = c.publicURL
		resp := w.do("POST", overview+"/test-visit", url.Values{}, ada, "Sec-Fetch-Site", "same-origin")
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || loc != overview+"?problem="+c.want {
			t.Errorf("%s: %d to %q, want the problem %s", c.name, resp.StatusCode, loc, c.want)
			continue
		}
		b := body(w.do("GET", loc, nil, ada))
		if !strings.Contains(b, `<p class="error" role="alert">`) || !strings.Contains(b, template.HTMLEscapeString(problems[c.want])) {
			t.Errorf("%s: the site's page does not show the problem:\n%s", c.name, b)
		}
		if !strings.Contains(b, "No visit has arrived yet") {
			t.Errorf("%s: a refused test visit was stored", c.name)
		}
	}
}
