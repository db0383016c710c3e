package collect

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/prometheus/client_golang/prometheus"
)

// Tests of the site settings the collector honours: consent mode, excluded
// paths, GPC, and how soon it sees a change.

// update changes the settings of site acme in storage.
func (c *collector) update(t *testing.T, edit func(*foyer.Site)) {
	t.Helper()
	site, err := c.store.SiteByID(context.Background(), c.ws.ID, c.site.ID)
	if err != nil {
		t.Fatal(err)
	}
	edit(site)
	if err := c.store.UpdateSite(context.Background(), site); err != nil {
		t.Fatal(err)
	}
}

func (c *collector) handler() *Handler { return c.srv.Config.Handler.(*Handler) }

// rejected returns a function that reads foyer_events_rejected_total for
// the reason from reg.
func rejected(t *testing.T, reg *prometheus.Registry, reason string) func() float64 {
	return func() float64 {
		t.Helper()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if mf.GetName() == "foyer_events_rejected_total" && l.GetName() == "reason" && l.GetValue() == reason {
						return m.GetCounter().GetValue()
					}
				}
			}
		}
		t.Fatalf("no foyer_events_rejected_total{reason=%q}", reason)
		return 0
	}
}

// paths returns the paths of site acme's stored events, oldest first.
func (c *collector) paths(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, e := range c.events(t) {
		out = append(out, e.Type+" "+e.Path)
	}
	return out
}

// acmeBatch is a batch for site acme; consent is "" (no flag) or the JSON
// value of the "consent" field.
func acmeBatch(consent string, events ...string) string {
	flag := ""
	if consent != "" {
		flag = `"consent":` + consent + `,`
	}
	return `{"site":"acme","visitor":"` + goodVisitor + `",` + flag + `"events":[` + strings.Join(events, ",") + `]}`
}

func pageview(path string) string {
	return `{"type":"pageview","url":"https://www.example.com` + path + `"}`
}

func TestHandlerConsentRequired(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	c := newCollector(t, Config{Metrics: NewMetrics(reg)})
	c.update(t, func(s *foyer.Site) { s.Consent = foyer.ConsentRequired })
	refused := rejected(t, reg, "consent")

	for _, consent := range []string{"", "false", "null"} {
		a := c.post(t, acmeBatch(consent, pageview("/refused/"+consent)))
		wantError(t, a, http.StatusForbidden, "forbidden", `site "acme" requires the visitor's consent: send "consent": true`)
	}
	wantError(t, c.post(t, acmeBatch(`1`, pageview("/refused/1"))), http.StatusBadRequest, "invalid", `field "consent": want true or false`)
	if n := refused(); n != 3 {
		t.Errorf("rejected{reason=consent} = %v, want 3", n)
	}
	if got := c.paths(t); len(got) != 0 {
		t.Fatalf("refused batches stored %q", got)
	}

	a := c.post(t, acmeBatch("true", pageview("/given"), `{"type":"engagement","url":"https://www.example.com/given","engaged_ms":900}`))
	if a.status != http.StatusAccepted || string(a.body) != "{\"accepted\":2}\n" {
		t.Fatalf("with consent: %d %s, want 202 {\"accepted\":2}", a.status, a.body)
	}
	if got, want := c.paths(t), []string{"pageview /given", "engagement /given"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stored %q, want %q", got, want)
	}

	// A site that does not require consent stores batches with and without the flag.
	other := strings.ReplaceAll(strings.Replace(acmeBatch("", pageview("/x")), `"acme"`, `"nogpc"`, 1), "www.example.com", "example.org")
	for _, body := range []string{other, strings.Replace(other, `"events"`, `"consent":true,"events"`, 1)} {
		if a := c.post(t, body); a.status != http.StatusAccepted {
			t.Errorf("consent not required: %d %s, want 202", a.status, a.body)
		}
	}
}

func TestHandlerExcludedPaths(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	res := &countingResolver{}
	c := newCollector(t, Config{Metrics: NewMetrics(reg), Resolver: res})
	c.update(t, func(s *foyer.Site) {
		s.ExcludedPaths = []string{"/admin/", "/account/*/billing", "/search"}
		s.KeepParams = []string{"next"}
	})
	excluded := rejected(t, reg, "excluded")

	// Every event excluded: 204, as for the other deliberate drops, since
	// nothing was stored and nothing is wrong with the request.
	a := c.post(t, acmeBatch("",
		pageview("/admin"),
		`{"type":"engagement","url":"https://www.example.com/admin/users/7","engaged_ms":1200}`,
		`{"type":"outbound","url":"https://www.example.com/account/42/billing?tab=invoices","target":"https://pay.example/"}`,
		pageview("/account/jane@acme.com/billing/"), // sanitised to /account/:email/billing/ first
		pageview("/search?q=admin&page=2"),          // matched without its query string
	))
	if a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Errorf("all excluded: %d %q, want 204 and no body", a.status, a.body)
	}
	if got := c.paths(t); len(got) != 0 {
		t.Fatalf("excluded events stored: %q", got)
	}
	if n := excluded(); n != 5 {
		t.Errorf("rejected{reason=excluded} = %v, want 5", n)
	}
	if n := res.calls.Load(); n != 0 {
		t.Errorf("a batch of excluded pages looked its address up %d times, want none", n)
	}

	// Some excluded: the rest is stored and counted.
	a = c.post(t, acmeBatch("",
		pageview("/pricing"), pageview("/admin/settings"), pageview("/administrator"),
		pageview("/account/42/billing/history"), pageview("/Admin/"), pageview("/pricing?next=/admin/"),
	))
	if a.status != http.StatusAccepted || string(a.body) != "{\"accepted\":5}\n" {
		t.Errorf("mixed batch: %d %s, want 202 {\"accepted\":5}", a.status, a.body)
	}
	want := []string{"pageview /pricing", "pageview /administrator", "pageview /account/42/billing/history",
		"pageview /Admin/", "pageview /pricing?next=/admin/"}
	if got := c.paths(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stored\n %q\nwant\n %q", got, want)
	}
	if n := res.calls.Load(); n != 1 {
		t.Errorf("a mixed batch looked its address up %d times, want once", n)
	}
	if n := excluded(); n != 6 {
		t.Errorf("rejected{reason=excluded} = %v, want 6", n)
	}
	// An excluded page does not let a bad event through: the batch is still checked whole.
	wantError(t, c.post(t, acmeBatch("", pageview("/admin/"), `{"type":"engagement","url":"https://www.example.com/admin/","engaged_ms":0}`)),
		http.StatusBadRequest, "invalid", "event 1:")
}

func TestHandlerSettingsChange(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	c := newCollector(t, Config{Now: clock.Now})
	gpc := map[string]string{"Sec-GPC": "1"}
	post := func(path string, hdr map[string]string) int {
		return c.do(t, "POST", acmeBatch("", pageview(path)), hdr).status
	}
	if s := post("/gpc/honoured", gpc); s != http.StatusNoContent {
		t.Fatalf("GPC on an honouring site: %d, want 204", s)
	}

	// Turned off in storage and forgotten, as the settings page does: at once.
	c.update(t, func(s *foyer.Site) { s.HonorGPC = false })
	c.handler().ForgetSite("acme")
	if s := post("/gpc/ignored", gpc); s != http.StatusAccepted {
		t.Errorf("GPC after the site stopped honouring it: %d, want 202", s)
	}
	c.update(t, func(s *foyer.Site) { s.HonorGPC = true })
	c.handler().ForgetSite("acme")
	if s := post("/gpc/honoured-again", map[string]string{"DNT": "1"}); s != http.StatusNoContent {
		t.Errorf("DNT after the site honours it again: %d, want 204", s)
	}

	// Changed without a Forget (another process): the cached settings hold
	// for at most siteTTL.
	c.update(t, func(s *foyer.Site) { s.Consent = foyer.ConsentRequired })
	if s := post("/cached", nil); s != http.StatusAccepted {
		t.Errorf("within the cache's life: %d, want 202 (the old setting)", s)
	}
	clock.Add(siteTTL + time.Millisecond)
	if s := post("/after-ttl", nil); s != http.StatusForbidden {
		t.Errorf("after the cache's life: %d, want 403 (consent required)", s)
	}
	c.update(t, func(s *foyer.Site) { s.Consent = foyer.ConsentNone; s.ExcludedPaths = []string{"/private/"} })
	c.handler().ForgetSite("acme")
	if s := post("/private/x", nil); s != http.StatusNoContent {
		t.Errorf("an excluded path right after the change: %d, want 204", s)
	}
	if s := post("/public", nil); s != http.StatusAccepted {
		t.Errorf("consent no longer required: %d, want 202", s)
	}
	want := []string{"pageview /gpc/ignored", "pageview /cached", "pageview /public"}
	if got := c.paths(t); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("stored %q, want %q", got, want)
	}
}

// TestSiteCacheForgetRace: a look-up that read storage before a Forget
// must not cache what it read.
func TestSiteCacheForgetRace(t *testing.T) {
	t.Parallel()
	st := &slowSites{read: make(chan struct{}), release: make(chan struct{}), site: &foyer.Site{Key: "acme", HonorGPC: true}}
	c := newSiteCache(st, time.Hour, 0, time.Now)
	done := make(chan *foyer.Site)
	go func() {
		s, _ := c.Get(context.Background(), "acme")
		done <- s
	}()
	<-st.read // the look-up has read the old settings…
	c.Forget("acme")
	close(st.release) // …and returns after the Forget
	if s := <-done; !s.HonorGPC {
		t.Fatal("the first look-up got the wrong site")
	}
	st.site = &foyer.Site{Key: "acme", HonorGPC: false}
	if s, _ := c.Get(context.Background(), "acme"); s.HonorGPC {
		t.Error("the cache kept what a look-up read before a Forget")
	}
}

// slowSites answers SiteByKey with site, signalling read and waiting for
// release the first time.
type slowSites struct {
	foyer.SiteService
	read, release chan struct{}
	site          *foyer.Site
	calls         int
}

func (s *slowSites) SiteByKey(ctx context.Context, key string) (*foyer.Site, error) {
	s.calls++
	if s.calls == 1 {
		close(s.read)
		<-s.release
	}
	return s.site, nil
}

// countingResolver counts the lookups and knows no address.
type countingResolver struct{ calls atomic.Int64 }

func (r *countingResolver) Resolve(netip.Addr) foyer.Origin {
	r.calls.Add(1)
	return foyer.Origin{}
}

// TestHandlerDeletedSite: a deleted site's events are refused as those of
// an unknown site at once when the deleting process forgets it, as the
// web app does; a collector that still holds it cached (another process)
// gets an answer but the events are stored nowhere, and refuses them
// once its cache expires. The other site goes on.
func TestHandlerDeletedSite(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	c := newCollector(t, Config{Now: clock.Now})
	other := func() int {
		return c.post(t, `{"site":"nogpc","visitor":"`+goodVisitor+`","events":[{"type":"pageview","url":"https://example.org/"}]}`).status
	}
	if s := c.post(t, acmeBatch("", pageview("/before"))).status; s != http.StatusAccepted {
		t.Fatalf("before the delete: %d", s)
	}
	ctx := context.Background()
	var stored int
	countEvents := func() int {
		t.Helper()
		if err := c.store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE session_id <> 0`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		return stored
	}
	if err := c.store.DeleteSite(ctx, c.ws.ID, c.site.ID); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(); n != 0 {
		t.Fatalf("%d events left after the delete", n)
	}
	// Still cached: answered, stored nowhere.
	if s := c.post(t, acmeBatch("", pageview("/cached"))).status; s != http.StatusAccepted {
		t.Errorf("within the cache's life: %d, want 202", s)
	}
	if n := countEvents(); n != 0 {
		t.Errorf("%d events stored for the deleted site", n)
	}
	clock.Add(siteTTL + time.Millisecond)
	wantError(t, c.post(t, acmeBatch("", pageview("/after-ttl"))), http.StatusNotFound, "not_found", `unknown site key "acme"`)
	if s := other(); s != http.StatusAccepted {
		t.Errorf("the other site: %d, want 202", s)
	}
	if n := countEvents(); n != 1 {
		t.Errorf("%d events stored, want the other site's 1", n)
	}

	// Forgotten at once, as the web app does after deleting.
	if err := c.store.DeleteSite(ctx, c.ws.ID, c.ws.ID+1000); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("deleting a site that is not there: %v", err)
	}
	site, err := c.store.SiteByKey(ctx, "nogpc")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.store.DeleteSite(ctx, c.ws.ID, site.ID); err != nil {
		t.Fatal(err)
	}
	c.handler().ForgetSite("nogpc")
	if s := other(); s != http.StatusNotFound {
		t.Errorf("a forgotten deleted site: %d, want 404", s)
	}
}
