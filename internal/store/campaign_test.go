package store_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/emailtrack"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestCampaignDetachAtEvent: a contact whose consent changed by a path
// that did not detach it (here the row written directly, as by a restore
// or another process) is detached by the event itself, in the event's
// transaction, before the event is written; a switch to opt-in mode
// detaches the contacts with no answer; the batching writer writes every
// event handed to it by Stop, in one go.
func TestCampaignDetachAtEvent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0)
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		s.UseKeys(testKeys(t, 5))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		other, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		var ids []int64
		for _, email := range []string{"ana@example.com", "ben@example.com", "cy@example.com"} {
			c := &foyer.Contact{WorkspaceID: ws.ID, Email: email}
			if err := s.CreateContact(ctx, c, "test"); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		if _, _, _, err := s.RecordConsent(ctx, ws.ID, ids[2], foyer.ConsentChange{Status: foyer.ConsentAccepted, Source: foyer.SourceAdmin, Actor: "t"}); err != nil {
			t.Fatal(err)
		}
		camp := &foyer.Campaign{WorkspaceID: ws.ID, Name: "N", Subject: "S", HTML: "<p>x</p>", CreatedBy: "t",
			Links: []foyer.CampaignLink{{URL: "https://a.example/"}, {URL: "https://b.example/"}}}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SendCampaign(ctx, other.ID, camp.ID, []foyer.Recipient{{ContactID: ids[0]}}); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("another workspace sends: %v", err)
		}
		made, err := s.SendCampaign(ctx, ws.ID, camp.ID, []foyer.Recipient{{ContactID: ids[0]}, {Email: "BEN@example.com"}, {ContactID: ids[2]}})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range made {
			if m.Err != nil || !m.Tracked || len(m.Links) != 2 || len(m.Open) != 32 {
				t.Fatalf("recipient %d: %+v", i, m)
			}
		}
		// Ana's refusal reaches the row behind the store's back.
		if _, err := s.DB().ExecContext(ctx, rebind(d, `UPDATE contacts SET tracking_consent = 'refused' WHERE id = ?`), ids[0]); err != nil {
			t.Fatal(err)
		}
		tok, err := s.EmailToken(ctx, made[0].Links[0])
		if err != nil {
			t.Fatal(err)
		}
		if tok.ContactID != 0 || tok.Linkable || tok.URL != "https://a.example/" || tok.Links != 2 {
			t.Errorf("token of a refuser: %+v", tok)
		}
		w := emailtrack.NewWriter(s, slog.Default())
		w.Start()
		clock.Add(time.Hour)
		for _, m := range made {
			for _, link := range []string{m.Open, m.Links[1]} {
				tk, err := s.EmailToken(ctx, link)
				if err != nil {
					t.Fatal(err)
				}
				kind := foyer.HitClick
				if tk.LinkID == 0 {
					kind = foyer.HitOpen
				}
				if err := w.Record(ctx, foyer.EmailEvent{WorkspaceID: tk.WorkspaceID, CampaignID: tk.CampaignID, RecipientID: tk.RecipientID,
					LinkID: tk.LinkID, Kind: kind, At: clock.Now(), Links: tk.Links}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		var linkedAna, events int
		s.DB().QueryRowContext(ctx, rebind(d, `SELECT COUNT(*) FROM campaign_recipients WHERE contact_id = ?`), ids[0]).Scan(&linkedAna)
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM email_events`).Scan(&events)
		if linkedAna != 0 || events != 6 {
			t.Errorf("Ana linked %d times, %d events; want 0 and 6", linkedAna, events)
		}
		// Opt-in: Ben (no answer) is detached, Cy (accepted) stays.
		if _, err := s.SetTrackingMode(ctx, ws.ID, foyer.TrackingOptIn, "t", ""); err != nil {
			t.Fatal(err)
		}
		engaged, untracked, err := s.EngagedContacts(ctx, ws.ID, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(engaged) != 1 || engaged[0].ContactID != ids[2] || engaged[0].Opens != 1 || engaged[0].Clicks != 1 || untracked != 2 {
			t.Errorf("engaged %+v, untracked %d", engaged, untracked)
		}
		var linked int
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_recipients WHERE contact_id IS NOT NULL`).Scan(&linked)
		if linked != 1 {
			t.Errorf("%d recipients linked after the switch to opt-in, want 1", linked)
		}
		got, err := s.Campaign(ctx, ws.ID, camp.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tt := got.Totals; tt.Sent != 3 || tt.UniqueOpens != 3 || tt.UniqueClicks != 3 || tt.Untracked != 2 || got.Links[1].Clicks != 3 {
			t.Errorf("totals %+v, links %+v", tt, got.Links)
		}
		if _, err := s.Campaign(ctx, other.ID, camp.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("another workspace reads the campaign: %v", err)
		}
		if list, err := s.ContactCampaigns(ctx, ws.ID, ids[1]); err != nil || len(list) != 0 {
			t.Errorf("Ben's campaigns: %v %v", list, err)
		}
		if list, err := s.ContactCampaigns(ctx, ws.ID, ids[2]); err != nil || len(list) != 1 || list[0].FirstClick.IsZero() {
			t.Errorf("Cy's campaigns: %+v %v", list, err)
		}
		// A restore replays Cy's erasure: the row that pointed at Cy is
		// detached with it.
		if n, err := s.ReplayErasures(ctx, []foyer.Erasure{{WorkspaceID: ws.ID, ContactID: ids[2], EmailHash: []byte("not this one"), At: clock.Now(), Actor: "t"}}); err != nil || n != 1 {
			t.Fatalf("replay: %d %v", n, err)
		}
		s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_recipients WHERE contact_id IS NOT NULL`).Scan(&linked)
		if linked != 0 {
			t.Errorf("%d recipients linked after the replayed erasure, want 0", linked)
		}
	})
}

// rebind writes a test's ? placeholders as PostgreSQL's $1, $2 … on d.
func rebind(d store.Dialect, q string) string {
	if d != store.Postgres {
		return q
	}
	var b []byte
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b = append(b, '$')
			b = strconv.AppendInt(b, int64(n), 10)
			continue
		}
		b = append(b, q[i])
	}
	return string(b)
}
