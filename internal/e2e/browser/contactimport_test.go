package browser_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// contactFile writes a CSV file of n contacts, LOCAL0@example.com and on,
// whose address column is named "Mail" and with a column "Plan", both
// unknown to Foyer, and a last row with a bad address.
func contactFile(t *testing.T, name, local string, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString("Mail,first_name,Plan,tracking_consent,tracking_consent_at\n")
	for i := range n {
		fmt.Fprintf(w, "%s%d@example.com,Person %d,gold,%s,2025-03-%02d\n", local, i, i, []string{"accepted", "refused"}[i%2], 1+i%28)
	}
	w.WriteString("not an address,Nobody,,,\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// waitJS waits until the expression is true in the page (reloads
// included), at most limit.
func waitJS(t *testing.T, ctx context.Context, what, expr string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && v {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s (last: %v, %v)", what, limit, v, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestContactImportInBrowser: an analyst uploads a CSV file, maps its two
// unknown columns, sees the preview (nothing written yet), imports it
// with the progress bar moving, and lands on its record; a second import,
// cancelled while it runs, keeps exactly the whole rows its record
// counts; without script the page refreshes itself to the preview; a
// viewer is refused the page. Screenshots: contact-import,
// contact-import-mapping, contact-import-preview,
// contact-import-progress, contact-import-done,
// contact-import-cancelled.
func TestContactImportInBrowser(t *testing.T) {
	t.Parallel()
	f := startFoyer(t)
	st := f.app.Store
	ctx0 := context.Background()
	site := f.newSite(t, "imports")
	ws := site.WorkspaceID
	analyst := f.member(t, "ana@example.com", ws, foyer.RoleAnalyst)
	f.member(t, "vic@example.com", ws, foyer.RoleViewer)
	browser := newBrowser(t)
	signIn := func(email string) context.Context {
		tab := newTab(t, browser)
		do(t, tab, "sign in", chromedp.Navigate(f.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
		clickAndLoad(t, tab, `button[type=submit]`)
		return tab
	}
	page := fmt.Sprintf("%s/app/w/%d/contacts/import", f.URL, ws)
	a := signIn(analyst.Email)
	errs := watchErrors(t, a)
	text := func(sel string) string {
		return eval[string](t, a, `(document.querySelector('`+sel+`') || {textContent: ''}).textContent`)
	}
	count := func() int64 {
		var n int64
		if err := st.DB().QueryRowContext(ctx0, `SELECT count(*) FROM contacts WHERE workspace_id = ?`, ws).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Upload, mapping, preview.
	const rows = 12000
	do(t, a, "the import page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`input[type=file]`)))
	check(t, "the limit said", strings.Contains(text("main"), "at most 512 MB"), true)
	screenshot(t, a, "contact-import")
	do(t, a, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{contactFile(t, "people.csv", "person", rows)}))
	clickAndLoad(t, a, `form.upload button[type=submit]`)
	check(t, "mapping step", eval[int](t, a, `document.querySelectorAll('form.mapping select').length`), 2)
	do(t, a, "map the columns",
		chromedp.SetValue(chromedp.CSS(`select[name="to.0"]`), "email"),
		chromedp.SetValue(chromedp.CSS(`select[name="to.1"]`), "attr.plan"))
	screenshot(t, a, "contact-import-mapping")
	axe := axeSource(t)
	checkPage(t, a, axe, "contact-import-mapping", "")
	clickAndLoad(t, a, `form.mapping button[type=submit]`)
	waitJS(t, a, "the preview", `!!document.querySelector('section.preview')`, 60*time.Second)
	check(t, "preview counts", eval[string](t, a, `[...document.querySelectorAll('dl.counts dd')].map((d) => d.textContent).join(' ')`),
		fmt.Sprintf("%d 0 0 1", rows))
	waitJS(t, a, "the rejected row", fmt.Sprintf(`(document.querySelector('table.rejections') || {textContent: ''}).textContent.includes('%d')`, rows+2), 10*time.Second)
	check(t, "nothing written by the preview", count(), int64(0))
	screenshot(t, a, "contact-import-preview")
	checkPage(t, a, axe, "contact-import-preview", "")

	// Import, with the progress bar, to the record.
	clickAndLoad(t, a, `form[action$="/start"] button`)
	waitJS(t, a, "progress", `(() => { const p = document.querySelector('progress'); return !!p && p.value > 0 && p.value < 100; })()`, 60*time.Second)
	screenshot(t, a, "contact-import-progress")
	waitJS(t, a, "the record", `location.pathname.match(/\/contacts\/import\/records\/\d+$/) !== null && !!document.querySelector('.notice')`, 120*time.Second)
	check(t, "done notice", strings.Contains(text(".notice"), "The import is done"), true)
	check(t, "record state", text(".state"), "done")
	check(t, "contacts", count(), int64(rows))
	c, err := st.ContactByEmail(ctx0, ws, "person7@example.com")
	if err != nil || c.Attrs["plan"] != "gold" || c.Consent.Status != foyer.ConsentRefused {
		t.Errorf("an imported contact: %+v, %v", c, err)
	}
	screenshot(t, a, "contact-import-done")

	// A second file, cancelled while it is imported.
	do(t, a, "the import page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`input[type=file]`)))
	check(t, "past import listed", strings.Contains(text("table.imports"), "people.csv"), true)
	do(t, a, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{contactFile(t, "more.csv", "more", rows)}))
	clickAndLoad(t, a, `form.upload button[type=submit]`)
	do(t, a, "map the columns", chromedp.SetValue(chromedp.CSS(`select[name="to.0"]`), "email"))
	clickAndLoad(t, a, `form.mapping button[type=submit]`)
	waitJS(t, a, "the preview", `!!document.querySelector('section.preview')`, 60*time.Second)
	clickAndLoad(t, a, `form[action$="/start"] button`)
	waitJS(t, a, "progress", `(() => { const p = document.querySelector('progress'); return !!p && p.value > 0; })()`, 60*time.Second)
	clickAndLoad(t, a, `section.running form[action$="/cancel"] button`)
	check(t, "cancelled notice", strings.Contains(text(".notice"), "The import is cancelled"), true)
	screenshot(t, a, "contact-import-cancelled")
	list, err := st.ContactImports(ctx0, ws, 1)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	rec := list[0]
	if rec.State != store.ImportCancelled || rec.New+rec.Unchanged+rec.Updated >= rows {
		t.Errorf("the cancelled import's record: %+v", rec)
	}
	check(t, "contacts after the cancelled import", count(), int64(rows)+rec.New)
	check(t, "record state", text(".state"), "cancelled")
	if b, err := st.VerifyConsent(ctx0, ws); err != nil || b != nil {
		t.Errorf("consent history: %v, %v", b, err)
	}

	// Without script: the page refreshes itself until the preview.
	do(t, a, "the import page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`input[type=file]`)))
	do(t, a, "choose the file", chromedp.SetUploadFiles(chromedp.CSS(`input[type=file]`), []string{contactFile(t, "third.csv", "person", 3000)}))
	clickAndLoad(t, a, `form.upload button[type=submit]`)
	do(t, a, "map the columns", chromedp.SetValue(chromedp.CSS(`select[name="to.0"]`), "email"))
	noScript := func(off bool) {
		if _, err := chromedp.Call(a, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off}); err != nil {
			t.Fatal(err)
		}
	}
	noScript(true)
	clickAndLoad(t, a, `form.mapping button[type=submit]`)
	check(t, "progress page without script", eval[bool](t, a, `!!document.querySelector('section.running')`), true)
	waitJS(t, a, "the preview without script", `!!document.querySelector('section.preview')`, 60*time.Second)
	noScript(false)
	clickAndLoad(t, a, `section.preview form[action$="/cancel"] button`)
	check(t, "upload cancelled", strings.Contains(text(".notice"), "Nothing was imported"), true)

	for _, e := range errs() {
		t.Errorf("page error: %s", e)
	}

	// A viewer is refused.
	v := signIn("vic@example.com")
	do(t, v, "the import page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`h1`)))
	check(t, "viewer refused", eval[string](t, v, `document.querySelector('h1').textContent`) != "Import contacts", true)
}
