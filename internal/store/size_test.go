package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// maxBytesPerEvent is the product's storage goal on SQLite.
const maxBytesPerEvent = 80

// sqliteSize checkpoints the WAL into the database file and returns the
// file's size in bytes.
func sqliteSize(t *testing.T, s *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	busy, err := store.Checkpoint(s)
	if err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	if busy {
		t.Fatalf("checkpoint was blocked")
	}
	db := s.DB()
	var pages, pageSize int64
	if err := db.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	return pages * pageSize
}

// logTableSizes logs the bytes each table and index takes, when SQLite has
// the dbstat table.
func logTableSizes(t *testing.T, db *sql.DB, events int) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(),
		`SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY SUM(pgsize) DESC`)
	if err != nil {
		t.Logf("no per-table sizes: %v", err)
		return
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var name string
		var size int64
		if err := rows.Scan(&name, &size); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "\n  %-30s %10d bytes  %6.1f bytes/event", name, size, float64(size)/float64(events))
	}
	if err := rows.Err(); err != nil {
		t.Logf("no per-table sizes: %v", err)
		return
	}
	t.Logf("sizes by table and index:%s", b.String())
}

func TestSQLiteStorageSize(t *testing.T) {
	if testing.Short() {
		t.Skip("appends 200,000 events")
	}
	t.Parallel()
	// synchronous=normal only makes the test faster; the file is the same.
	s := testutil.NewStore(t, store.SQLite, store.Options{SQLiteSync: "normal"})
	ctx := context.Background()
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.acme.com")
	before := sqliteSize(t, s)

	const total, batch = 200_000, 200
	g := newTraffic(1, site.ID, 3000, 30)
	start := time.Now()
	for range total / batch {
		if err := s.Append(ctx, g.batch(batch)); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	elapsed := time.Since(start)

	var events, visits, visitors int
	for _, c := range []struct {
		table string
		n     *int
	}{{"events", &events}, {"sessions", &visits}, {"visitors", &visitors}} {
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+c.table).Scan(c.n); err != nil {
			t.Fatal(err)
		}
	}
	if events != total {
		t.Fatalf("%d events stored, want %d", events, total)
	}
	var read int
	if err := s.Events(ctx, ws.ID, site.ID, time.Time{}, func(*foyer.StoredEvent) error { read++; return nil }); err != nil || read != total {
		t.Fatalf("read back %d events (%v), want %d", read, err, total)
	}
	t.Logf("%d events, %d visits (%.1f events each), %d visitors, appended in %v (%.0f events/s)",
		events, visits, float64(events)/float64(visits), visitors, elapsed.Round(time.Millisecond),
		float64(events)/elapsed.Seconds())
	checkGrowth(t, s, before, events)
}

// checkGrowth rolls up what s holds, then logs how many bytes the database
// grew from before, per event and per table, and fails above the goal.
func checkGrowth(t *testing.T, s *store.Store, before int64, events int) {
	t.Helper()
	if _, err := s.RollupAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	after := sqliteSize(t, s)
	perEvent := float64(after-before) / float64(events)
	t.Logf("database grew %d bytes: %.1f bytes/event (goal ≤ %d)", after-before, perEvent, maxBytesPerEvent)
	logTableSizes(t, s.DB(), events)
	if perEvent > maxBytesPerEvent {
		t.Errorf("%.1f bytes/event, want at most %d", perEvent, maxBytesPerEvent)
	}
}

// TestSQLiteStorageSizeHistory measures storage on the history `foyer
// seed` writes, the shape of a B2B site's traffic: most visitors come once
// or twice, a few pages a visit, 40% of them from 500 companies, whose
// roll-ups (company_days, company_totals, the pages and sources) count too.
func TestSQLiteStorageSizeHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200,000 events")
	}
	t.Parallel()
	s := testutil.NewStore(t, store.SQLite, store.Options{SQLiteSync: "normal"})
	_, site := testutil.NewSite(t, s, "Acme", "acme", "localhost")
	before := sqliteSize(t, s)
	n, err := loadgen.WriteHistory(context.Background(), s, site,
		loadgen.History{Events: 200_000, Days: 30, Companies: 500, Seed: 7, End: t0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var events, visits, visitors int
	if err := s.DB().QueryRow(`SELECT (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM sessions), (SELECT COUNT(*) FROM visitors)`).Scan(
		&events, &visits, &visitors); err != nil {
		t.Fatal(err)
	}
	if events != n || events < 190_000 {
		t.Fatalf("%d events stored, %d written", events, n)
	}
	t.Logf("%d events, %d visits (%.1f events each), %d visitors (%.1f visits each)",
		events, visits, float64(events)/float64(visits), visitors, float64(visits)/float64(visitors))
	checkGrowth(t, s, before, events)
}

func BenchmarkAppend(b *testing.B) {
	const batch = 64
	// withOrgs gives each visitor one of 300 organisations, as real traffic
	// has: seven in ten carriers or hosts (kept in orgs, not companies),
	// the rest businesses.
	withOrgs := func(hits []foyer.Hit) []foyer.Hit {
		for i := range hits {
			n := int(hits[i].VisitorUID[len(hits[i].VisitorUID)-1]) + 7*int(hits[i].VisitorUID[len(hits[i].VisitorUID)-2])
			o := foyer.Org{Name: fmt.Sprintf("Org %d", n%300), ASN: uint32(64000 + n%300), Type: foyer.OrgBusiness}
			if n%10 < 7 {
				o.Type = foyer.OrgISP
			}
			hits[i].Origin = foyer.Origin{Country: "DE", Org: o}
		}
		return hits
	}
	for _, d := range testutil.Dialects {
		for _, orgs := range []bool{false, true} {
			name := string(d)
			if orgs {
				name += "/organisations"
			}
			b.Run(name, func(b *testing.B) {
				s := testutil.NewStore(b, d, store.Options{})
				_, site := testutil.NewSite(b, s, "Acme", "acme", "www.acme.com")
				g := newTraffic(1, site.ID, 3000, 30)
				ctx := context.Background()
				n := 0
				for b.Loop() {
					// Making 64 hits costs microseconds; appending them, milliseconds.
					hits := g.batch(batch)
					if orgs {
						hits = withOrgs(hits)
					}
					if err := s.Append(ctx, hits); err != nil {
						b.Fatal(err)
					}
					n += batch
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}
