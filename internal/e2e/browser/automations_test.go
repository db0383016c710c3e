package browser_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
)

// TestAutomationInBrowser: an owner makes a rule on the new automation
// page (a segment entered, a webhook and a Slack post), sees its secret
// once, and, after a contact enters the segment, the rule's delivery log:
// the webhook delivered, the Slack post that got a 500 waiting for its
// retry. A viewer sees the rule but cannot change it. Screenshots:
// automation-new, automation-created, automation-log, automations.
func TestAutomationInBrowser(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := startFoyerConfig(t, app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: log,
		AutomationsAllowPrivate: true, AutomationsPoll: 50 * time.Millisecond}, "")
	ctx := context.Background()
	site := f.newSite(t, "automations")
	ws := site.WorkspaceID
	owner := f.member(t, "olga@acme.example", ws, foyer.RoleOwner)
	viewer := f.member(t, "vera@acme.example", ws, foyer.RoleViewer)
	ada := &foyer.Contact{WorkspaceID: ws, Email: "ada@client.example", FirstName: "Ada", LastName: "Lovelace",
		Consent: foyer.ConsentState{Status: foyer.ConsentAccepted, At: time.Now().Add(-time.Hour)}}
	if err := f.app.Store.CreateContact(ctx, ada, "test"); err != nil {
		t.Fatal(err)
	}
	var seg int64
	for _, s := range []struct{ name, def string }{{"Read the pricing page", `{"match":"all","conditions":[{"kind":"visited","path":"/pricing","days":30}]}`}, {"Sales follow-up", ""}} {
		var id int64
		if err := f.app.Store.DB().QueryRowContext(ctx, `INSERT INTO segments (workspace_id, name, definition, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'test', 0, 0) RETURNING id`, ws, s.name, s.def).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if seg == 0 {
			seg = id
		}
	}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slack" {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	t.Cleanup(rcv.Close)

	browser := newBrowser(t)
	o := newTab(t, browser)
	errs := watchErrors(t, o)
	do(t, o, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), owner.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, o, `button[type=submit]`)
	list := fmt.Sprintf("%s/app/w/%d/automations", f.URL, ws)
	do(t, o, "the list", chromedp.Navigate(list), chromedp.WaitVisible(chromedp.CSS(`#rules-title`)))
	check(t, "the empty list", strings.Contains(eval[string](t, o, `document.body.innerText`), "No automation yet."), true)
	clickAndLoad(t, o, `a[href$="/automations/new"]`)
	check(t, "only tracked by default", eval[bool](t, o, `document.querySelector('input[name=only_tracked]').checked`), true)
	do(t, o, "fill the rule",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Pricing readers to sales"),
		chromedp.SetValue(chromedp.CSS(`select[name=segment]`), fmt.Sprint(seg)),
		chromedp.SendKeys(chromedp.CSS(`input[name=webhook]`), rcv.URL+"/hook"),
		chromedp.SendKeys(chromedp.CSS(`input[name=slack]`), rcv.URL+"/slack"))
	screenshot(t, o, "automation-new")
	clickAndLoad(t, o, `form.rule-editor button[type=submit]`)
	text := eval[string](t, o, `document.body.innerText`)
	check(t, "made", strings.Contains(text, "The automation is made."), true)
	secret := eval[string](t, o, `document.querySelector('textarea.token').value`)
	check(t, "the secret", strings.HasPrefix(secret, "whsec_"), true)
	screenshot(t, o, "automation-created")
	rules, err := f.app.Store.AutomationRules(ctx, ws)
	if err != nil || len(rules) != 1 || !rules[0].OnlyTracked || len(rules[0].Actions) != 2 {
		t.Fatalf("stored %+v, %v", rules, err)
	}
	page := fmt.Sprintf("%s/app/w/%d/automations/%d", f.URL, ws, rules[0].ID)

	// Ada enters the segment; the worker runs the rule.
	if _, err := f.app.Store.DB().ExecContext(ctx, `INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, behavioural, at)
		VALUES (?, 'segment-entered', ?, ?, 1, ?)`, ws, seg, ada.ID, time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		do(t, o, "the rule's page", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#log-title`)))
		text = eval[string](t, o, `document.body.innerText`)
		if strings.Contains(text, "HTTP 200") && strings.Contains(text, "HTTP 500") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no deliveries on the page:\n%s", text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	check(t, "the secret is not shown again", strings.Contains(text, secret), false)
	check(t, "delivered", strings.Contains(text, "delivered"), true)
	check(t, "pending", strings.Contains(text, "pending"), true)
	do(t, o, "to the log", chromedp.ScrollIntoView(chromedp.CSS(`#log-title`)))
	screenshot(t, o, "automation-log")
	do(t, o, "the list", chromedp.Navigate(list), chromedp.WaitVisible(chromedp.CSS(`#rules-title`)))
	check(t, "listed", strings.Contains(eval[string](t, o, `document.body.innerText`), "Pricing readers to sales"), true)
	screenshot(t, o, "automations")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}

	v := newTab(t, browser)
	do(t, v, "sign in as the viewer", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), viewer.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, v, `button[type=submit]`)
	do(t, v, "the rule as a viewer", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`#log-title`)))
	check(t, "no editor", eval[bool](t, v, `document.querySelector('form.rule-editor') === null`), true)
	check(t, "the summary", strings.Contains(eval[string](t, v, `document.body.innerText`), "Only tracked contacts: a contact who may not be tracked"), true)
	check(t, "no delete", eval[bool](t, v, `document.querySelector('form[action$="/delete"]') === null`), true)
}
