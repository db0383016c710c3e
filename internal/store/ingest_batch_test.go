package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestAppendBatchesOnce: a batch handed in again, alone, with new ones or
// twice in one call, is stored once; its events are neither lost nor
// doubled, on both dialects.
func TestAppendBatchesOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		ctx := context.Background()
		batch := func(id string, n int) foyer.Batch {
			b := foyer.Batch{ID: id}
			for i := range n {
				b.Hits = append(b.Hits, pageview(site.ID, "visitor-"+id, time.Duration(i)*time.Second, fmt.Sprintf("/%s/%d", id, i)))
			}
			return b
		}
		calls := []struct {
			batches []foyer.Batch
			want    int
		}{
			{[]foyer.Batch{batch("a", 2), batch("b", 3)}, 2},
			{[]foyer.Batch{batch("a", 2)}, 0},                // redelivered alone
			{[]foyer.Batch{batch("b", 3), batch("c", 1)}, 1}, // with a new one
			{[]foyer.Batch{batch("d", 2), batch("d", 2)}, 1}, // twice in one call
			{[]foyer.Batch{batch("c", 1), batch("a", 2)}, 0}, // nothing new
			{[]foyer.Batch{{ID: "e"}, batch("f", 1)}, 2},     // an empty batch counts
		}
		for i, c := range calls {
			got, err := s.AppendBatches(ctx, c.batches)
			if err != nil {
				t.Fatalf("call %d: %v", i, err)
			}
			if got != c.want {
				t.Errorf("call %d: %d new batches, want %d", i, got, c.want)
			}
		}
		counts := map[string]int{}
		for _, e := range readEvents(t, s, ws.ID, site.ID, time.Time{}) {
			counts[strings.Split(e.Path, "/")[1]]++
		}
		want := map[string]int{"a": 2, "b": 3, "c": 1, "d": 2, "f": 1}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("events by batch = %v, want %v", counts, want)
		}

		// Bad IDs are refused, and nothing of their call is stored.
		for _, id := range []string{"", strings.Repeat("x", foyer.MaxBatchID+1)} {
			_, err := s.AppendBatches(ctx, []foyer.Batch{batch("g", 1), {ID: id, Hits: batch("h", 1).Hits}})
			wantCode(t, err, foyer.EINVALID)
		}
		if n := len(readEvents(t, s, ws.ID, site.ID, time.Time{})); n != 9 {
			t.Errorf("%d events after the refused calls, want 9", n)
		}

		// Forgotten IDs are no longer recognised; recent ones are kept.
		n, err := s.PruneBatchIDs(ctx, time.Now().Add(-time.Hour))
		if err != nil || n != 0 {
			t.Fatalf("prune before an hour ago: %d, %v; want 0", n, err)
		}
		if got, err := s.AppendBatches(ctx, []foyer.Batch{batch("a", 2)}); err != nil || got != 0 {
			t.Fatalf("a after a prune of nothing: %d, %v; want 0", got, err)
		}
		n, err = s.PruneBatchIDs(ctx, time.Now().Add(time.Minute))
		if err != nil || n != 6 {
			t.Fatalf("prune of everything: %d, %v; want 6", n, err)
		}
		if got, err := s.AppendBatches(ctx, []foyer.Batch{batch("a", 2)}); err != nil || got != 1 {
			t.Fatalf("a after its ID was forgotten: %d, %v; want 1", got, err)
		}
	})
}
