package browser_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/formlink"
	"github.com/foyerhq/foyer/internal/testutil"
)

// formsFixture is a Foyer whose workspace has two sites, at localhost and
// 127.0.0.1 (one local server with the tracker, two cookie domains), and
// signs form links with the Foyer's own key.
type formsFixture struct {
	f      *foyerServer
	ws     *foyer.Workspace
	site   string // the sites' port
	signer *formlink.Signer
}

func newFormsFixture(t *testing.T) *formsFixture {
	t.Helper()
	fx := &formsFixture{}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	fx.f = startFoyerConfig(t, app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: log,
		SiteOrigin: func(host string) string { return "http://" + net.JoinHostPort(host, fx.site) }}, "")
	fx.ws, _ = testutil.NewSite(t, fx.f.app.Store, "Maison Lumière", "forms", "localhost", "127.0.0.1")
	w := startWeb(t, fx.f.URL, map[string]pageSpec{"": {Title: "Maison Lumière", Site: "forms"}})
	u, err := url.Parse(w.Site)
	if err != nil {
		t.Fatal(err)
	}
	fx.site = u.Port()
	fx.signer = formlink.NewSigner(fx.f.app.Keys.Derive(formlink.Purpose))
	if err := fx.f.app.Store.SetLogo(context.Background(), fx.ws.ID, logoPNG(t), "image/png"); err != nil {
		t.Fatal(err)
	}
	return fx
}

// logoPNG is a logo: a sun over a horizon, 120 × 80.
func logoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for y := range 80 {
		for x := range 120 {
			c := color.RGBA{255, 255, 255, 255}
			if dx, dy := x-60, y-50; dx*dx+dy*dy < 30*30 && y < 56 {
				c = color.RGBA{240, 170, 30, 255}
			} else if y >= 56 && y < 62 {
				c = color.RGBA{36, 85, 195, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// contact stores a contact of the workspace.
func (fx *formsFixture) contact(t *testing.T, email, first string) *foyer.Contact {
	t.Helper()
	c := &foyer.Contact{WorkspaceID: fx.ws.ID, Email: email, FirstName: first, Company: "Globex"}
	if err := fx.f.app.Store.CreateContact(context.Background(), c, "test"); err != nil {
		t.Fatal(err)
	}
	return c
}

// link is the URL of c's form of kind, expiring at expires.
func (fx *formsFixture) link(c *foyer.Contact, kind formlink.Kind, expires time.Time) string {
	l := formlink.Link{Workspace: fx.ws.ID, Contact: c.ID, Kind: kind, Expires: expires}
	return fmt.Sprintf("%s/forms/%d/%s/%s", fx.f.URL, fx.ws.ID, kind, fx.signer.Sign(l))
}

// history is c's consent history as "source/action/actor".
func (fx *formsFixture) history(t *testing.T, c *foyer.Contact) string {
	t.Helper()
	h, err := fx.f.app.Store.ConsentHistory(context.Background(), fx.ws.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		out = append(out, fmt.Sprintf("%s/%s/%s", e.Source, e.Action, e.Actor))
	}
	return strings.Join(out, " ")
}

// open navigates to u and returns the answer's status.
func open(t *testing.T, ctx context.Context, u string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(u))
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	return resp.Status
}

// TestContactFormsInBrowser fills the three hosted forms in English (the
// browser's language) and in French (Accept-Language: fr), opens an
// expired and a forged link, and follows the opt-out's hop through the
// two sites, after which each site's tracker holds the refusal.
func TestContactFormsInBrowser(t *testing.T) {
	t.Parallel()
	fx := newFormsFixture(t)
	ctx := context.Background()
	browser := newBrowserFor(t, 3*time.Minute)
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			tab := newTab(t, browser)
			errs := watchErrors(t, tab)
			accept := map[string]string{"en": "en-GB,en;q=0.9", "fr": "fr-CA,fr;q=0.9,en;q=0.5"}[lang]
			if _, err := chromedp.Call(tab, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Call(tab, network.SetExtraHTTPHeaders,
				network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": accept}}); err != nil {
				t.Fatal(err)
			}
			c := fx.contact(t, lang+"@example.com", map[string]string{"en": "Ana", "fr": "Éloïse"}[lang])
			want := func(what, sel, text string) {
				t.Helper()
				got, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(sel)))
				if err != nil || !strings.Contains(got, text) {
					t.Errorf("%s: %q (%v), want %q", what, got, err, text)
				}
			}
			heading := map[string][2]string{"en": {"Your details", "Stop behavioural tracking"}, "fr": {"Vos coordonnées", "Refuser le suivi comportemental"}}[lang]

			// The profile form: names, language, and the consent box.
			expires := time.Now().Add(formlink.DefaultLife)
			if st := open(t, tab, fx.link(c, formlink.Profile, expires)); st != 200 {
				t.Fatalf("profile form: %d", st)
			}
			check(t, "lang", eval[string](t, tab, `document.documentElement.lang`), lang)
			want("profile heading", "h1", heading[0])
			want("workspace", "header.top", "Maison Lumière")
			if w := eval[int](t, tab, `document.querySelector('header.top img.logo').naturalWidth`); w != 120 {
				t.Errorf("the logo did not load: its width is %d", w)
			}
			if v := eval[string](t, tab, `document.querySelector('input[name=first_name]').value`); v != c.FirstName {
				t.Errorf("first name shown %q", v)
			}
			screenshot(t, tab, "forms-profile-"+lang)
			do(t, tab, "fill the profile", chromedp.SendKeys(chromedp.CSS(`input[name=last_name]`), "Tremblay"),
				chromedp.SendKeys(chromedp.CSS(`input[name=role]`), "Directrice des achats"),
				chromedp.Click(chromedp.CSS(`input[name=consent]`)))
			clickAndLoad(t, tab, `form button[type=submit]`)
			want("saved", "p.notice", map[string]string{"en": "are saved", "fr": "sont enregistrés"}[lang])
			screenshot(t, tab, "forms-profile-saved-"+lang)
			got, err := fx.f.app.Store.Contact(ctx, fx.ws.ID, c.ID)
			if err != nil || got.LastName != "Tremblay" || got.Role != "Directrice des achats" || got.Consent.Status != foyer.ConsentAccepted {
				t.Errorf("after the profile form: %+v, %v", got, err)
			}

			// The unsubscribe form, whose confirmation offers the opt-out
			// form, which records its refusal as the unsubscribe form's.
			open(t, tab, fx.link(c, formlink.Unsubscribe, expires))
			screenshot(t, tab, "forms-unsubscribe-"+lang)
			clickAndLoad(t, tab, `form button[type=submit]`)
			want("unsubscribed", "p.notice", "Maison Lumière")
			screenshot(t, tab, "forms-unsubscribe-done-"+lang)
			if at, err := fx.f.app.Store.Unsubscribed(ctx, fx.ws.ID, c.ID); err != nil || at.IsZero() {
				t.Errorf("not unsubscribed: %v, %v", at, err)
			}
			clickAndLoad(t, tab, `a.button`)
			want("opt-out from the unsubscribe form", "h1", heading[1])
			screenshot(t, tab, "forms-optout-"+lang)
			clickAndLoad(t, tab, `form button[type=submit]`)
			screenshot(t, tab, "forms-optout-done-"+lang)
			check(t, "history", fx.history(t, c), "form/accepted/contact unsubscribe-form/refused/contact")

			// The opt-out form itself; then the hop through both sites.
			open(t, tab, fx.link(c, formlink.OptOut, expires))
			clickAndLoad(t, tab, `form button[type=submit]`)
			check(t, "history", fx.history(t, c), "form/accepted/contact unsubscribe-form/refused/contact optout-form/refused/contact")
			hosts := eval[[]string](t, tab, `[...document.querySelectorAll('ul.hops a')].map(a => new URL(a.href).host)`)
			check(t, "hops", strings.Join(hosts, " "), "localhost:"+fx.site+" 127.0.0.1:"+fx.site)
			do(t, tab, "go through the sites", chromedp.Click(chromedp.CSS(`a.button.primary`)))
			deadline := time.Now().Add(waitFor)
			for {
				// While the browser goes from page to page, evaluating
				// can fail: the page it asked went away.
				path, err := chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`))
				if err == nil && strings.Contains(path, "/forms/browser/") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the hop stopped at %s (%v)", path, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			do(t, tab, "wait for the last page", chromedp.WaitReady(chromedp.CSS(`h1`)))
			check(t, "back at Foyer", eval[string](t, tab, `location.origin`), fx.f.URL)
			want("the sites done", "main ul", "localhost")
			want("the sites done", "main ul", "127.0.0.1")
			screenshot(t, tab, "forms-browser-done-"+lang)
			for _, host := range []string{"localhost", "127.0.0.1"} {
				checkRefused(t, tab, "http://"+net.JoinHostPort(host, fx.site))
			}
			// Back on a site: the tracker sends nothing.
			sent := len(fx.f.requests("forms"))
			open(t, tab, "http://localhost:"+fx.site+"/")
			waitTracker(t, tab)
			time.Sleep(quiet)
			if n := len(fx.f.requests("forms")); n != sent {
				t.Errorf("after the hop the site sent %d requests", n-sent)
			}

			// An expired link and a forged one: their error pages, and
			// nothing changed.
			before := fx.history(t, c)
			if st := open(t, tab, fx.link(c, formlink.OptOut, time.Now().Add(-time.Minute))); st != 410 {
				t.Errorf("expired link: %d, want 410", st)
			}
			want("expired", "h1", map[string]string{"en": "expired", "fr": "expiré"}[lang])
			want("expired: whose link", "header.top", "Maison Lumière")
			check(t, "expired: the logo", eval[int](t, tab, `document.querySelector('header.top img.logo').naturalWidth`), 120)
			screenshot(t, tab, "forms-expired-"+lang)
			forged := fx.link(c, formlink.Unsubscribe, expires)
			forged = forged[:len(forged)-5] + "AAAAA"
			if st := open(t, tab, forged); st != 404 {
				t.Errorf("forged link: %d, want 404", st)
			}
			want("forged", "h1", map[string]string{"en": "does not work", "fr": "ne fonctionne pas"}[lang])
			screenshot(t, tab, "forms-forged-"+lang)
			if strings.Contains(eval[string](t, tab, `document.body.innerText`), "Maison") {
				t.Error("the forged link's page names the workspace")
			}
			check(t, "history after bad links", fx.history(t, c), before)
			if e := errs(); len(e) != 0 {
				t.Errorf("page errors: %q", e)
			}
		})
	}
}
