package browser_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
)

// TestConsentInBrowser: with data-consent="required" the tracker sends and
// keeps nothing, whatever the visitor does, until foyer.consent(true); the
// consent is remembered across page loads; foyer.consent(false) removes the
// visitor ID, keeps only the refusal marker _foyer_consent=0 and stops
// tracking, on this page and the next.
func TestConsentInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "consent")
	w := startWeb(t, f.URL, map[string]pageSpec{
		"consent": {Title: "Consent", Site: "consent", Consent: "required", Next: "/consent/step2"},
	})
	ctx := newBrowser(t)
	pageErrors := watchErrors(t, ctx)
	sent := watchRequests(t, ctx, f.URL+"/collect")

	do(t, ctx, "open the page", chromedp.Navigate(w.Site+"/consent/start?utm_source=ad"))
	waitTracker(t, ctx)
	screenshot(t, ctx, "consent")
	beActive(t, ctx, 800*time.Millisecond)
	do(t, ctx, "click the pushState button", chromedp.Click(chromedp.CSS("#next")))
	beActive(t, ctx, 300*time.Millisecond)
	do(t, ctx, "reload (pagehide)", chromedp.Reload())
	waitTracker(t, ctx)
	beActive(t, ctx, 300*time.Millisecond)

	t.Run("nothing before consent", func(t *testing.T) {
		f.expectQuiet(t, ctx, site, 0, "before consent")
		if urls := sent(); len(urls) > 0 {
			t.Errorf("the browser sent %d requests to /collect", len(urls))
		}
		if evs := f.events(t, ctx, site); len(evs) > 0 {
			t.Errorf("stored events before consent:\n%s", dumpEvents(evs))
		}
		checkNoFoyerCookies(t, ctx, w.Site)
		if st := foyerState(t, ctx); len(st) > 0 {
			t.Errorf("the page keeps %q", st)
		}
	})

	do(t, ctx, "give consent", chromedp.Evaluate[chromedp.Void]("foyer.consent(true)"))
	evs := f.waitEvents(t, ctx, site, "the page view after consent", func(evs []*foyer.StoredEvent) bool {
		return find(evs, "pageview", "/consent/step2") != nil
	})
	t.Run("consent given", func(t *testing.T) {
		reqs := f.requests(site.Key)
		if len(reqs) == 0 || len(reqs[0].Payload.Events) == 0 || reqs[0].Payload.Events[0].Type != "pageview" ||
			reqs[0].Payload.Events[0].URL != w.Site+"/consent/step2" {
			t.Errorf("the first request after consent is not the page view of %s/consent/step2:\n%s", w.Site, dumpRequests(reqs))
		}
		// The check of "nothing before consent" counted the browser's
		// requests too: see that it would have seen one.
		deadline := time.Now().Add(waitFor)
		for len(sent()) == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if len(sent()) == 0 {
			t.Error("the test saw no request to /collect in the browser")
		}
		jar := cookies(t, ctx, w.Site+"/")
		c := jar["_foyer_consent"]
		if c == nil {
			t.Fatalf("no _foyer_consent cookie; cookies: %v", names(jar))
		}
		check(t, "_foyer_consent", c.Value, "1")
		check(t, "_foyer_consent path", c.Path, "/")
		check(t, "_foyer_consent SameSite", string(c.SameSite), "Lax")
		checkLifetime(t, c, browserLifetime(twoYears))
		id := jar["_foyer_id"]
		if id == nil {
			t.Fatalf("no _foyer_id cookie; cookies: %v", names(jar))
		}
		check(t, "visitor", evs[0].VisitorUID, id.Value)
		checkLifetime(t, id, browserLifetime(twoYears))
	})

	t.Run("consent remembered", func(t *testing.T) {
		do(t, ctx, "reload", chromedp.Reload())
		waitTracker(t, ctx)
		evs := f.waitEvents(t, ctx, site, "a second page view, and the engagement of the first", func(evs []*foyer.StoredEvent) bool {
			n := 0
			for _, e := range evs {
				if e.Type == "pageview" {
					n++
				}
			}
			return n == 2 && find(evs, "engagement", "/consent/step2") != nil
		})
		for _, e := range evs {
			if e.VisitorUID != evs[0].VisitorUID {
				t.Errorf("%s stored under visitor %s, want %s", e.Type, e.VisitorUID, evs[0].VisitorUID)
			}
		}
	})

	t.Run("consent withdrawn", func(t *testing.T) {
		// Leaving the first page after consent may have sent one more
		// engagement event: wait until it is in.
		before := f.settled(t, site.Key)
		do(t, ctx, "withdraw consent", chromedp.Evaluate[chromedp.Void]("foyer.consent(false)"))
		checkRefused(t, ctx, w.Site)
		if st := foyerState(t, ctx); !slices.Equal(st, []string{"cookie _foyer_consent=0"}) {
			t.Errorf("the page keeps %q, want only the refusal marker", st)
		}
		beActive(t, ctx, 300*time.Millisecond)
		do(t, ctx, "reload (pagehide)", chromedp.Reload())
		waitTracker(t, ctx)
		beActive(t, ctx, 300*time.Millisecond)
		do(t, ctx, "pushState", chromedp.Evaluate[chromedp.Void](`history.pushState({}, '', '/consent/step3')`))
		f.expectQuiet(t, ctx, site, before, "after consent(false)")
		checkRefused(t, ctx, w.Site)
	})

	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}
