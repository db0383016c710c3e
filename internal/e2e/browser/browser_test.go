// Package browser_test drives the real tracker, served by a real Foyer
// server, in headless Chromium (Debian's /usr/bin/chromium; scripts/test-setup
// installs it) and checks what the browser sent, what the server stored and
// what the browser kept.
package browser_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	chromium = "/usr/bin/chromium"
	// desktopUA is what the browser calls itself: the collector drops
	// "HeadlessChrome" as a bot.
	desktopUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
	// testTimeout bounds each test's browser, and so the test, when
	// something hangs; a test takes a few seconds on an idle machine.
	testTimeout = 2 * time.Minute
	// waitFor bounds a wait for something that must happen.
	waitFor = 10 * time.Second
	// quiet is how long a check that nothing happens watches.
	quiet = time.Second

	twoYears = 63072000 * time.Second
	// chromeMaxAge is Chromium's cap on a cookie's lifetime (400 days, since
	// Chrome 104): a cookie asked for 2 years is kept 400 days.
	chromeMaxAge = 400 * 24 * time.Hour
)

// --- the browser ---------------------------------------------------------

// newBrowser starts a headless Chromium for the test, with a fresh profile,
// and returns its first tab's context, which ends after testTimeout.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return newBrowserFor(t, testTimeout)
}

// newBrowserFor is newBrowser for a test that needs longer than testTimeout:
// its browser ends after limit.
func newBrowserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("the browser tests need Debian's Chromium at %s (%v): run scripts/test-setup", chromium, err)
	}
	profile, tmp := t.TempDir(), t.TempDir()
	t.Cleanup(func() { removeProfile(t, profile); removeProfile(t, tmp) }) // before TempDir's own cleanup
	bounded, cancelLimit := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancelLimit)
	actx, cancelAlloc := chromedp.NewExecAllocator(bounded,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.UserAgent(desktopUA),
		// Chromium's singleton socket goes to a folder of the test's, not
		// to /tmp, where a killed browser would leave it.
		chromedp.Env("TMPDIR="+tmp),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return ctx
}

// removeProfile empties the browser's profile directory; Chromium's helper
// processes can write in it for a moment after the browser exits.
func removeProfile(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			os.Mkdir(dir, 0o700) // TempDir's cleanup removes it again
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("remove browser profile: %v", err)
}

// newTab opens a tab in its own browser context (own cookies and storage),
// closed when the test ends.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return ctx
}

// do runs the actions and fails the test on an error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// clickAndLoad clicks the element and waits for the page it loads.
func clickAndLoad(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("click %s and wait for the next page: %v", sel, err)
	}
}

// waitTracker waits until the page's tracker script has run.
func waitTracker(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](`document.readyState == 'complete' && typeof window.foyer == 'object'`,
		chromedp.WithPollingTimeout(waitFor)))
	if err != nil {
		t.Fatalf("waiting for the tracker in %s: %v", eval[string](t, ctx, "location.href"), err)
	}
}

// beActive moves the mouse and presses keys for about d, as a reader does.
func beActive(t *testing.T, ctx context.Context, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	for i := 0; time.Now().Before(end); i++ {
		step := chromedp.MouseEvent(chromedp.MouseMoved, float64(100+i*7%300), float64(100+i*13%200))
		if i%4 == 3 {
			step = chromedp.KeyEvent("x")
		}
		do(t, ctx, "mouse and keys", step, chromedp.Sleep(100*time.Millisecond))
	}
}

// onNewDocument runs the script in every document the tab loads from now on,
// before the page's own scripts.
func onNewDocument(t *testing.T, ctx context.Context, script string) {
	t.Helper()
	_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: script})
	if err != nil {
		t.Fatalf("add script to new documents: %v", err)
	}
}

// recordCookieWrites makes every document keep what its scripts write to
// document.cookie, in window.__cookieWrites.
const recordCookieWrites = `(() => {
  const d = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  const writes = [];
  Object.defineProperty(window, '__cookieWrites', { value: writes });
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { return d.get.call(this); },
    set(v) { writes.push(String(v)); d.set.call(this, v); },
  });
})();`

// cookies returns the browser's cookies for the URL, by name.
func cookies(t *testing.T, ctx context.Context, url string) map[string]*network.Cookie {
	t.Helper()
	res, err := chromedp.Run(ctx, func(ctx context.Context, tgt *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, tgt, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	})
	if err != nil {
		t.Fatalf("get cookies of %s: %v", url, err)
	}
	out := map[string]*network.Cookie{}
	for _, c := range res.Cookies {
		out[c.Name] = c
	}
	return out
}

// foyerState is what the page keeps of Foyer: cookies visible to scripts and
// localStorage entries whose names start with _foyer.
func foyerState(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return eval[[]string](t, ctx, `[
		...document.cookie.split('; ').filter((c) => c.startsWith('_foyer')).map((c) => 'cookie ' + c),
		...Object.keys(localStorage).filter((k) => k.startsWith('_foyer')).map((k) => 'localStorage ' + k + '=' + localStorage.getItem(k)),
	]`)
}

// checkLifetime checks that a cookie lives about want from now.
func checkLifetime(t *testing.T, c *network.Cookie, want time.Duration) {
	t.Helper()
	if c.Session || c.Expires <= 0 {
		t.Errorf("cookie %s is a session cookie, want one that lives %v", c.Name, want)
		return
	}
	exp := time.Unix(int64(c.Expires), 0)
	if d := time.Until(exp) - want; d < -24*time.Hour || d > 24*time.Hour {
		t.Errorf("cookie %s expires %s, want about now + %v (%s)", c.Name, exp.Format(time.RFC3339),
			want, time.Now().Add(want).Format(time.RFC3339))
	}
}

// browserLifetime is what Chromium keeps of a cookie asked to live d.
func browserLifetime(d time.Duration) time.Duration { return min(d, chromeMaxAge) }

// watchErrors collects the page's uncaught exceptions and console errors.
func watchErrors(t *testing.T, ctx context.Context) func() []string {
	t.Helper()
	var mu sync.Mutex
	var errs []string
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				msg += " " + ex.Description
			}
			msg += " at " + ev.ExceptionDetails.URL
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			msg = "console.error"
			for _, a := range ev.Args {
				msg += " " + string(a.Value) + a.Description
			}
		default:
			return
		}
		mu.Lock()
		errs = append(errs, msg)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("listen for page errors: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}

// screenshot saves PNGs of the whole page as NAME.png in $FOYER_ARTIFACTS,
// or in a temporary directory, and, with $FOYER_ARTIFACTS set, as
// NAME-390.png at a phone's width of 390 px.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	saveShot(t, name, png)
	if os.Getenv("FOYER_ARTIFACTS") == "" {
		return
	}
	// The size to go back to: EmulateReset left later pages at 390 px.
	width, height := eval[int64](t, ctx, `window.innerWidth`), eval[int64](t, ctx, `window.innerHeight`)
	if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1))); err != nil {
		t.Fatalf("narrow %s: %v", name, err)
	}
	narrow, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1)))
	}
	if err != nil {
		t.Fatalf("screenshot %s at 390 px: %v", name, err)
	}
	saveShot(t, name+"-390", narrow)
}

// saveShot writes a screenshot.
func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("FOYER_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
	t.Logf("screenshot: %s", path)
}

// checkRefused fails unless the only cookie of Foyer's left for the site is
// the refusal marker _foyer_consent=0. A cookie the page writes reaches the
// browser's cookie store a moment later than document.cookie shows it, so
// the check waits up to waitFor for the store to agree.
func checkRefused(t *testing.T, ctx context.Context, site string) {
	t.Helper()
	var problems []string
	deadline := time.Now().Add(waitFor)
	for {
		problems = problems[:0]
		jar := cookies(t, ctx, site+"/")
		for name, c := range jar {
			if strings.HasPrefix(name, "_foyer") && (name != "_foyer_consent" || c.Value != "0") {
				problems = append(problems, fmt.Sprintf("after a refusal the browser keeps the cookie %s=%s", name, c.Value))
			}
		}
		if c, ok := jar["_foyer_consent"]; !ok || c.Value != "0" {
			problems = append(problems, "the refusal is not remembered in _foyer_consent=0")
		}
		if len(problems) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	slices.Sort(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// checkNoFoyerCookies fails when the browser has a cookie of Foyer's for
// the site.
func checkNoFoyerCookies(t *testing.T, ctx context.Context, site string) {
	t.Helper()
	for name, c := range cookies(t, ctx, site+"/") {
		if strings.HasPrefix(name, "_foyer") {
			t.Errorf("the browser keeps the cookie %s=%s", name, c.Value)
		}
	}
}

// watchRequests returns a func that lists the requests the tab has made to
// the URL: what the browser sent, whether or not it reached the server.
func watchRequests(t *testing.T, ctx context.Context, url string) func() []string {
	t.Helper()
	var mu sync.Mutex
	var urls []string
	err := chromedp.Listen(ctx, func(ev any) {
		if ev, ok := ev.(*network.EventRequestWillBeSent); ok && strings.HasPrefix(ev.Request.URL, url) {
			mu.Lock()
			urls = append(urls, ev.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("listen for requests: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), urls...)
	}
}

// --- checks ---------------------------------------------------------------

func check[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, fmtv(got), fmtv(want))
	}
}

func fmtv(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

func names[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
