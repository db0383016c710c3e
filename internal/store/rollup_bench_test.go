package store_test

import (
	"context"
	"testing"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// BenchmarkRollupBeside measures the SQLite roll-up beside the appends
// (without its rests) over steps of 16,384 events spread over many visits
// at once, as the collector benchmark's 20,000 visitors make them: most
// of a step's visits have one event in it, so its cost is mostly the
// visits it updates.
func BenchmarkRollupBeside(b *testing.B) {
	s := testutil.NewStore(b, store.SQLite, store.Options{})
	store.SetRollupRest(s, 0)
	_, site := testutil.NewSite(b, s, "Acme", "acme", "www.acme.com")
	g := newTraffic(1, site.ID, 20000, 20000)
	ctx := context.Background()
	step := func() {
		for range 64 {
			if err := s.Append(ctx, g.batch(256)); err != nil {
				b.Fatal(err)
			}
		}
	}
	step() // the first append after opening rolls up on its own
	if _, err := s.RollupAll(ctx); err != nil {
		b.Fatal(err)
	}
	events := 0
	for b.Loop() {
		b.StopTimer()
		step()
		b.StartTimer()
		n, err := s.Rollup(ctx, 32768)
		if err != nil {
			b.Fatal(err)
		}
		if n < 16384 {
			b.Fatalf("a step folded %d events, want the 16,384 appended", n)
		}
		events += n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}
