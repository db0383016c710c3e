package browser_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestFeedAlertInBrowser: a viewer opens a saved feed, chooses
// "Immediately" in its alert form and saves; once the alert job has
// learned the feed, a new German company's visit arrives and the relay
// receives one email listing it with a link to its page. The account page
// lists the alert and turns it off. Screenshots: feed-alert,
// feed-alert-saved, account-alerts (each also at 390 px).
func TestFeedAlertInBrowser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	f := startFoyerConfig(t, app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: log,
		SMTP:       mailer.Config{Addr: relay.Addr, From: "Foyer <foyer@acme.example>", NoStartTLS: true},
		AlertDelay: 20 * time.Millisecond, AlertInterval: 100 * time.Millisecond}, "")
	ws, site := testutil.NewSite(t, f.app.Store, "Acme Industrial Components", "alerts", "www.acme-industrial.example")
	f.member(t, "olga.owner@example.com", ws.ID, foyer.RoleOwner)
	vera := f.member(t, "vera.viewer@example.com", ws.ID, foyer.RoleViewer)
	if err := f.app.Store.SetTimeZone(ctx, vera.ID, "Europe/Paris"); err != nil {
		t.Fatal(err)
	}
	feed := &foyer.SavedFeed{WorkspaceID: ws.ID, Name: "German visitors this week", Query: "country=DE&days=7"}
	if err := f.app.Store.SaveFeed(ctx, feed); err != nil {
		t.Fatal(err)
	}
	visit := func(name, domain, industry string) {
		t.Helper()
		o := foyer.Origin{Country: "DE", Org: foyer.Org{Name: name, Domain: domain, Type: foyer.OrgBusiness, Industry: industry}}
		at := time.Now().UTC().Add(-time.Minute)
		visitor := fmt.Sprintf("alerts-visitor-%016d", len(domain))
		hits := []foyer.Hit{
			{SiteID: site.ID, VisitorUID: visitor, Time: at, Kind: foyer.KindPageview, Host: "www.acme-industrial.example", Path: "/", Origin: o},
			{SiteID: site.ID, VisitorUID: visitor, Time: at.Add(20 * time.Second), Kind: foyer.KindPageview, Host: "www.acme-industrial.example", Path: "/pricing", Origin: o},
		}
		if err := f.app.Store.Append(ctx, hits); err != nil {
			t.Fatal(err)
		}
		if _, err := f.app.Store.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
	}
	visit("Bayerische Präzisionswerkzeugmaschinen AG", "praezisionswerkzeug-maschinen.example", "Industrial machinery manufacturing")

	browser := newBrowser(t)
	tab := newTab(t, browser)
	errs := watchErrors(t, tab)
	do(t, tab, "sign in", chromedp.Navigate(f.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), vera.Email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "correct horse battery"))
	clickAndLoad(t, tab, `button[type=submit]`)

	// The saved feed's page: the alert form, off.
	do(t, tab, "open the saved feed", chromedp.Navigate(fmt.Sprintf("%s/app/w/%d?%s", f.URL, ws.ID, feed.Query)),
		chromedp.WaitReady(chromedp.CSS(`form.alert-form`)))
	check(t, "the form's question", eval[string](t, tab, `document.querySelector('form.alert-form label').textContent.trim()`),
		"Email me when a new company appears in “German visitors this week”:")
	check(t, "the choices", eval[string](t, tab, `[...document.querySelectorAll('form.alert-form option')].map((o) => o.textContent).join(', ')`),
		"Immediately, Daily, Weekly, Off")
	check(t, "off at first", eval[string](t, tab, `document.querySelector('form.alert-form select').value`), "off")
	screenshot(t, tab, "feed-alert")

	// Immediately, saved.
	do(t, tab, "choose Immediately", chromedp.SetValue(chromedp.CSS(`form.alert-form select`), "immediately"))
	clickAndLoad(t, tab, `form.alert-form button`)
	check(t, "notice", eval[string](t, tab, `document.querySelector('.notice').textContent.trim()`),
		"Saved: you will get an email when a new company appears in this feed.")
	check(t, "kept", eval[string](t, tab, `document.querySelector('form.alert-form select').value`), "immediately")
	screenshot(t, tab, "feed-alert-saved")

	// The job learns the feed first: what is in it now is not new.
	deadline := time.Now().Add(waitFor)
	for {
		a, err := f.app.Store.FeedAlert(ctx, ws.ID, vera.ID, feed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !a.CheckedAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the alert job did not check the new alert")
		}
		time.Sleep(50 * time.Millisecond)
	}
	visit("Globex", "globex.example", "Software")
	var msgs []testutil.SMTPMessage
	for deadline = time.Now().Add(waitFor); len(msgs) == 0; msgs = relay.Messages() {
		if time.Now().After(deadline) {
			t.Fatal("no alert email")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(msgs) != 1 || msgs[0].To[0] != vera.Email {
		t.Fatalf("mailed: %+v", msgs)
	}
	_, raw, _ := strings.Cut(msgs[0].Data, "\r\n\r\n")
	text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	body := string(text)
	for _, want := range []string{"Globex (globex.example)", "Germany · Software · 1 visit, 2 pages",
		fmt.Sprintf("/app/w/%d/c/", ws.ID), fmt.Sprintf("/app/w/%d?%s", ws.ID, feed.Query), "/account#alerts"} {
		if !strings.Contains(body, want) {
			t.Errorf("the email lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "Bayerische") {
		t.Errorf("the email lists a company that was in the feed before:\n%s", body)
	}

	// The relay has the email before the job records it as sent: wait for
	// the record.
	for deadline = time.Now().Add(waitFor); ; time.Sleep(50 * time.Millisecond) {
		a, err := f.app.Store.FeedAlert(ctx, ws.ID, vera.ID, feed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !a.LastSentAt.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the alert job did not record the email it sent")
		}
	}

	// The account page lists it, with the email just sent, and ends it.
	do(t, tab, "open the account page", chromedp.Navigate(f.URL+"/account#alerts"), chromedp.WaitReady(chromedp.CSS(`#alerts`)))
	row := eval[string](t, tab, `document.querySelector('table.alerts tbody tr').textContent.replace(/\s+/g, ' ').trim()`)
	if !strings.Contains(row, "German visitors this week") || !strings.Contains(row, "Acme Industrial Components") || !strings.Contains(row, "(1 company)") {
		t.Errorf("the account page's alert: %q", row)
	}
	screenshot(t, tab, "account-alerts")
	do(t, tab, "choose Off", chromedp.SetValue(chromedp.CSS(`table.alerts select`), "off"))
	clickAndLoad(t, tab, `table.alerts button`)
	check(t, "none left", strings.Contains(eval[string](t, tab, `document.querySelector('#alerts').textContent`), "You have no feed alerts."), true)
	if e := errs(); len(e) > 0 {
		t.Errorf("browser errors: %q", e)
	}
}
