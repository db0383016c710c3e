package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// BenchmarkRetentionEvents measures how fast the retention job deletes
// raw events on SQLite: two years of history (150,000 events) in a
// workspace with the default 395 days, beside another workspace's 50,000
// events that stay, in transactions of the default batch with no pause.
// It reports the rows deleted per second and the longest transaction (the
// time the collector's writer could wait behind one).
func BenchmarkRetentionEvents(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		s := testutil.NewStore(b, store.SQLite, store.Options{})
		_, acme := testutil.NewSite(b, s, "Acme", "acme", "www.example.com")
		other, initech := testutil.NewSite(b, s, "Initech", "initech", "www.example.com")
		if err := s.SetRetention(ctx, other.ID, foyer.Retention{EventDays: 3650, LinkDays: 3650, ReviewMonths: 120}); err != nil {
			b.Fatal(err)
		}
		for i, h := range []struct {
			site   *foyer.Site
			events int
		}{{acme, 150_000}, {initech, 50_000}} {
			if _, err := loadgen.WriteHistory(ctx, s, h.site, loadgen.History{Events: h.events, Days: 730, Companies: 500, Seed: uint64(i + 1)}, nil); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.RollupAll(ctx); err != nil {
			b.Fatal(err)
		}
		var longest time.Duration
		last := time.Now()
		b.StartTimer()
		start := time.Now()
		runs, err := s.EnforceRetention(ctx, store.RetentionOptions{OnCommit: func(k foyer.RetentionKind, n int64) {
			if now := time.Now(); k == foyer.RetentionEvents {
				longest = max(longest, now.Sub(last))
				last = now
			}
		}})
		took := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		var deleted int64
		for _, r := range runs {
			if r.Kind == foyer.RetentionEvents {
				deleted += r.Removed
			}
		}
		if deleted == 0 {
			b.Fatal("nothing deleted")
		}
		b.ReportMetric(float64(deleted)/took.Seconds(), "rows/s")
		b.ReportMetric(float64(deleted), "rows")
		b.ReportMetric(float64(longest.Microseconds())/1000, "max-tx-ms")
		s.Close()
		b.StartTimer()
	}
}
