package campaignsend_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// BenchmarkTakeAndFinish: the store's part of one message on SQLite: take
// the next due message (its address read from the contact, its tokens
// opened) and record it sent. The relay is not in it.
func BenchmarkTakeAndFinish(b *testing.B) {
	f := newFixture(b, store.SQLite)
	var to []foyer.Recipient
	for i := range foyer.MaxCampaignRecipients {
		c := &foyer.Contact{WorkspaceID: f.ws.ID, Email: fmt.Sprintf("bench-%d@example.com", i)}
		if err := f.st.CreateContact(f.ctx, c, "test"); err != nil {
			b.Fatal(err)
		}
		to = append(to, foyer.Recipient{ContactID: c.ID})
	}
	queue := func() {
		if _, err := f.st.QueueDeliveries(f.ctx, foyer.DeliveryJob{WorkspaceID: f.ws.ID, CampaignID: f.camp.ID, To: to,
			PerMinute: foyer.MaxDeliveryPace, BaseURL: "https://foyer.example", CreatedBy: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	queue()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f.clock.Add(time.Second)
		d, err := f.st.TakeDelivery(f.ctx, f.clock.Now())
		if foyer.ErrorCode(err) == foyer.ENOTFOUND {
			b.StopTimer()
			queue()
			b.StartTimer()
			d, err = f.st.TakeDelivery(f.ctx, f.clock.Now())
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := f.st.FinishDelivery(f.ctx, d.ID, foyer.DeliveryOutcome{State: foyer.MessageSent}); err != nil {
			b.Fatal(err)
		}
	}
}
