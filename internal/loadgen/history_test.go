package loadgen

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// recordingStore keeps what WriteHistory appends.
type recordingStore struct {
	foyer.EventService
	hits  []foyer.Hit
	calls int
}

func (r *recordingStore) Append(_ context.Context, hits []foyer.Hit) error {
	r.hits = append(r.hits, hits...)
	r.calls++
	return nil
}

func TestWriteHistory(t *testing.T) {
	end := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var rec recordingStore
	site := &foyer.Site{ID: 7}
	var last int
	n, err := WriteHistory(context.Background(), &rec, site, History{Events: 50_000, Days: 30, Companies: 100, End: end, Seed: 3, Batch: 1000},
		func(done int) {
			if done <= last {
				t.Errorf("progress %d after %d", done, last)
			}
			last = done
		})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(rec.hits) || n < 50_000 || n > 50_016 || last != n {
		t.Errorf("wrote %d (recorded %d, last progress %d), want 50,000 and at most one visit more", n, len(rec.hits), last)
	}
	start := end.AddDate(0, 0, -30)
	visitors, companies := map[string]bool{}, map[string]bool{}
	anon, pageviews := 0, 0
	byVisitor := map[string]time.Time{}
	for _, h := range rec.hits {
		if h.Time.Before(start) || h.Time.After(end) || h.SiteID != 7 {
			t.Fatalf("hit at %v on site %d, want within %v..%v on site 7", h.Time, h.SiteID, start, end)
		}
		if prev, ok := byVisitor[h.VisitorUID]; ok && h.Time.Before(prev) {
			t.Fatalf("visitor %s goes back in time", h.VisitorUID)
		}
		byVisitor[h.VisitorUID] = h.Time
		visitors[h.VisitorUID] = true
		if h.Kind == foyer.KindPageview {
			pageviews++
			if h.Origin.Org.Type.IsCompany() {
				companies[h.Origin.Org.Name] = true
			} else {
				anon++
			}
		}
	}
	if share := float64(anon) / float64(pageviews); share < 0.45 || share > 0.75 {
		t.Errorf("anonymous share %.2f, want about 0.6", share)
	}
	if len(companies) < 30 || len(companies) > 100 {
		t.Errorf("%d companies visited, want most of 100", len(companies))
	}
	if len(visitors) < 3000 {
		t.Errorf("%d visitors", len(visitors))
	}
	if _, err := WriteHistory(context.Background(), &rec, site, History{}, nil); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("an empty history: %v", err)
	}
}
