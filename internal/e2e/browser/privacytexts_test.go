package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestPrivacyTextsInBrowser: an owner reaches the privacy texts from the
// workspace settings, switches them to French, and copies the Markdown of
// the privacy statement with the copy button (or, where the browser
// denies the clipboard, finds it selected, to copy by hand). With Persona
// Insights on, by every source, the texts say so.
func TestPrivacyTextsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "privtexts")
	owner := f.member(t, "olga@example.com", site.WorkspaceID, foyer.RoleOwner)
	// Persona Insights on, with every source and HubSpot connected: the
	// texts have their part on recognising contacts, and the HubSpot key.
	ctx := context.Background()
	st := f.app.Store
	if err := st.SetPersonaBasis(ctx, site.WorkspaceID, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetHubSpotToken(ctx, site.WorkspaceID, "pat-eu1-00000000-0000-0000-0000-000000000000", "test"); err != nil {
		t.Fatal(err)
	}
	site.Identify = foyer.Identification{Forms: true, EmailLinks: true, HubSpot: true}
	if err := st.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	o := newTab(t, browser)
	errs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)

	do(t, o, "the workspace settings", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/settings", f.URL, site.WorkspaceID)),
		chromedp.WaitVisible(chromedp.CSS(`#persona-title`)))
	clickAndLoad(t, o, `a[href$="/privacy-texts"]`)
	check(t, "the page", eval[string](t, o, `document.querySelector('h1').textContent`), "Privacy texts")
	clickAndLoad(t, o, `a[lang=fr]`)
	check(t, "the statement in French", eval[string](t, o, `document.querySelector('#statement-title').textContent`),
		"Déclaration de confidentialité\u00a0: visites de nos sites web")
	text := eval[string](t, o, `document.querySelector('main').innerText`)
	for _, want := range []string{"Reconnaissance de nos contacts existants", "_foyer_hs", "hubspotutk", "HubSpot, Inc."} {
		if !strings.Contains(text, want) {
			t.Errorf("the French texts lack %q", want)
		}
	}
	check(t, "the button hidden while its panel is closed", eval[bool](t, o, `document.querySelector('button[data-copy=md-statement]').checkVisibility()`), false)
	do(t, o, "open the Markdown", chromedp.Click(chromedp.CSS(`details.copy summary`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy=md-statement]`)))
	do(t, o, "copy", chromedp.Click(chromedp.CSS(`button[data-copy=md-statement]`)))
	status := ""
	for deadline := time.Now().Add(waitFor); status == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		status = eval[string](t, o, `document.querySelector('[data-copied=md-statement]').textContent`)
	}
	switch status {
	case "Copied.":
	case "Selected: press Ctrl+C or ⌘C to copy.":
		if !eval[bool](t, o, `(() => { const f = document.getElementById('md-statement'); return document.activeElement === f && f.selectionStart === 0 && f.selectionEnd === f.value.length })()`) {
			t.Error("the status says the text is selected, but it is not")
		}
	default:
		t.Errorf("the copy's status is %q", status)
	}
	if md := eval[string](t, o, `document.getElementById('md-statement').value`); !strings.HasPrefix(md, "## Déclaration de confidentialité\u00a0: visites de nos sites web\n") {
		t.Errorf("the Markdown to copy starts %q", md[:min(len(md), 80)])
	}
	screenshot(t, o, "privacy-texts-copy")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}
