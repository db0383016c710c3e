package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// visitCounters is a visit as the roll-up leaves it.
type visitCounters struct {
	lastAt, pageviews, engaged, events, first, last int64
}

// wantVisits sums the site's stored events by visit, as the roll-up should.
func wantVisits(t *testing.T, s foyer.EventService, ws, site int64) map[int64]visitCounters {
	t.Helper()
	want := map[int64]visitCounters{}
	for _, e := range readEvents(t, s, ws, site, time.Time{}) {
		v, ok := want[e.VisitID]
		if !ok {
			v.first = e.ID
		}
		v.first, v.last = min(v.first, e.ID), max(v.last, e.ID)
		v.lastAt = max(v.lastAt, e.Time.UnixMilli())
		v.events++
		v.engaged += e.EngagedMS
		if e.Type == "pageview" {
			v.pageviews++
		}
		want[e.VisitID] = v
	}
	return want
}

// storedVisits reads the site's visits' rolled-up columns.
func storedVisits(t *testing.T, s *store.Store, site int64) map[int64]visitCounters {
	t.Helper()
	q := `SELECT id, last_at, pageviews, engaged_ms, events, COALESCE(first_event_id, 0), COALESCE(last_event_id, 0)
		FROM sessions WHERE site_id = ?`
	if s.Dialect() == store.Postgres {
		q = `SELECT id, last_at, pageviews, engaged_ms, events, COALESCE(first_event_id, 0), COALESCE(last_event_id, 0)
		FROM sessions WHERE site_id = $1`
	}
	rows, err := s.DB().Query(q, site)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64]visitCounters{}
	for rows.Next() {
		var id int64
		var v visitCounters
		if err := rows.Scan(&id, &v.lastAt, &v.pageviews, &v.engaged, &v.events, &v.first, &v.last); err != nil {
			t.Fatal(err)
		}
		got[id] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func checkVisits(t *testing.T, s *store.Store, ws, site int64) {
	t.Helper()
	want, got := wantVisits(t, s, ws, site), storedVisits(t, s, site)
	if len(got) != len(want) {
		t.Errorf("%d visits stored, %d have events", len(got), len(want))
	}
	for id, w := range want {
		if g := got[id]; g != w {
			t.Errorf("visit %d: rolled up %+v, want %+v", id, g, w)
		}
	}
}

// mixedHits returns n hits of a few visitors on site, minutes apart per
// visitor, of every kind.
func mixedHits(rng *rand.Rand, site int64, visitors, n int, start time.Duration) []foyer.Hit {
	hits := make([]foyer.Hit, n)
	for i := range hits {
		v := rng.IntN(visitors)
		at := start + time.Duration(i)*time.Second
		h := pageview(site, fmt.Sprintf("visitor-%02d-0000000000000", v), at, fmt.Sprintf("/p/%d", rng.IntN(5)))
		// Visitors from two companies, a carrier, a host and nowhere known.
		switch v % 5 {
		case 0, 1:
			h.Origin = foyer.Origin{Country: "DE", Org: foyer.Org{Name: fmt.Sprintf("Firm %d", v%5), ASN: uint32(64500 + v%5), Type: foyer.OrgBusiness}}
		case 2:
			h.Origin = foyer.Origin{Country: "FR", Org: foyer.Org{Name: "Carrier", ASN: 64510, Type: foyer.OrgISP}}
		case 3:
			h.Origin = foyer.Origin{Country: "US", Org: foyer.Org{Name: "Host", ASN: 64511, Type: foyer.OrgHosting}}
		}
		switch rng.IntN(3) {
		case 1:
			h.Kind, h.EngagedMS = foyer.KindEngagement, int64(1+rng.IntN(60_000))
		case 2:
			h.Kind, h.Target = foyer.KindOutbound, "https://elsewhere.example/"
		}
		hits[i] = h
	}
	return hits
}

// rollupAll calls Rollup with limit until it reports the roll-up current,
// and returns how many events it folded.
func rollupAll(t *testing.T, s foyer.EventService, limit int) int {
	t.Helper()
	total := 0
	for {
		n, err := s.Rollup(context.Background(), limit)
		if err != nil {
			t.Fatalf("rollup: %v", err)
		}
		if n > limit {
			t.Fatalf("Rollup(%d) folded %d", limit, n)
		}
		total += n
		if n < limit {
			return total
		}
		if total > 1_000_000 {
			t.Fatal("the roll-up does not end")
		}
	}
}

// TestRollup: visits' counters, last activity and event range add up to
// their events, however the events were appended and however small the
// roll-up's steps; rolling up again changes nothing.
func TestRollup(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		rng := rand.New(rand.NewPCG(1, 2))
		appended := 0
		for batch := range 12 {
			hits := mixedHits(rng, site.ID, 6, 1+rng.IntN(20), time.Duration(batch)*time.Minute)
			appendHits(t, s, hits...)
			appended += len(hits)
			if batch == 5 {
				// Part of the way: a roll-up between appends.
				if n := rollupAll(t, s, 7); n == 0 {
					t.Fatal("first roll-up folded nothing")
				}
			}
		}
		if s.Unrolled() == 0 {
			t.Error("Unrolled() = 0 with events appended since the last roll-up")
		}
		rollupAll(t, s, 3)
		if n := s.Unrolled(); n != 0 {
			t.Errorf("Unrolled() = %d after a complete roll-up", n)
		}
		checkVisits(t, s, ws.ID, site.ID)
		if n := rollupAll(t, s, 100); n != 0 {
			t.Errorf("a second roll-up folded %d events", n)
		}
		checkVisits(t, s, ws.ID, site.ID)
		if got := len(readEvents(t, s, ws.ID, site.ID, time.Time{})); got != appended {
			t.Errorf("%d events stored, %d appended", got, appended)
		}
	})
}

// TestRollupAcrossStores: a roll-up that a store left unfinished is finished
// by the next one, and roll-ups of two stores on one database at the same
// time count each event once.
func TestRollupAcrossStores(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		dsn := testutil.NewDSN(t, d)
		open := func() *store.Store {
			t.Helper()
			s, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		a := open()
		ws, site := testutil.NewSite(t, a, "Acme", "acme", "www.example.com")
		rng := rand.New(rand.NewPCG(3, 4))
		appendHits(t, a, mixedHits(rng, site.ID, 8, 300, 0)...)
		if n, err := a.Rollup(ctx, 50); err != nil || n != 50 {
			t.Fatalf("Rollup(50) = %d, %v; want 50", n, err)
		}
		appendHits(t, a, mixedHits(rng, site.ID, 8, 200, time.Hour)...)
		a.Close() // 450 events not rolled up

		b, c := open(), open()
		var wg sync.WaitGroup
		var mu sync.Mutex
		folded := 0
		for _, s := range []*store.Store{b, c} {
			wg.Go(func() {
				for {
					n, err := s.Rollup(ctx, 13)
					if err != nil {
						t.Errorf("rollup: %v", err)
						return
					}
					mu.Lock()
					folded += n
					mu.Unlock()
					if n < 13 {
						return
					}
				}
			})
		}
		wg.Wait()
		if folded != 450 {
			t.Errorf("the two stores folded %d events, want the 450 left", folded)
		}
		checkVisits(t, b, ws.ID, site.ID)
	})
}

// TestRollupAlongsideAppends: roll-ups run while appends do (as the
// collector runs them, RollupAlongside; on SQLite here in reads of five
// events and transactions of three visits), with an ingest cache small
// enough to be dropped again and again: every event is counted once, the
// hits fall into the same visits, and the aggregates are the same as when
// nothing runs beside the appends.
func TestRollupAlongsideAppends(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(5, 6))
		var batches [][]foyer.Hit
		for b := range 40 {
			batches = append(batches, mixedHits(rng, 0, 12, 1+rng.IntN(25), time.Duration(b)*time.Minute))
		}
		run := func(alongside bool) (*store.Store, *foyer.Workspace, *foyer.Site) {
			s := testutil.NewStore(t, d, store.Options{})
			store.SetCacheLimit(s, 16)
			ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
			done := make(chan struct{})
			var wg sync.WaitGroup
			if alongside {
				store.SetRollupChunk(s, 3, nil) // on SQLite, steps of several transactions
				store.SetRollupPart(s, 5)       // and of several reads
				wg.Go(func() {
					for {
						select {
						case <-done:
							return
						default:
						}
						if _, err := s.Rollup(ctx, 17); err != nil {
							t.Errorf("rollup: %v", err)
							return
						}
					}
				})
			}
			for _, b := range batches {
				hits := slices.Clone(b)
				for i := range hits {
					hits[i].SiteID = site.ID
				}
				appendHits(t, s, hits...)
			}
			close(done)
			wg.Wait()
			rollupAll(t, s, 50)
			return s, ws, site
		}
		serial, sws, ssite := run(false)
		beside, ws, site := run(true)
		checkVisits(t, beside, ws.ID, site.ID)
		if got, want := len(storedVisits(t, beside, site.ID)), len(storedVisits(t, serial, ssite.ID)); got != want {
			t.Errorf("%d visits with roll-ups beside the appends, %d without", got, want)
		}
		checkVisits(t, serial, sws.ID, ssite.ID)
		got, want := rolledUpTables(t, beside), rolledUpTables(t, serial)
		for table, w := range want {
			if table != "event_marks" && !slices.Equal(got[table], w) {
				t.Errorf("%s with roll-ups beside the appends:\n%v\nwithout:\n%v", table, got[table], w)
			}
		}
	})
}

// TestRollupGivesWayToARowLock: on PostgreSQL, where the roll-up runs
// beside the appends, it does not wait long for a row an append holds (a
// company it upserts): it fails at once and folds everything once the
// lock is gone, so that an append and a roll-up that each want the
// other's rows never wait for the deadlock detector.
func TestRollupGivesWayToARowLock(t *testing.T) {
	s := testutil.NewStore(t, store.Postgres, store.Options{})
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	ctx := context.Background()
	h := pageview(site.ID, "locked-visitor-0000000001", 0, "/pricing")
	h.Origin = foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}}
	appendHits(t, s, h)

	holder, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	var id int64
	if err := holder.QueryRowContext(ctx, `SELECT id FROM companies WHERE workspace_id = $1 FOR UPDATE`, ws.ID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.Rollup(ctx, 100); done <- err }()
	select {
	case err := <-done:
		if foyer.ErrorCode(err) != foyer.EUNAVAILABLE {
			t.Fatalf("the roll-up with a company's row held elsewhere: %v, want EUNAVAILABLE", err)
		}
	case <-time.After(5 * time.Second):
		holder.Rollback()
		<-done
		t.Fatal("the roll-up waited for the row lock")
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := rollupAll(t, s, 100); n != 1 {
		t.Fatalf("after the lock went, the roll-up folded %d events, want 1", n)
	}
	checkVisits(t, s, ws.ID, site.ID)
}

// companyHits returns mixedHits whose visitors (by the number in their
// UID) come, one in three, from one of three companies.
func companyHits(rng *rand.Rand, site int64, visitors, n int, start time.Duration) []foyer.Hit {
	hits := mixedHits(rng, site, visitors, n, start)
	for i := range hits {
		var v int
		fmt.Sscanf(hits[i].VisitorUID, "visitor-%d-", &v)
		if v%3 == 0 {
			c := v % 9 / 3
			hits[i].Origin = foyer.Origin{Country: "DE", Org: foyer.Org{
				Name: fmt.Sprintf("Company %d GmbH", c), Domain: fmt.Sprintf("company%d.example", c), Type: foyer.OrgBusiness}}
		}
	}
	return hits
}

// rolledUpTables dumps what the roll-up writes besides the visits: every
// aggregate table and the marks (dumpTable).
func rolledUpTables(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"site_days", "page_days", "source_days", "company_days", "company_pages",
		"company_sites", "company_sources", "company_source_weeks", "company_totals", "event_marks", "rollup_marks"} {
		out[table] = dumpTable(t, s.DB(), table)
	}
	return out
}

// TestRollupInChunks: on SQLite a roll-up step writes its visits in
// transactions of a few, beside the appends. One that stops after some
// of them (as in a crash), or finds that something moved the events or
// their companies meanwhile, leaves a pending mark; the next step reads
// the same events again and writes only the visits not yet written. The
// counters and every aggregate end as a store's that rolled up in one go.
func TestRollupInChunks(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	first := companyHits(rng, 0, 90, 700, 0)
	second := companyHits(rng, 0, 90, 300, time.Hour)
	withSite := func(hits []foyer.Hit, site int64) []foyer.Hit {
		hits = slices.Clone(hits)
		for i := range hits {
			hits[i].SiteID = site
		}
		return hits
	}

	ref := testutil.NewStore(t, store.SQLite, store.Options{})
	_, refSite := testutil.NewSite(t, ref, "Acme", "acme", "www.example.com")
	appendHits(t, ref, withSite(first, refSite.ID)...)
	appendHits(t, ref, withSite(second, refSite.ID)...)
	rollupAll(t, ref, 1<<20)

	for _, stop := range []string{"crash", "moved"} {
		t.Run(stop, func(t *testing.T) {
			s := testutil.NewStore(t, store.SQLite, store.Options{})
			ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
			_, other := testutil.NewSite(t, s, "Other", "other", "other.example.com")
			appendHits(t, s, withSite(first, site.ID)...)
			chunks := 0
			store.SetRollupChunk(s, 7, func(i int) error {
				chunks++
				if i < 2 {
					return nil
				}
				if stop == "crash" {
					return errors.New("the process stopped")
				}
				// Something that moves events (deleting a site) runs between
				// two of the step's transactions.
				return s.DeleteSite(context.Background(), other.WorkspaceID, other.ID)
			})
			n, err := s.Rollup(context.Background(), 1<<20)
			if stop == "crash" && err == nil || stop == "moved" && (err != nil || n != 0) {
				t.Fatalf("the interrupted step: folded %d, %v", n, err)
			}
			if chunks != 3 {
				t.Fatalf("the step wrote %d transactions of visits before it stopped, want 3", chunks)
			}
			var pending int64
			if err := s.DB().QueryRow(`SELECT last_event_id FROM rollup_marks WHERE name = 'sessions.pending'`).Scan(&pending); err != nil {
				t.Fatalf("pending mark: %v", err)
			}
			written := 0
			for _, v := range storedVisits(t, s, site.ID) {
				if v.events > 0 {
					written++
				}
			}
			if written != 21 {
				t.Fatalf("%d visits written before the stop, want 3 transactions of 7", written)
			}

			// More events come; the next steps finish the pending one first.
			store.SetRollupChunk(s, 7, nil)
			appendHits(t, s, withSite(second, site.ID)...)
			rollupAll(t, s, 1<<20)
			checkVisits(t, s, ws.ID, site.ID)
			got, want := rolledUpTables(t, s), rolledUpTables(t, ref)
			for table, w := range want {
				if table == "event_marks" {
					continue // the minutes of the marks depend on the steps
				}
				if !slices.Equal(got[table], w) {
					t.Errorf("%s after the interrupted roll-up:\n%v\nin one go:\n%v", table, got[table], w)
				}
			}
		})
	}
}
