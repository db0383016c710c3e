package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestCampaignSenderAcrossRestart: with a relay configured, serve sends a
// delivery job at its pace; a message the previous process had marked
// sending when it died is marked unknown by the next start and never
// sent again, and that start goes on with the rest of the job.
func TestCampaignSenderAcrossRestart(t *testing.T) {
	ctx := context.Background()
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	db := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	cfg := Config{Listen: "127.0.0.1:0", DB: db, Log: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		PublicURL: "https://foyer.example.org", RetentionDelay: 1 << 40,
		SMTP: mailer.Config{Addr: relay.Addr, From: "news@acme.example", NoStartTLS: true}}
	a, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := a.Store.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	var to []foyer.Recipient
	for _, email := range []string{"ana@example.com", "ben@example.com", "cy@example.com"} {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: email}
		if err := a.Store.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		to = append(to, foyer.Recipient{ContactID: c.ID})
	}
	camp := &foyer.Campaign{WorkspaceID: ws.ID, Name: "N", Subject: "S", HTML: "<p>x</p>", CreatedBy: "t"}
	if err := a.Store.CreateCampaign(ctx, camp); err != nil {
		t.Fatal(err)
	}
	// One a minute: the running sender mails Ana's at once, then waits.
	if _, err := a.Store.QueueDeliveries(ctx, foyer.DeliveryJob{WorkspaceID: ws.ID, CampaignID: camp.ID, To: to, PerMinute: 1,
		BaseURL: "https://foyer.example.org", CreatedBy: "t"}); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, done func(foyer.DeliveryProgress) bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			p, err := a.Store.DeliveryProgress(ctx, ws.ID, camp.ID)
			if err != nil {
				t.Fatal(err)
			}
			if done(p) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %+v", what, p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the first message", func(p foyer.DeliveryProgress) bool { return p.Sent == 1 })
	// The crash: Ben's message taken (as a sender two minutes on would)
	// and never finished.
	taken, err := a.Store.TakeDelivery(ctx, time.Now().Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	// The next start, with a fast pace for the rest.
	a, err = New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Store.DB().ExecContext(ctx, `UPDATE campaign_delivery_jobs SET per_minute = 600, next_at = 0`); err != nil {
		t.Fatal(err)
	}
	waitFor("the rest of the job", func(p foyer.DeliveryProgress) bool { return !p.Running() })
	p, _ := a.Store.DeliveryProgress(ctx, ws.ID, camp.ID)
	if p.Sent != 2 || p.Unknown != 1 {
		t.Fatalf("progress %+v", p)
	}
	got := map[string]int{}
	for _, m := range relay.Messages() {
		for _, r := range m.To {
			got[r]++
		}
	}
	if len(got) != 2 || got["ana@example.com"] != 1 || got["cy@example.com"] != 1 || got[taken.To] != 0 {
		t.Fatalf("the relay got %v (the interrupted message was %s's)", got, taken.To)
	}
}
