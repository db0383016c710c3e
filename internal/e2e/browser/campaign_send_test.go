package browser_test

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/emailtrack"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestCampaignSendInBrowser: with a relay configured, an owner sends a
// campaign from its page to two contacts at 600 a minute, one of whom the
// relay refuses; the page shows the bounce and the delivery once the
// sender is done. A second send, at one a minute, leaves two messages
// queued: the page says it is sending, with a link to reload it (a timed
// refresh would fail axe-core's meta-refresh rule). Screenshots:
// campaign-send-form, campaign-send-progress (each also at 390 px). The
// page with its form passes axe-core's checks.
func TestCampaignSendInBrowser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{RejectTo: []string{"gone@globex.example"}})
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := startFoyerConfig(t, app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: log,
		SMTP: mailer.Config{Addr: relay.Addr, From: "Acme news <news@acme.example>", NoStartTLS: true}}, "")
	ws, _ := testutil.NewSite(t, f.app.Store, "Acme Industrial Components", "send", "www.acme-industrial.example")
	f.member(t, "olga.owner@example.com", ws.ID, foyer.RoleOwner)
	for _, email := range []string{"alice@globex.example", "gone@globex.example", "bruno@globex.example", "chloe@globex.example", "dmitri@globex.example"} {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: email, Company: "Globex"}
		if err := f.app.Store.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
	}
	camp := &foyer.Campaign{WorkspaceID: ws.ID, Name: "Spring launch: precision spindles", Subject: "The spring range is here",
		HTML: campaignMessage, CreatedBy: "test"}
	for _, u := range emailtrack.Links(campaignMessage) {
		camp.Links = append(camp.Links, foyer.CampaignLink{URL: u})
	}
	if err := f.app.Store.CreateCampaign(ctx, camp); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("%s/app/w/%d/campaigns/%d", f.URL, ws.ID, camp.ID)

	tab := newTab(t, newBrowser(t))
	errs := watchErrors(t, tab)
	do(t, tab, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), "olga.owner@example.com"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab, `button[type=submit]`)
	do(t, tab, "open the campaign", chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS(`form.delivery-form`)))
	check(t, "nothing sent yet", eval[string](t, tab, `document.querySelector('section.delivery p').textContent.trim()`),
		"Foyer has not sent this campaign itself.")
	fill := func(recipients, pace string) {
		t.Helper()
		eval[string](t, tab, fmt.Sprintf(`document.querySelector('textarea[name=recipients]').value = %q;
			document.querySelector('input[name=per_minute]').value = %q`, recipients, pace))
	}
	send := func(recipients, pace string) {
		t.Helper()
		fill(recipients, pace)
		clickAndLoad(t, tab, `form.delivery-form button[type=submit]`)
	}
	fill("alice@globex.example\ngone@globex.example", "600")
	screenshot(t, tab, "campaign-send-form")
	send("alice@globex.example\ngone@globex.example", "600")
	check(t, "the notice", strings.Contains(eval[string](t, tab, `document.body.textContent`), "The send has started"), true)
	// The sender polls every second: wait until both messages are done.
	deadline := time.Now().Add(20 * time.Second)
	for {
		p, err := f.app.Store.DeliveryProgress(ctx, ws.ID, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Running() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sender did not finish: %+v", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, tab, "reload", chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS(`table.progress`)))
	row := `[...document.querySelectorAll('table.progress tbody td')].map((td) => td.textContent).join(' ')`
	check(t, "progress after the first send", eval[string](t, tab, row), "0 0 1 1 0 0 600 a minute")
	check(t, "no reload link when done", eval[int](t, tab, `document.querySelectorAll('a.reload').length`), 0)
	check(t, "tiles", eval[string](t, tab, `[...document.querySelectorAll('.tiles .n')].slice(0, 2).map((n) => n.textContent).join(' ')`), "2 1")
	send("bruno@globex.example\nchloe@globex.example\ndmitri@globex.example", "1")
	deadline = time.Now().Add(20 * time.Second)
	for {
		p, err := f.app.Store.DeliveryProgress(ctx, ws.ID, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Sent == 2 && p.Sending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sender did not send the first of the second job: %+v", p)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, tab, "reload", chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS(`table.progress`)))
	check(t, "progress while sending", eval[string](t, tab, row), "2 0 2 1 0 0 1 a minute")
	check(t, "a reload link while sending", eval[int](t, tab, `document.querySelectorAll('a.reload').length`), 1)
	screenshot(t, tab, "campaign-send-progress")
	checkAxe(t, tab, axeSource(t), "the progress and the send form") // the a11y fixture has no relay, so no form
	var to []string
	for _, m := range relay.Messages() {
		to = append(to, m.To...)
	}
	check(t, "the relay's messages", strings.Join(to, " "), "alice@globex.example bruno@globex.example")
	if e := errs(); len(e) > 0 {
		t.Errorf("page errors: %v", e)
	}
}
