package campaignsend_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/campaignsend"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

var start = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// fixture is a store with a workspace, its contacts, a campaign with a
// link, a relay that refuses gone@example.com and defers later@example.com,
// and a sender on the fake clock.
type fixture struct {
	t        testing.TB
	ctx      context.Context
	d        store.Dialect
	clock    *testutil.Clock
	st       *store.Store
	relay    *testutil.SMTPServer
	ws       *foyer.Workspace
	camp     *foyer.Campaign
	contacts map[string]int64
	sender   *campaignsend.Sender
}

func newFixture(t testing.TB, d store.Dialect) *fixture {
	f := &fixture{t: t, ctx: context.Background(), d: d, clock: testutil.NewClock(start), contacts: map[string]int64{}}
	f.st = testutil.NewStore(t, d, store.Options{Now: f.clock.Now})
	keys, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	f.st.UseKeys(keys)
	f.relay = testutil.NewSMTPServer(t, testutil.SMTPOptions{RejectTo: []string{"gone@example.com"}, Defer: []string{"later@example.com"}})
	m, err := mailer.New(mailer.Config{Addr: f.relay.Addr, From: "news@acme.example", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	f.ws, _ = testutil.NewSite(t, f.st, "Acme", "acme", "www.example.com")
	for _, email := range []string{"ana@example.com", "ben@example.com", "cy@example.com", "gone@example.com", "later@example.com"} {
		c := &foyer.Contact{WorkspaceID: f.ws.ID, Email: email}
		if err := f.st.CreateContact(f.ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		f.contacts[email] = c.ID
	}
	// Cy refused tracking: the recipient row has no link to the contact.
	if _, _, _, err := f.st.RecordConsent(f.ctx, f.ws.ID, f.contacts["cy@example.com"],
		foyer.ConsentChange{Status: foyer.ConsentRefused, Source: foyer.SourceAdmin, Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	f.camp = &foyer.Campaign{WorkspaceID: f.ws.ID, Name: "Spring", Subject: "Spring news",
		HTML: `<p>Hello</p><p><a href="https://acme.example/spring">Read</a></p>`, CreatedBy: "t",
		Links: []foyer.CampaignLink{{URL: "https://acme.example/spring"}}}
	if err := f.st.CreateCampaign(f.ctx, f.camp); err != nil {
		t.Fatal(err)
	}
	f.sender = &campaignsend.Sender{Store: f.st, Mail: m, Now: f.clock.Now, Retry: time.Minute,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return f
}

// queue starts a job for the addresses at perMinute.
func (f *fixture) queue(perMinute int, emails ...string) {
	f.t.Helper()
	var to []foyer.Recipient
	for _, e := range emails {
		to = append(to, foyer.Recipient{Email: e})
	}
	made, err := f.st.QueueDeliveries(f.ctx, foyer.DeliveryJob{WorkspaceID: f.ws.ID, CampaignID: f.camp.ID, To: to,
		PerMinute: perMinute, BaseURL: "https://foyer.example", CreatedBy: "t"})
	if err != nil {
		f.t.Fatal(err)
	}
	for i, m := range made {
		if m.Err != nil {
			f.t.Fatalf("recipient %d: %v", i, m.Err)
		}
	}
}

// run runs the sender once and returns what it did.
func (f *fixture) run() campaignsend.Result {
	f.t.Helper()
	res, err := f.sender.Run(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) progress() foyer.DeliveryProgress {
	f.t.Helper()
	p, err := f.st.DeliveryProgress(f.ctx, f.ws.ID, f.camp.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// count runs a COUNT(*) query.
func (f *fixture) count(q string) int {
	f.t.Helper()
	if f.d == store.Postgres {
		n := 0
		for strings.Contains(q, "?") {
			n++
			q = strings.Replace(q, "?", "$"+string(rune('0'+n)), 1)
		}
	}
	var n int
	if err := f.st.DB().QueryRowContext(f.ctx, q).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// recipients lists the addresses the relay accepted messages for, in order.
func (f *fixture) recipients() []string {
	var out []string
	for _, m := range f.relay.Messages() {
		out = append(out, m.To...)
	}
	return out
}

func forEachDialect(t *testing.T, test func(t *testing.T, d store.Dialect)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			test(t, d)
		})
	}
}

// TestSenderJob: a job of four recipients at 60 a minute sends one
// message a second of the fake clock; the relay's refusal of one is its
// bounce (without the address), the others are delivered; the untracked
// recipient's sealed address is kept until its message went, then
// deleted; each message is multipart with the recipient's own tokens.
func TestSenderJob(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.queue(60, "ana@example.com", "cy@example.com", "gone@example.com", "ben@example.com")
		if n := f.count(`SELECT COUNT(*) FROM campaign_deliveries WHERE address IS NOT NULL`); n != 1 {
			t.Fatalf("%d sealed addresses, want 1 (the untracked recipient's)", n)
		}
		// Sealed, not in clear: no stored byte string holds an address (a
		// LIKE '%@%' would match the '@' byte that ciphertext holds by
		// chance one time in seven).
		rows, err := f.st.DB().QueryContext(f.ctx, `SELECT address FROM campaign_deliveries WHERE address IS NOT NULL`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var sealed []byte
			if err := rows.Scan(&sealed); err != nil {
				t.Fatal(err)
			}
			for _, email := range []string{"ana@example.com", "cy@example.com", "gone@example.com", "ben@example.com", "example.com"} {
				if bytes.Contains(sealed, []byte(email)) {
					t.Fatalf("%q is stored in clear", email)
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if p := f.progress(); p.Queued != 4 || p.PerMinute != 60 || !p.Running() {
			t.Fatalf("progress %+v", p)
		}
		// The pace: one message now, none until a second has passed.
		if res := f.run(); res.Sent != 1 {
			t.Fatalf("first run: %+v", res)
		}
		f.clock.Add(999 * time.Millisecond)
		if res := f.run(); res != (campaignsend.Result{}) {
			t.Fatalf("run before the pace allows: %+v", res)
		}
		for i := 0; i < 3; i++ {
			f.clock.Add(time.Second)
			if res := f.run(); res.Sent+res.Bounced != 1 {
				t.Fatalf("run %d: %+v", i, res)
			}
		}
		if got := strings.Join(f.recipients(), " "); got != "ana@example.com cy@example.com ben@example.com" {
			t.Fatalf("relay got %q", got)
		}
		p := f.progress()
		if p != (foyer.DeliveryProgress{Sent: 3, Bounced: 1, PerMinute: 60}) || p.Running() {
			t.Fatalf("progress %+v", p)
		}
		c, err := f.st.Campaign(f.ctx, f.ws.ID, f.camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Totals.Sent != 4 || c.Totals.Bounced != 1 || c.Totals.Delivered != 3 || c.Totals.Untracked != 1 {
			t.Fatalf("totals %+v", c.Totals)
		}
		if n := f.count(`SELECT COUNT(*) FROM campaign_recipients WHERE delivered_at <> 0`); n != 3 {
			t.Fatalf("%d delivered, want 3", n)
		}
		var bounce string
		if err := f.st.DB().QueryRowContext(f.ctx, `SELECT bounce FROM campaign_recipients WHERE bounced_at <> 0`).Scan(&bounce); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(bounce, "550") || strings.Contains(bounce, "@") {
			t.Fatalf("bounce %q", bounce)
		}
		if n := f.count(`SELECT COUNT(*) FROM campaign_deliveries WHERE address IS NOT NULL OR address_hash IS NOT NULL OR tokens IS NOT NULL`); n != 0 {
			t.Fatalf("%d messages keep an address or tokens once done", n)
		}
		// Each copy has its own pixel and wrapped link, in both parts.
		seen := map[string]bool{}
		for _, m := range f.relay.Messages() {
			html := htmlPart(t, m.Data)
			i := strings.Index(html, "https://foyer.example/o/")
			if i < 0 || !strings.Contains(html, "https://foyer.example/c/") || strings.Contains(html, `href="https://acme.example/spring"`) {
				t.Fatalf("message to %v:\n%s", m.To, html)
			}
			pixel := html[i : i+60]
			if seen[pixel] {
				t.Fatal("two recipients share a pixel")
			}
			seen[pixel] = true
		}
	})
}

// htmlPart decodes the HTML part of a message.
func htmlPart(t *testing.T, data string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err != nil {
			t.Fatalf("no html part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			b, _ := io.ReadAll(p)
			return string(b)
		}
	}
}

// TestSenderRestart: a message taken and not finished (the process died
// while the relay had it) is marked unknown at the next start and not
// sent again; the rest of the job goes on; nobody gets two messages.
func TestSenderRestart(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.queue(120, "ana@example.com", "ben@example.com", "cy@example.com")
		if res := f.run(); res.Sent != 1 {
			t.Fatalf("first run: %+v", res)
		}
		f.clock.Add(time.Second)
		// The crash: the store marked Ben's message sending; no outcome came.
		taken, err := f.st.TakeDelivery(f.ctx, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if taken.To != "ben@example.com" {
			t.Fatalf("took %q", taken.To)
		}
		// The next start.
		if err := f.sender.Recover(f.ctx); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			f.clock.Add(time.Second)
			f.run()
		}
		if got := strings.Join(f.recipients(), " "); got != "ana@example.com cy@example.com" {
			t.Fatalf("relay got %q", got)
		}
		if p := f.progress(); p != (foyer.DeliveryProgress{Sent: 2, Unknown: 1, PerMinute: 120}) {
			t.Fatalf("progress %+v", p)
		}
		if n := f.count(`SELECT COUNT(*) FROM campaign_deliveries WHERE tokens IS NOT NULL OR address IS NOT NULL`); n != 0 {
			t.Fatalf("%d messages keep tokens or an address", n)
		}
	})
}

// TestSenderDeferredAndErased: a recipient the relay defers is tried
// again after the retry wait, and fails after MaxDeliveryAttempts; an
// untracked recipient erased before its message went is never mailed and
// its sealed address is gone at once.
func TestSenderDeferredAndErased(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.queue(60, "later@example.com", "cy@example.com")
		if _, err := f.st.EraseContact(f.ctx, f.ws.ID, f.contacts["cy@example.com"], "t", ""); err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT COUNT(*) FROM campaign_deliveries WHERE address IS NOT NULL OR address_hash IS NOT NULL`); n != 0 {
			t.Fatalf("the erased contact's sealed address is kept")
		}
		if res := f.run(); res.Deferred != 1 {
			t.Fatalf("first run: %+v", res)
		}
		f.clock.Add(30 * time.Second) // within the retry wait
		if res := f.run(); res != (campaignsend.Result{}) {
			t.Fatalf("run within the retry wait: %+v", res)
		}
		f.clock.Add(time.Minute)
		if res := f.run(); res.Deferred != 1 {
			t.Fatalf("second try: %+v", res)
		}
		f.clock.Add(2 * time.Minute)
		if res := f.run(); res.Failed != 1 {
			t.Fatalf("last try: %+v", res)
		}
		if p := f.progress(); p != (foyer.DeliveryProgress{Failed: 2, PerMinute: 60}) {
			t.Fatalf("progress %+v", p)
		}
		if len(f.relay.Messages()) != 0 {
			t.Fatal("the relay got a message")
		}
	})
}

// TestSenderRelayDown: a relay that cannot be reached puts the message
// off (it is tried again later), with a reason that names no address.
func TestSenderRelayDown(t *testing.T) {
	f := newFixture(t, store.SQLite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	m, err := mailer.New(mailer.Config{Addr: addr, From: "news@acme.example", NoStartTLS: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	f.sender.Mail = m
	f.queue(60, "ana@example.com")
	if res := f.run(); res.Deferred != 1 {
		t.Fatalf("run: %+v", res)
	}
	var reason string
	if err := f.st.DB().QueryRowContext(f.ctx, `SELECT error FROM campaign_deliveries`).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if reason != "the mail server could not be reached" {
		t.Fatalf("reason %q", reason)
	}
	if p := f.progress(); p.Queued != 1 {
		t.Fatalf("progress %+v", p)
	}
}
