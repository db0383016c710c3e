package store_test

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestDeliveriesScoped: another workspace cannot queue a campaign's
// messages nor read its progress (ENOTFOUND), nor send to its own
// contacts through it; a pace out of range is EINVALID; a tracked
// recipient's message keeps no address, and its address is read from
// the contact when taken; a message cannot end "sending".
func TestDeliveriesScoped(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		clock := testutil.NewClock(t0)
		s := testutil.NewStore(t, d, store.Options{Now: clock.Now})
		s.UseKeys(testKeys(t, 5))
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		other, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		ana := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com"}
		if err := s.CreateContact(ctx, ana, "test"); err != nil {
			t.Fatal(err)
		}
		camp := &foyer.Campaign{WorkspaceID: ws.ID, Name: "N", Subject: "S", HTML: "<p>x</p>", CreatedBy: "t"}
		if err := s.CreateCampaign(ctx, camp); err != nil {
			t.Fatal(err)
		}
		job := foyer.DeliveryJob{WorkspaceID: other.ID, CampaignID: camp.ID, To: []foyer.Recipient{{ContactID: ana.ID}}, BaseURL: "https://f.example"}
		if _, err := s.QueueDeliveries(ctx, job); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("another workspace queues: %v", err)
		}
		if _, err := s.DeliveryProgress(ctx, other.ID, camp.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("another workspace reads the progress: %v", err)
		}
		job.WorkspaceID, job.PerMinute = ws.ID, foyer.MaxDeliveryPace+1
		if _, err := s.QueueDeliveries(ctx, job); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Fatalf("pace %d: %v", job.PerMinute, err)
		}
		job.PerMinute = 0
		made, err := s.QueueDeliveries(ctx, job)
		if err != nil || made[0].Err != nil || !made[0].Tracked {
			t.Fatalf("queue: %+v %v", made, err)
		}
		var addresses int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_deliveries WHERE address IS NOT NULL OR address_hash IS NOT NULL`).Scan(&addresses); err != nil {
			t.Fatal(err)
		}
		if addresses != 0 {
			t.Fatal("a tracked recipient's message keeps an address")
		}
		if p, err := s.DeliveryProgress(ctx, ws.ID, camp.ID); err != nil || p.Queued != 1 || p.PerMinute != foyer.DefaultDeliveryPace {
			t.Fatalf("progress %+v %v", p, err)
		}
		dl, err := s.TakeDelivery(ctx, t0)
		if err != nil || dl.To != "ana@example.com" || dl.Open == "" || dl.Subject != "S" {
			t.Fatalf("take: %+v %v", dl, err)
		}
		if err := s.FinishDelivery(ctx, dl.ID, foyer.DeliveryOutcome{State: foyer.MessageSending}); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Fatalf("finish as sending: %v", err)
		}
		if _, err := s.TakeDelivery(ctx, t0); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("a message taken twice: %v", err)
		}
	})
}
