package browser_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
)

// TestTrackerInBrowser plays one visit: a visitor follows a link from a
// partner's page to a landing page with a campaign and an e-mail address in
// its URL, reads for a while, moves on inside the single-page app, clicks a
// link to the partner and leaves. Every event must arrive, stripped of
// identifiers, under the visitor ID of the browser's _foyer_id cookie.
func TestTrackerInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "web")
	w := startWeb(t, f.URL, map[string]pageSpec{
		"landing": {Title: "Landing", Site: "web", Next: "/app/step2?utm_source=x"},
		"app":     {Title: "App", Site: "web", Next: "/app/step3"},
	})
	ctx := newBrowser(t)
	pageErrors := watchErrors(t, ctx)
	onNewDocument(t, ctx, recordCookieWrites)

	// The partner's page links to the landing page, so that the landing page
	// has an external document.referrer; its query string carries a secret.
	do(t, ctx, "open the partner's page", chromedp.Navigate(w.Partner+"/ref?q=news&token=secret"))
	arrived := time.Now()
	clickAndLoad(t, ctx, "#go")
	if got, want := eval[string](t, ctx, "location.href"), w.Landing; got != want {
		t.Fatalf("landed on %s, want %s", got, want)
	}
	waitTracker(t, ctx)
	if ref := eval[string](t, ctx, "document.referrer"); ref != w.Partner+"/ref?q=news&token=secret" {
		t.Fatalf("document.referrer = %q: the partner page's referrer policy did not apply", ref)
	}
	screenshot(t, ctx, "landing")

	// The landing page view arrives while the visitor is still on the page.
	f.waitEvents(t, ctx, site, "the landing page view", func(evs []*foyer.StoredEvent) bool {
		return find(evs, "pageview", "/landing") != nil
	})

	// Reading: engaged time accumulates on the landing page.
	const reading = 2 * time.Second
	beActive(t, ctx, reading)
	do(t, ctx, "click the pushState button", chromedp.Click(chromedp.CSS("#next")))
	left := time.Now()
	if got := eval[string](t, ctx, "location.pathname + location.search"); got != "/app/step2?utm_source=x" {
		t.Fatalf("after pushState the page is at %s", got)
	}
	beActive(t, ctx, 600*time.Millisecond)
	writes := eval[[]string](t, ctx, "window.__cookieWrites")

	// The outbound link leaves the page: an outbound event, then the
	// engagement of /app/step2 when the page is hidden.
	clickAndLoad(t, ctx, "#out")
	if got := eval[string](t, ctx, "location.href"); got != w.Partner+"/out?token=abc" {
		t.Fatalf("the outbound link led to %s", got)
	}

	evs := f.waitEvents(t, ctx, site, "the landing page's engagement, the SPA page view, the outbound click and the engagement sent on pagehide",
		func(evs []*foyer.StoredEvent) bool {
			return find(evs, "engagement", "/landing") != nil && find(evs, "pageview", "/app/step2") != nil &&
				find(evs, "outbound", "/app/step2") != nil && find(evs, "engagement", "/app/step2") != nil
		})
	t.Logf("stored events:\n%s", dumpEvents(evs))

	landing := find(evs, "pageview", "/landing")
	t.Run("landing page view", func(t *testing.T) {
		check(t, "host", landing.Host, "localhost")
		check(t, "path (no e-mail, no fragment, UTM moved to the visit)", landing.Path, "/landing")
		check(t, "title", landing.Title, "Landing")
		check(t, "utm_source", landing.UTMSource, "newsletter")
		check(t, "utm_medium", landing.UTMMedium, "email")
		check(t, "referrer (scheme, host and path only)", landing.Referrer, w.Partner+"/ref")
	})
	t.Run("engagement on the landing page", func(t *testing.T) {
		e := find(evs, "engagement", "/landing")
		check(t, "visit", e.VisitID, landing.VisitID)
		// The tracker counts from its start to the pushState: at least the
		// reading, at most the whole stay.
		if stay := left.Sub(arrived); e.EngagedMS < reading.Milliseconds()-100 || e.EngagedMS > stay.Milliseconds()+100 {
			t.Errorf("engaged_ms = %d, want between %d (the reading) and %d (the stay)",
				e.EngagedMS, reading.Milliseconds(), stay.Milliseconds())
		}
	})
	t.Run("SPA page view", func(t *testing.T) {
		e := find(evs, "pageview", "/app/step2")
		check(t, "title", e.Title, "Step 2")
		check(t, "utm_source", e.UTMSource, "x")
		check(t, "referrer (own site: none)", e.Referrer, "")
	})
	t.Run("outbound click", func(t *testing.T) {
		e := find(evs, "outbound", "/app/step2")
		check(t, "target (token stripped)", e.Target, w.Partner+"/out")
	})
	t.Run("engagement sent on pagehide", func(t *testing.T) {
		if e := find(evs, "engagement", "/app/step2"); e.EngagedMS <= 0 {
			t.Errorf("engaged_ms = %d, want > 0", e.EngagedMS)
		}
	})
	t.Run("nothing else", func(t *testing.T) {
		got := map[string]int{}
		for _, e := range evs {
			got[e.Type+" "+e.Path]++
		}
		// Leaving a page fires pagehide and then visibilitychange (hidden):
		// only the first may send an engagement event.
		want := map[string]int{"pageview /landing": 1, "engagement /landing": 1, "pageview /app/step2": 1,
			"outbound /app/step2": 1, "engagement /app/step2": 1}
		if !maps.Equal(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})

	jar := cookies(t, ctx, w.Site+"/")
	id := jar["_foyer_id"]
	t.Run("visitor cookie", func(t *testing.T) {
		if id == nil {
			t.Fatalf("no _foyer_id cookie; cookies of %s: %v", w.Site, names(jar))
		}
		if !regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`).MatchString(id.Value) {
			t.Errorf("_foyer_id = %q, want 22 characters of [A-Za-z0-9_-]", id.Value)
		}
		for _, e := range evs {
			if e.VisitorUID != id.Value {
				t.Errorf("%s %s stored under visitor %q, want the cookie's %q", e.Type, e.Path, e.VisitorUID, id.Value)
			}
		}
		check(t, "path", id.Path, "/")
		check(t, "SameSite", string(id.SameSite), "Lax")
		check(t, "HttpOnly", id.HTTPOnly, false)
		check(t, "Secure (http page)", id.Secure, false)
		checkLifetime(t, id, browserLifetime(twoYears))
		for _, n := range []string{"_foyer_t", "_foyer_consent"} {
			if c := jar[n]; c != nil {
				t.Errorf("cookie %s=%s remains", n, c.Value)
			}
		}
		// The tracker asks for two years; Chromium keeps 400 days.
		want := []string{
			"_foyer_t=1; path=/; max-age=60; SameSite=Lax",
			"_foyer_t=; path=/; max-age=0; SameSite=Lax",
			"_foyer_id=" + id.Value + "; path=/; max-age=63072000; SameSite=Lax",
		}
		if !slices.Equal(writes, want) {
			t.Errorf("the page wrote the cookies\n  %s\nwant\n  %s", strings.Join(writes, "\n  "), strings.Join(want, "\n  "))
		}
	})

	t.Run("on the wire", func(t *testing.T) {
		for _, r := range f.answered(t, "", 4) {
			if r.Method != "POST" || r.Status != 202 {
				t.Errorf("%s /collect answered %d, want POST answered 202: %s", r.Method, r.Status, r.Body)
			}
			check(t, "Content-Type (sendBeacon)", r.ContentType, "text/plain;charset=UTF-8")
			check(t, "User-Agent", r.UA, desktopUA)
			if id != nil {
				check(t, "visitor", r.Payload.Visitor, id.Value)
			}
			// The tracker strips identifiers before sending: the e-mail
			// address, the fragment and the tokens never leave the browser.
			for _, leak := range []string{"jane", "example.com", "%40", "#", "token", "secret"} {
				if strings.Contains(r.Body, leak) {
					t.Errorf("the tracker sent %q: %s", leak, r.Body)
				}
			}
		}
	})

	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}
