package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// BenchmarkAutomationEvents measures the worker's pass over the events
// (match with five rules, check consent, write the outbox, move the
// cursor), in batches of 100: events/s.
func BenchmarkAutomationEvents(b *testing.B) {
	for _, d := range testutil.Dialects {
		b.Run(string(d), func(b *testing.B) {
			dsn := testutil.NewDSN(b, d)
			s, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close() })
			keys, err := vault.New(bytes.Repeat([]byte{6}, vault.KeySize))
			if err != nil {
				b.Fatal(err)
			}
			s.UseKeys(keys)
			rows := testutil.NewRows(b, dsn)
			ctx := context.Background()
			ws := &foyer.Workspace{Name: "bench"}
			if err := s.CreateWorkspace(ctx, ws); err != nil {
				b.Fatal(err)
			}
			var contacts []int64
			for i := range 50 {
				c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("c%d@example.com", i)}
				if i%5 == 0 {
					c.Consent = foyer.ConsentState{Status: foyer.ConsentRefused}
				}
				if err := s.CreateContact(ctx, c, "bench"); err != nil {
					b.Fatal(err)
				}
				contacts = append(contacts, c.ID)
			}
			seg := rows.Segment(b, ws.ID, "Hot", `{"x":1}`)
			hook := []foyer.AutomationAction{{Kind: foyer.ActionWebhook, URL: "https://hooks.example/x"}, {Kind: foyer.ActionEmail}}
			for i, tr := range []foyer.TriggerKind{foyer.TriggerSegmentEntered, foyer.TriggerSegmentEntered, foyer.TriggerContactScore,
				foyer.TriggerContactScore, foyer.TriggerCompanyScore} {
				r := &foyer.AutomationRule{WorkspaceID: ws.ID, Name: fmt.Sprint("rule ", i), Trigger: tr, SegmentID: seg,
					ThresholdMilli: int64(i+1) * 10_000, Actions: hook, Enabled: true, OnlyTracked: i%2 == 0}
				if _, err := s.CreateAutomationRule(ctx, r); err != nil {
					b.Fatal(err)
				}
			}
			for i := range b.N {
				e := testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "segment-entered", SegmentID: seg, ContactID: contacts[i%len(contacts)], Behavioural: true}
				if i%2 == 1 {
					e = testutil.AutomationEvent{WorkspaceID: ws.ID, Kind: "score-changed", ContactID: contacts[i%len(contacts)], OldMilli: 5_000, NewMilli: 35_000, Behavioural: true}
				}
				rows.Event(b, e)
			}
			b.ResetTimer()
			n := 0
			for n < b.N {
				p, err := s.ProcessAutomationEvents(ctx, 100)
				if err != nil {
					b.Fatal(err)
				}
				if p.Events == 0 {
					b.Fatalf("stopped at %d of %d events", n, b.N)
				}
				n += p.Events
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
