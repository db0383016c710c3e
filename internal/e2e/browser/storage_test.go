package browser_test

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/tracker"
)

// storagePage is a page of a consent-required site with the tracker that
// recognises contacts by every source, and a form.
var storagePage = template.Must(template.New("p").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<script defer src="{{.Script}}" data-site="storage" data-consent="required" data-identify="forms links hubspot"></script></head>
<body><h1>{{.Title}}</h1>
<form id="contact" action="/thanks" method="post">
  <label>Email <input type="email" name="email" id="email"></label>
  <button id="send">Send</button>
</form></body></html>`))

// foyerStorage returns every cookie (as the browser holds them, not only
// what document.cookie shows), localStorage key and sessionStorage key of
// the page whose name starts with _foyer, as "kind name".
func foyerStorage(t *testing.T, ctx context.Context, base string) []string {
	t.Helper()
	var out []string
	for name := range cookies(t, ctx, base+"/") {
		if strings.HasPrefix(name, "_foyer") {
			out = append(out, string(tracker.Cookie)+" "+name)
		}
	}
	return append(out, eval[[]string](t, ctx, `[
		...Object.keys(localStorage).filter((k) => k.startsWith('_foyer')).map((k) => 'localStorage ' + k),
		...Object.keys(sessionStorage).filter((k) => k.startsWith('_foyer')).map((k) => 'sessionStorage ' + k),
	]`)...)
}

// checkDeclared fails for each of the page's _foyer cookies and storage
// keys that tracker.Storage, the list of the cookie declaration, leaves
// out; it returns what it saw.
func checkDeclared(t *testing.T, ctx context.Context, base string) []string {
	t.Helper()
	seen := foyerStorage(t, ctx, base)
	for _, s := range seen {
		kind, name, _ := strings.Cut(s, " ")
		if !tracker.Declared(tracker.StorageKind(kind), name) {
			t.Errorf("the browser holds %s, which the cookie declaration (tracker.Storage) does not list", s)
		}
	}
	return seen
}

// TestTrackerStorageDeclared: after the tracker with identification ran
// with consent, a tracked-email link, a form and a HubSpot cookie, every
// cookie and storage key of its own that the browser holds is in the
// cookie declaration's list; so is what it keeps without cookies.
func TestTrackerStorageDeclared(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	ctx := context.Background()
	st := f.app.Store
	ws, site := testutil.NewSite(t, st, "Storage", "storage", "localhost")
	site.Consent = foyer.ConsentRequired
	site.Identify = foyer.Identification{Forms: true, EmailLinks: true, HubSpot: true}
	if err := st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := st.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	jane := &foyer.Contact{WorkspaceID: ws.ID, Email: "jane.known@client.example", FirstName: "Jane"}
	if err := st.CreateContact(ctx, jane, "test"); err != nil {
		t.Fatal(err)
	}
	tok, err := st.CreateContactToken(ctx, ws.ID, jane.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	siteSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			http.Redirect(w, r, "/thanks", http.StatusSeeOther)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		storagePage.Execute(w, struct{ Title, Script string }{strings.TrimPrefix(r.URL.Path, "/"), f.URL + "/ti.js"})
	}))
	t.Cleanup(siteSrv.Close)
	_, port, _ := strings.Cut(strings.TrimPrefix(siteSrv.URL, "http://"), ":")
	base := "http://localhost:" + port

	browser := newBrowser(t)
	tab := newTab(t, browser)
	pageErrors := watchErrors(t, tab)
	// HubSpot's own script would have set its cookie on the site.
	do(t, tab, "open the site", chromedp.Navigate(base+"/before"))
	waitTracker(t, tab)
	do(t, tab, "set HubSpot's cookie", chromedp.Evaluate[chromedp.Void](`document.cookie = 'hubspotutk=0123456789abcdef0123456789abcdef; path=/'`))
	do(t, tab, "open the tracked link", chromedp.Navigate(base+"/landing?fy_t="+tok.Token))
	waitTracker(t, tab)
	if got := foyerStorage(t, tab, base); len(got) > 0 {
		t.Errorf("before consent, the browser holds %q", got)
	}
	do(t, tab, "give consent", chromedp.Evaluate[chromedp.Void]("foyer.consent(true)"))
	f.waitEvents(t, ctx, site, "the page view after consent", func(evs []*foyer.StoredEvent) bool {
		return find(evs, "pageview", "/landing") != nil
	})
	do(t, tab, "fill the form", chromedp.SendKeys(chromedp.CSS("#email"), jane.Email))
	clickAndLoad(t, tab, "#send")
	waitTracker(t, tab)
	f.waitEvents(t, ctx, site, "the page view of the thanks page", func(evs []*foyer.StoredEvent) bool {
		return find(evs, "pageview", "/thanks") != nil
	})
	seen := checkDeclared(t, tab, base)
	for _, want := range []string{"cookie _foyer_id", "cookie _foyer_consent", "sessionStorage _foyer_hs"} {
		if !strings.Contains(strings.Join(seen, "\n")+"\n", want+"\n") {
			t.Errorf("the browser does not hold %s: the test did not run the tracker as it means to (it holds %q)", want, seen)
		}
	}

	// Without cookies, the visitor ID goes to localStorage.
	noCookies := newTab(t, browser)
	if _, err := chromedp.Call(noCookies, emulation.SetDocumentCookieDisabled, emulation.SetDocumentCookieDisabledParams{Disabled: true}); err != nil {
		t.Fatalf("disable document.cookie: %v", err)
	}
	do(t, noCookies, "open the site", chromedp.Navigate(base+"/landing"))
	waitTracker(t, noCookies)
	do(t, noCookies, "give consent", chromedp.Evaluate[chromedp.Void]("foyer.consent(true)"))
	deadline := time.Now().Add(waitFor)
	for !strings.Contains(strings.Join(foyerStorage(t, noCookies, base), " "), "localStorage _foyer_id") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if seen := checkDeclared(t, noCookies, base); !strings.Contains(strings.Join(seen, " "), "localStorage _foyer_id") {
		t.Errorf("without cookies, the browser does not hold localStorage _foyer_id (it holds %q)", seen)
	}
	if errs := pageErrors(); len(errs) > 0 {
		t.Errorf("the pages reported errors:\n  %s", strings.Join(errs, "\n  "))
	}
}
