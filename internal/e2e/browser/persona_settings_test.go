package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
)

// TestPersonaSettingsInBrowser: an owner switches Persona Insights on in
// the workspace settings (the confirmation box is required), then turns on
// form recognition for a site, whose snippet then loads ti.js with
// data-identify. Screenshots: persona-settings, persona-site-settings.
func TestPersonaSettingsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "personaset")
	owner := f.member(t, "olga@example.com", site.WorkspaceID, foyer.RoleOwner)
	browser := newBrowser(t)
	o := newTab(t, browser)
	errs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)

	settings := fmt.Sprintf("%s/app/w/%d/settings", f.URL, site.WorkspaceID)
	do(t, o, "the workspace settings", chromedp.Navigate(settings), chromedp.WaitVisible(chromedp.CSS(`#persona-title`)))
	do(t, o, "choose legitimate interest", chromedp.Click(chromedp.CSS(`input[name=basis][value=legitimate_interest]`)))
	clickAndLoad(t, o, `form[action$="/settings/persona"] button[type=submit]`)
	check(t, "refused without the confirmation", strings.Contains(eval[string](t, o, `document.body.innerText`), "privacy statement"), true)
	do(t, o, "confirm", chromedp.Click(chromedp.CSS(`input[name=basis][value=legitimate_interest]`)),
		chromedp.Click(chromedp.CSS(`input[name=understood]`)))
	clickAndLoad(t, o, `form[action$="/settings/persona"] button[type=submit]`)
	text := eval[string](t, o, `document.body.innerText`)
	check(t, "switched on", strings.Contains(text, "Persona Insights is on."), true)
	check(t, "by whom", strings.Contains(text, "switched on by olga@example.com"), true)
	do(t, o, "open the statement", chromedp.Click(chromedp.CSS(`#persona-title ~ details summary`)))
	screenshot(t, o, "persona-settings")

	siteSettings := fmt.Sprintf("%s/app/w/%d/sites/%d/settings", f.URL, site.WorkspaceID, site.ID)
	do(t, o, "the site's settings", chromedp.Navigate(siteSettings), chromedp.WaitVisible(chromedp.CSS(`#identify`)))
	check(t, "says it is on", strings.Contains(eval[string](t, o, `document.querySelector('#identify').innerText`), "it is on"), true)
	do(t, o, "forms, marked only", chromedp.Click(chromedp.CSS(`input[name=identify_forms]`)),
		chromedp.Click(chromedp.CSS(`input[name=identify_marked_forms]`)))
	clickAndLoad(t, o, `form.settings button[type=submit]`)
	snippet := eval[string](t, o, `document.querySelector('textarea[readonly]').value`)
	if !strings.Contains(snippet, `/ti.js" data-site="personaset"`) || !strings.Contains(snippet, `data-identify="forms" data-forms="marked"`) {
		t.Errorf("the snippet after saving: %s", snippet)
	}
	screenshot(t, o, "persona-site-settings")
	stored, err := f.app.Store.SiteByKey(context.Background(), "personaset")
	if err != nil || !stored.Identify.Forms || !stored.Identify.MarkedForms || stored.Identify.EmailLinks {
		t.Errorf("stored %+v, %v", stored.Identify, err)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}
