package browser_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
)

// Scripts that make the page see a browser with Global Privacy Control or
// Do-Not-Track turned on.
const (
	gpcOn = `Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true });`
	dntOn = `Object.defineProperty(navigator, 'doNotTrack', { get: () => '1' });`
)

// TestPrivacySignalsInBrowser: under Global Privacy Control or Do-Not-Track
// the tracker sends and keeps nothing, unless the page says data-gpc="ignore";
// then the collector still drops what comes with a Sec-GPC: 1 header.
func TestPrivacySignalsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	w := startWeb(t, f.URL, map[string]pageSpec{
		"gpc":    {Title: "GPC", Site: "gpc", Next: "/gpc/step2"},
		"dnt":    {Title: "DNT", Site: "dnt", Next: "/dnt/step2"},
		"ignore": {Title: "GPC ignored", Site: "ignore", GPC: "ignore", Next: "/ignore/step2"},
		"header": {Title: "GPC ignored", Site: "header", GPC: "ignore", Next: "/header/step2"},
	})
	browser := newBrowser(t)

	for _, tc := range []struct {
		name, kind, signal string
		header             bool // the browser also sends Sec-GPC: 1
		tracked, stored    bool
	}{
		{name: "GPC honoured", kind: "gpc", signal: gpcOn},
		{name: "DNT honoured", kind: "dnt", signal: dntOn},
		{name: "GPC ignored by the page", kind: "ignore", signal: gpcOn, tracked: true, stored: true},
		{name: "GPC ignored by the page, Sec-GPC honoured by the server", kind: "header", signal: gpcOn, header: true, tracked: true},
	} {
		// One after the other: parallel subtests would wait for a free
		// slot while the test's browser runs down its time limit.
		t.Run(tc.name, func(t *testing.T) {
			site := f.newSite(t, tc.kind)
			ctx := newTab(t, browser)
			onNewDocument(t, ctx, tc.signal)
			sent := watchRequests(t, ctx, f.URL+"/collect")
			if tc.header {
				_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders,
					network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Sec-GPC": "1"}})
				if err != nil {
					t.Fatalf("set Sec-GPC: %v", err)
				}
			}
			do(t, ctx, "open the page", chromedp.Navigate(w.Site+"/"+tc.kind+"/start?utm_source=ad"))
			waitTracker(t, ctx)
			if !eval[bool](t, ctx, "navigator.globalPrivacyControl === true || navigator.doNotTrack === '1'") {
				t.Fatal("the page does not see the privacy signal")
			}
			beActive(t, ctx, 400*time.Millisecond)
			do(t, ctx, "click the pushState button", chromedp.Click(chromedp.CSS("#next")))
			state := foyerState(t, ctx)
			if !tc.header {
				// DevTools' extra headers are not sent with the beacon of
				// a page that unloads: leave only when they do not matter.
				clickAndLoad(t, ctx, "#out")
			}

			if !tc.tracked {
				f.expectQuiet(t, ctx, site, 0, "under "+tc.kind)
				if urls := sent(); len(urls) > 0 {
					t.Errorf("the browser sent %d requests to /collect", len(urls))
				}
				if evs := f.events(t, ctx, site); len(evs) > 0 {
					t.Errorf("stored:\n%s", dumpEvents(evs))
				}
				if len(state) > 0 {
					t.Errorf("the page keeps %q", state)
				}
				checkNoFoyerCookies(t, ctx, w.Site)
				return
			}
			if tc.stored {
				f.waitEvents(t, ctx, site, "the page views and the outbound click", func(evs []*foyer.StoredEvent) bool {
					return find(evs, "pageview", "/"+tc.kind+"/start") != nil && find(evs, "pageview", "/"+tc.kind+"/step2") != nil &&
						find(evs, "outbound", "/"+tc.kind+"/step2") != nil
				})
				return
			}
			// The tracker sends (the page view; the SPA page view with the
			// engagement); the collector answers 204 and drops it.
			for _, r := range f.answered(t, site.Key, 2) {
				check(t, "Sec-GPC", r.SecGPC, "1")
				check(t, "status", r.Status, 204)
			}
			if evs := f.events(t, ctx, site); len(evs) > 0 {
				t.Errorf("stored:\n%s", dumpEvents(evs))
			}
		})
	}
}

// TestVisitorIDWithoutCookies: where document.cookie does not work the
// visitor ID lives in localStorage, with an expiry two years ahead, survives
// a reload, and foyer.consent(false) removes it.
func TestVisitorIDWithoutCookies(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "nocookie")
	w := startWeb(t, f.URL, map[string]pageSpec{
		"nocookie": {Title: "No cookies", Site: "nocookie", Next: "/nocookie/step2"},
	})
	ctx := newBrowser(t)
	pageErrors := watchErrors(t, ctx)
	if _, err := chromedp.Call(ctx, emulation.SetDocumentCookieDisabled, emulation.SetDocumentCookieDisabledParams{Disabled: true}); err != nil {
		t.Fatalf("disable document.cookie: %v", err)
	}

	do(t, ctx, "open the page", chromedp.Navigate(w.Site+"/nocookie/start"))
	waitTracker(t, ctx)
	evs := f.waitEvents(t, ctx, site, "the page view", func(evs []*foyer.StoredEvent) bool { return len(evs) >= 1 })
	raw := eval[string](t, ctx, "localStorage.getItem('_foyer_id') || ''")
	var kept struct {
		ID  string `json:"id"`
		Exp int64  `json:"exp"`
	}
	if err := json.Unmarshal([]byte(raw), &kept); err != nil {
		t.Fatalf("localStorage _foyer_id = %q: %v", raw, err)
	}
	check(t, "visitor", evs[0].VisitorUID, kept.ID)
	if d := time.Until(time.UnixMilli(kept.Exp)) - twoYears; d < -time.Hour || d > time.Hour {
		t.Errorf("localStorage _foyer_id expires %s, want about now + 2 years", time.UnixMilli(kept.Exp).Format(time.RFC3339))
	}
	if jar := cookies(t, ctx, w.Site+"/"); len(jar) > 0 {
		t.Errorf("cookies with document.cookie disabled: %v", names(jar))
	}

	do(t, ctx, "reload", chromedp.Reload())
	waitTracker(t, ctx)
	evs = f.waitEvents(t, ctx, site, "the second page view", func(evs []*foyer.StoredEvent) bool {
		n := 0
		for _, e := range evs {
			if e.Type == "pageview" {
				n++
			}
		}
		return n == 2
	})
	for _, e := range evs {
		check(t, "visitor after reload", e.VisitorUID, kept.ID)
	}

	do(t, ctx, "withdraw consent", chromedp.Evaluate[chromedp.Void]("foyer.consent(false)"))
	if st := foyerState(t, ctx); len(st) > 0 {
		t.Errorf("after consent(false) the page keeps %q", st)
	}
	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}
