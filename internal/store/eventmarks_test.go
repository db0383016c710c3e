package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestEventsSinceMarks exports the events since many times from a history
// whose times go back and forth between IDs (by minutes, and by hours), in
// roll-ups of a few events, with the last events not rolled up, and
// compares each export with the events whose time is at or after since,
// read from the events table itself; and again after migration 0015 has
// been run again on the history, to check its backfill.
func TestEventsSinceMarks(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		_, other := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		rng := rand.New(rand.NewPCG(5, 15))
		var times []time.Time
		at := t0
		for batch := range 40 {
			var hits []foyer.Hit
			for i := range 1 + rng.IntN(6) {
				at = at.Add(time.Duration(rng.IntN(90)) * time.Second)
				ts := at
				switch rng.IntN(10) {
				case 0: // arrived late by up to two hours
					ts = at.Add(-time.Duration(rng.IntN(7200)) * time.Second)
				case 1: // a clock ahead by a few minutes
					ts = at.Add(time.Duration(rng.IntN(300)) * time.Second)
				}
				siteID := site.ID
				if (batch+i)%5 == 0 {
					siteID = other.ID
				} else {
					times = append(times, ts)
				}
				hits = append(hits, foyer.Hit{SiteID: siteID, VisitorUID: fmt.Sprintf("V%021d", rng.IntN(8)), Kind: foyer.KindPageview,
					Host: "acme.com", Path: fmt.Sprintf("/p%d", rng.IntN(5)), Time: ts.Truncate(time.Millisecond)})
			}
			if err := s.Append(ctx, hits); err != nil {
				t.Fatal(err)
			}
			if batch < 34 && rng.IntN(2) == 0 {
				if _, err := s.Rollup(ctx, 1+rng.IntN(8)); err != nil {
					t.Fatal(err)
				}
			}
		}
		check := func(when string) {
			t.Helper()
			sinces := []time.Time{{}, t0.Add(-24 * time.Hour), at.Add(24 * time.Hour)}
			for _, ts := range times {
				sinces = append(sinces, ts, ts.Add(time.Millisecond), ts.Truncate(time.Minute))
			}
			for _, since := range sinces {
				var got []int64
				err := s.Events(ctx, ws.ID, site.ID, since, func(e *foyer.StoredEvent) error {
					got = append(got, e.ID)
					if e.Time.Before(since) {
						t.Errorf("%s, since %v: event %d at %v", when, since, e.ID, e.Time)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				want := eventIDsSince(t, s, site.ID, since)
				if !slices.Equal(got, want) {
					t.Fatalf("%s, since %v: exported %v, want %v", when, since.Format(time.TimeOnly), got, want)
				}
			}
		}
		check("rolled up in steps")
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		check("rolled up")
		if err := store.RedoMigration(ctx, s, 15); err != nil {
			t.Fatal(err)
		}
		check("after the migration again")
	})
}

// eventIDsSince reads the IDs of the site's events at or after since from
// the events table alone.
func eventIDsSince(t *testing.T, s *store.Store, siteID int64, since time.Time) []int64 {
	t.Helper()
	rows, err := s.DB().Query(store.Rebind(s, `SELECT e.id FROM events e JOIN sessions s ON s.id = e.session_id
		WHERE s.site_id = ? AND e.ts >= ? ORDER BY e.id`), siteID, since.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}
