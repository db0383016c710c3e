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

// TestSegmentEditorInBrowser: an analyst builds a segment of two
// conditions (a contact field, then, after "Add a condition", a visit to
// the pricing pages), saves it, and sees its one member, and the refused
// contact it leaves out counted with its explanation; the editor shows
// only the inputs of each row's kind. Screenshots: segment-editor,
// segment-members, segments-list (each also at 390 px).
func TestSegmentEditorInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	site := f.newSite(t, "segments")
	ws := site.WorkspaceID
	ctx := context.Background()
	f.member(t, "ana@example.com", ws, foyer.RoleAnalyst)
	st := f.app.Store
	if err := st.SetPersonaBasis(ctx, ws, foyer.PersonaLegitimateInterest, "test"); err != nil {
		t.Fatal(err)
	}
	hana := &foyer.Contact{WorkspaceID: ws, Email: "hana.nowak@globex.example", FirstName: "Hana", LastName: "Nowák", Role: "CTO"}
	bob := &foyer.Contact{WorkspaceID: ws, Email: "bob@globex.example", FirstName: "Bob", LastName: "Meyer", Role: "Deputy CTO"}
	cfo := &foyer.Contact{WorkspaceID: ws, Email: "carla@globex.example", FirstName: "Carla", Role: "CFO"}
	for _, c := range []*foyer.Contact{hana, bob, cfo} {
		if err := st.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	// Hana and Carla visit the pricing pages, identified; Bob's visit is
	// identified before he refuses tracking.
	now := time.Now().UTC()
	var hits []foyer.Hit
	for i, c := range []*foyer.Contact{hana, bob, cfo} {
		visitor := fmt.Sprintf("segments-visitor-%08d", i)
		at := now.Add(-time.Duration(i+1) * time.Hour)
		hits = append(hits,
			foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at, Kind: foyer.KindIdentify, Host: "localhost", ContactID: c.ID, Via: foyer.ViaForm},
			foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at.Add(time.Minute), Kind: foyer.KindPageview, Host: "localhost", Path: "/pricing/teams", Title: "Pricing"})
	}
	if err := st.Append(ctx, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := st.RecordConsent(ctx, ws, bob.ID, foyer.ConsentChange{Status: foyer.ConsentRefused, Source: foyer.SourceAdmin, Actor: "test"}); err != nil {
		t.Fatal(err)
	}

	tab := newTab(t, newBrowser(t))
	errs := watchErrors(t, tab)
	do(t, tab, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab, `button[type=submit]`)
	do(t, tab, "the segments", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/segments", f.URL, ws)))
	check(t, "empty list", strings.Contains(eval[string](t, tab, `document.querySelector('main').textContent`), "No segment yet"), true)
	clickAndLoad(t, tab, `nav.links a[href$="/segments/new"]`)

	// The first row: a contact field. Only its inputs show.
	check(t, "one row", eval[int](t, tab, `document.querySelectorAll('li.condition-row').length`), 1)
	check(t, "path hidden for a field", eval[bool](t, tab, `document.querySelector('li.condition-row input[name=path]').closest('label').hidden`), true)
	do(t, tab, "the first condition",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "CTOs on pricing"),
		chromedp.SetValue(chromedp.CSS(`li.condition-row select[name=field]`), "role"),
		chromedp.SetValue(chromedp.CSS(`li.condition-row select[name=op]`), "contains"),
		chromedp.SendKeys(chromedp.CSS(`li.condition-row input[name=value]`), "cto"))
	clickAndLoad(t, tab, `button[name=add]`)
	check(t, "two rows", eval[int](t, tab, `document.querySelectorAll('li.condition-row').length`), 2)
	check(t, "the first row kept", eval[string](t, tab, `document.querySelector('li.condition-row input[name=value]').value`), "cto")
	// The second: a visit to the pricing pages, chosen as a user does.
	eval[bool](t, tab, `(() => {
	  const row = document.querySelectorAll('li.condition-row')[1];
	  const kind = row.querySelector('select[name=kind]');
	  kind.value = 'visited';
	  kind.dispatchEvent(new Event('change'));
	  return true;
	})()`)
	check(t, "path shown for a visit", eval[bool](t, tab, `document.querySelectorAll('li.condition-row')[1].querySelector('input[name=path]').closest('label').hidden`), false)
	check(t, "value hidden for a visit", eval[bool](t, tab, `document.querySelectorAll('li.condition-row')[1].querySelector('input[name=value]').closest('label').hidden`), true)
	do(t, tab, "the second condition",
		chromedp.SendKeys(chromedp.CSS(`li.condition-row:nth-child(2) input[name=path]`), "/pricing/"))
	screenshot(t, tab, "segment-editor")
	clickAndLoad(t, tab, `button.save`)

	check(t, "saved", strings.HasPrefix(eval[string](t, tab, `document.querySelector('.notice').textContent`), "The segment is saved"), true)
	check(t, "the segment's page", eval[string](t, tab, `document.querySelector('h1').textContent`), "CTOs on pricing")
	check(t, "one member", eval[int](t, tab, `document.querySelectorAll('table.members tbody tr').length`), 1)
	check(t, "Hana", eval[string](t, tab, `document.querySelector('table.members tbody td a').textContent`), "Hana Nowák")
	check(t, "left out", eval[string](t, tab, `document.querySelector('p.left-out').textContent`), "1 contact left out because they may not be tracked.")
	screenshot(t, tab, "segment-members")
	clickAndLoad(t, tab, `table.members tbody td a`)
	check(t, "the profile", eval[string](t, tab, `document.querySelector('h1').textContent`), "Hana Nowák")

	do(t, tab, "the list", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d/segments", f.URL, ws)))
	check(t, "counts", eval[string](t, tab, `[...document.querySelectorAll('table.segments tbody td.num')].map((td) => td.textContent).join(' ')`), "1 1")
	screenshot(t, tab, "segments-list")
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %v", e)
	}
}
