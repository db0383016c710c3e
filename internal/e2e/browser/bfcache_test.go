package browser_test

import (
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
)

// TestBackForwardCacheInBrowser: a visitor who goes back to a page that the
// browser restores from its back/forward cache sees the page again, which
// is a page view.
func TestBackForwardCacheInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "bfcache")
	w := startWeb(t, f.URL, map[string]pageSpec{
		"bfcache": {Title: "Back", Site: "bfcache", Next: "/bfcache/step2"},
	})
	ctx := newBrowser(t)

	do(t, ctx, "open the page", chromedp.Navigate(w.Site+"/bfcache/start"))
	waitTracker(t, ctx)
	do(t, ctx, "note restores", chromedp.Evaluate[chromedp.Void](
		`window.__first = true; addEventListener('pageshow', (e) => { window.__restored = e.persisted })`))
	f.waitEvents(t, ctx, site, "the page view", func(evs []*foyer.StoredEvent) bool { return len(evs) > 0 })
	clickAndLoad(t, ctx, "#out")

	// Back, without waiting for a load event: a restored page has none.
	hist, err := chromedp.Run(ctx, chromedp.NavigationEntries())
	if err != nil || hist.CurrentIndex < 1 {
		t.Fatalf("history: %v (%d entries, at %d)", err, len(hist.Entries), hist.CurrentIndex)
	}
	if _, err := chromedp.Call(ctx, page.NavigateToHistoryEntry,
		page.NavigateToHistoryEntryParams{EntryID: hist.Entries[hist.CurrentIndex-1].ID}); err != nil {
		t.Fatalf("go back: %v", err)
	}
	// Poll from here: chromedp's Poll can hold the execution context of
	// the page before the restore.
	deadline := time.Now().Add(waitFor)
	for {
		back, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`location.pathname == '/bfcache/start' && document.readyState == 'complete' && typeof window.foyer == 'object'`))
		if err == nil && back {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for the page after going back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !eval[bool](t, ctx, "window.__first === true && window.__restored === true") {
		t.Skip("Chromium loaded the page again instead of restoring it from the back/forward cache")
	}

	// Known tracker bug: nothing listens for pageshow with persisted set, so
	// the restored page sends no page view. Report it, without failing, until
	// the tracker is fixed; then the test checks the fix.
	deadline = time.Now().Add(2 * time.Second)
	for {
		n := 0
		for _, e := range f.events(t, ctx, site) {
			if e.Type == "pageview" && e.Path == "/bfcache/start" {
				n++
			}
		}
		if n == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the page restored from the back/forward cache sent no page view (%d page views of /bfcache/start stored, want 2)", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
