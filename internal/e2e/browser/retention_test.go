package browser_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestRetentionSettingsInBrowser: an owner sees the retention section
// with the job's last run and the contacts to review, saves new numbers
// (a number out of bounds is refused by the form itself), and follows the
// link to the contacts to review, one of which it keeps. Screenshots:
// retention-settings, retention-section, retention-contacts, retention-contact.
func TestRetentionSettingsInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	ctx := context.Background()
	site := f.newSite(t, "retention")
	owner := f.member(t, "rita@example.com", site.WorkspaceID, foyer.RoleOwner)
	for _, name := range []string{"Ada", "Bert", "Cleo"} {
		c := &foyer.Contact{WorkspaceID: site.WorkspaceID, Email: strings.ToLower(name) + "@client.example", FirstName: name, LastName: "Lind"}
		if err := f.app.Store.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		if name != "Cleo" { // Ada and Bert: last changed three years ago
			old := time.Now().AddDate(-3, 0, 0).UnixMilli()
			if _, err := f.app.Store.DB().ExecContext(ctx, fmt.Sprintf(`UPDATE contacts SET created_at = %d, updated_at = %d WHERE id = %d`, old, old, c.ID)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.app.Store.EnforceRetention(ctx, store.RetentionOptions{}); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	o := newTab(t, browser)
	errs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)

	settings := fmt.Sprintf("%s/app/w/%d/settings", f.URL, site.WorkspaceID)
	do(t, o, "the workspace settings", chromedp.Navigate(settings), chromedp.WaitVisible(chromedp.CSS(`#retention-title`)))
	check(t, "the form refuses 10 days", eval[bool](t, o, `(() => { const i = document.querySelector('input[name=event_days]'); i.value = '10'; return i.checkValidity(); })()`), false)
	do(t, o, "set 200 days", chromedp.SetValue(chromedp.CSS(`input[name=event_days]`), "200"))
	clickAndLoad(t, o, `form[action$="/settings/retention"] button[type=submit]`)
	text := eval[string](t, o, `document.body.innerText`)
	check(t, "saved", strings.Contains(text, "The retention is saved."), true)
	check(t, "shows 200", eval[string](t, o, `document.querySelector('input[name=event_days]').value`), "200")
	check(t, "the contacts to review", strings.Contains(text, "2 contacts to review"), true)
	check(t, "the last run", strings.Contains(text, "inactive contacts flagged for review"), true)
	if r, err := f.app.Store.Retention(ctx, site.WorkspaceID); err != nil || r.EventDays != 200 {
		t.Errorf("stored %+v, %v", r, err)
	}
	do(t, o, "to the retention", chromedp.ScrollIntoView(chromedp.CSS(`#retention-title`)))
	screenshot(t, o, "retention-settings")
	sectionShot(t, o, "retention-section", `#retention-title`)

	clickAndLoad(t, o, `a[href$="/contacts?review=1"]`)
	text = eval[string](t, o, `document.body.innerText`)
	check(t, "Ada to review", strings.Contains(text, "ada@client.example"), true)
	check(t, "Cleo not", strings.Contains(text, "cleo@client.example"), false)
	check(t, "the filter ticked", eval[bool](t, o, `document.querySelector('input[name=review]').checked`), true)
	screenshot(t, o, "retention-contacts")

	clickAndLoad(t, o, `a[href*="/contacts/"]:not([href$="/new"]):not([href$="/import"])`)
	check(t, "the profile says to review", strings.Contains(eval[string](t, o, `document.body.innerText`), "To review:"), true)
	screenshot(t, o, "retention-contact")
	clickAndLoad(t, o, `form[action$="/keep"] button[type=submit]`)
	text = eval[string](t, o, `document.body.innerText`)
	check(t, "kept", strings.Contains(text, "The contact is kept"), true)
	check(t, "no longer to review", strings.Contains(text, "To review:"), false)
	if n, err := f.app.Store.ContactsToReview(ctx, site.WorkspaceID); err != nil || n != 1 {
		t.Errorf("%d contacts to review after keeping one (%v), want 1", n, err)
	}
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}

// sectionShot saves a PNG of the card that holds sel, as NAME.png and, at
// 390 px, NAME-390.png: a closer look than the whole page.
func sectionShot(t *testing.T, ctx context.Context, name, sel string) {
	t.Helper()
	width, height := eval[int64](t, ctx, `window.innerWidth`), eval[int64](t, ctx, `window.innerHeight`)
	for _, w := range []int64{width, 390} {
		if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(w, 844, chromedp.EmulateScale(1))); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(`section:has(> `+sel+`)`)))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if w == width {
			saveShot(t, name, png)
		} else {
			saveShot(t, name+"-390", png)
		}
	}
	if _, err := chromedp.Run(ctx, chromedp.EmulateViewport(width, height, chromedp.EmulateScale(1))); err != nil {
		t.Fatal(err)
	}
}
