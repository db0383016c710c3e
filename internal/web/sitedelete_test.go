package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/store"
)

// withCollector gives w a server whose /collect is a real collector on
// w's store, as foyer serve wires it.
func (w *webTest) withCollector() {
	w.t.Helper()
	wr := collect.NewWriter(w.st, collect.WriterConfig{Log: slog.New(slog.DiscardHandler)})
	wr.Start()
	w.t.Cleanup(func() { wr.Stop(context.Background()) })
	col := collect.NewHandler(collect.Config{Sites: w.st, Writer: wr, Log: slog.New(slog.DiscardHandler)})
	w.srv = NewServer(Config{Store: w.st, Collect: col, Log: slog.New(slog.DiscardHandler),
		SignInLimit: clientip.NewLimiter(0, 0, nil), Now: w.clock.Now})
	w.t.Cleanup(w.srv.Close)
}

// collectTo sends one page view of the site with the key to w's
// collector, as the tracker does, and returns the status.
func (w *webTest) collectTo(key string) int {
	w.t.Helper()
	r := httptest.NewRequest("POST", "/collect", strings.NewReader(
		`{"site":"`+key+`","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"pageview","url":"https://www.example.com/"}]}`))
	r.Header.Set("User-Agent", testVisitUA)
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, r)
	return rec.Code
}

// TestDeleteSiteWeb deletes a site from its settings page, on both
// dialects: a wrong name deletes nothing and keeps what was typed; the
// right one deletes the site, the sites page confirms it, the feed no
// longer counts it, and the collector refuses its events from then on.
func TestDeleteSiteWeb(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			w := newWebTestOn(t, d)
			w.withCollector()
			w.user("ada@example.com", "correct horse battery", "Acme", foyer.RoleAdmin)
			keep, doomed := w.site("Acme", "keep"), w.site("Acme", "doomed")
			ctx := context.Background()
			ws := keep.WorkspaceID
			at := time.Now().Add(-3 * time.Hour)
			globex := foyer.Org{Name: "Globex GmbH", Type: foyer.OrgBusiness}
			// Globex: one page on keep, then two on doomed later; Hooli: doomed only.
			w.visit(keep, 1, globex, at, "", "/pricing")
			w.visit(doomed, 2, globex, at.Add(time.Hour), "", "/a", "/b")
			w.visit(doomed, 3, foyer.Org{Name: "Hooli Inc", Type: foyer.OrgBusiness}, at.Add(2*time.Hour), "", "/a")
			if _, err := w.st.RollupAll(ctx); err != nil {
				t.Fatal(err)
			}
			if got := w.collectTo("doomed"); got != http.StatusAccepted {
				t.Fatalf("the collector before the delete: %d", got)
			}
			ada := w.signIn("ada@example.com")
			feed := fmt.Sprintf("/app/w/%d", ws)
			if got := companiesListed(body(w.do("GET", feed, nil, ada))); strings.Join(got, ",") != "Hooli Inc,Globex GmbH" {
				t.Fatalf("feed before: %v", got)
			}

			settings := fmt.Sprintf("/app/w/%d/sites/%d/settings", ws, doomed.ID)
			if b := body(w.do("GET", settings, nil, ada)); !strings.Contains(b, "Danger zone") || !strings.Contains(b, `action="`+fmt.Sprintf("/app/w/%d/sites/%d/delete#danger", ws, doomed.ID)+`"`) {
				t.Fatalf("no danger zone on the settings page:\n%s", b)
			}
			del := settings[:len(settings)-len("settings")] + "delete"
			for _, typed := range []string{"", "Doomed", "keep", "doome"} {
				resp := w.do("POST", del, url.Values{"confirm": {typed}}, ada, "Sec-Fetch-Site", "same-origin")
				b := body(resp)
				if resp.StatusCode != http.StatusBadRequest || !strings.Contains(b, "Nothing was deleted") ||
					!strings.Contains(b, `name="confirm" value="`+typed+`"`) {
					t.Errorf("confirmed with %q: %d\n%s", typed, resp.StatusCode, b)
				}
			}
			if _, err := w.st.SiteByID(ctx, ws, doomed.ID); err != nil {
				t.Fatalf("a refused delete deleted: %v", err)
			}

			resp := w.do("POST", del, url.Values{"confirm": {" doomed "}}, ada, "Sec-Fetch-Site", "same-origin")
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/app/w/%d/sites?done=site-deleted", ws) {
				t.Fatalf("delete: %d to %q\n%s", resp.StatusCode, loc, body(resp))
			}
			if b := body(w.do("GET", loc, nil, ada)); !strings.Contains(b, notices["site-deleted"]) || strings.Contains(b, "key doomed") {
				t.Errorf("the sites page after the delete:\n%s", b)
			}
			_, err := w.st.SiteByID(ctx, ws, doomed.ID)
			if foyer.ErrorCode(err) != foyer.ENOTFOUND {
				t.Fatalf("the site is still there: %v", err)
			}
			if got := w.do("GET", settings, nil, ada).StatusCode; got != http.StatusNotFound {
				t.Errorf("the deleted site's settings: %d", got)
			}
			if got := w.collectTo("doomed"); got != http.StatusNotFound {
				t.Errorf("the collector after the delete: %d, want 404 (unknown site)", got)
			}
			if got := w.collectTo("keep"); got != http.StatusAccepted {
				t.Errorf("the collector refuses the other site: %d", got)
			}
			// Hooli is gone; Globex keeps keep's one visit of one page, and its last visit there.
			b := body(w.do("GET", feed, nil, ada))
			if got := companiesListed(b); strings.Join(got, ",") != "Globex GmbH" {
				t.Errorf("feed after: %v", got)
			}
			row := regexp.MustCompile(`(?s)<strong>Globex GmbH</strong>.*?<td class="num" data-label="Visits">(\d+)</td>\s*<td class="num" data-label="Pages">(\d+)</td>.*?<time datetime="([^"]+)"`).FindStringSubmatch(b)
			if row == nil || row[1] != "1" || row[2] != "1" || row[3] != at.UTC().Format(time.RFC3339) && row[3] != at.Format(time.RFC3339) {
				t.Errorf("Globex after the delete: %q, want 1 visit, 1 page, last at %s", row, at.Format(time.RFC3339))
			}
		})
	}
}
