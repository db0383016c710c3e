package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// partitions returns the events table's partitions, failing t on error.
func partitions(t *testing.T, s *store.Store) []string {
	t.Helper()
	names, err := s.Partitions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestPartitionsAheadAndOnDemand: opening a PostgreSQL store creates the
// partitions of this month and the next three; a hit of a past month
// without one (foyer seed's history) gets one before it is stored, and
// is read back. SQLite has none.
func TestPartitionsAheadAndOnDemand(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
		s := testutil.NewStore(t, d, store.Options{Now: func() time.Time { return now }})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		if d == store.SQLite {
			if got := partitions(t, s); len(got) != 0 {
				t.Fatalf("SQLite partitions %v", got)
			}
		} else {
			want := []string{"events_p202611", "events_p202612", "events_p202701", "events_p202702"}
			if got := partitions(t, s); !slices.Equal(got, want) {
				t.Fatalf("partitions at open %v, want %v", got, want)
			}
		}
		old := pageview(site.ID, "v1", 0, "/old") // t0: March 2025
		recent := foyer.Hit{SiteID: site.ID, VisitorUID: "v2", Time: now, Kind: foyer.KindPageview,
			Host: "www.example.com", Path: "/new", Title: "New"}
		appendHits(t, s, old, recent)
		if d == store.Postgres && !slices.Contains(partitions(t, s), "events_p202503") {
			t.Fatalf("no partition for March 2025: %v", partitions(t, s))
		}
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		evs := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if len(evs) != 2 || evs[0].Path != "/old" || evs[1].Path != "/new" {
			t.Fatalf("events %+v", evs)
		}
	})
}

// TestPartitionDroppedWhenEveryRetentionPassed: the retention job drops a
// month's partition only once every workspace's retention has passed the
// month's end and the roll-up has read its events; until then a
// workspace that keeps events longer keeps them, and the one with the
// shorter retention loses its own events row by row.
func TestPartitionDroppedWhenEveryRetentionPassed(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		now := t0.AddDate(0, 0, 100) // mid-June 2025
		clock := func() time.Time { return now }
		s := testutil.NewStore(t, d, store.Options{Now: clock})
		wsA, siteA := testutil.NewSite(t, s, "A", "a", "www.example.com")
		wsB, siteB := testutil.NewSite(t, s, "B", "b", "www.example.com")
		// March 2025 for both, and an event of B in June, today.
		appendHits(t, s, pageview(siteA.ID, "a1", 0, "/a"), pageview(siteB.ID, "b1", 0, "/b"),
			pageview(siteB.ID, "b2", 100*24*time.Hour, "/today"))
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		// A keeps 30 days: March is past its cutoff; B keeps 395 days.
		if err := s.SetRetention(ctx, wsA.ID, foyer.Retention{EventDays: 30, LinkDays: 395, ReviewMonths: 24}); err != nil {
			t.Fatal(err)
		}
		runs, err := s.EnforceRetention(ctx, store.RetentionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d == store.Postgres && !slices.Contains(partitions(t, s), "events_p202503") {
			t.Fatal("March dropped while B keeps it")
		}
		if n := len(readEvents(t, s, wsA.ID, siteA.ID, time.Time{})); n != 0 {
			t.Fatalf("A has %d events left", n)
		}
		if n := len(readEvents(t, s, wsB.ID, siteB.ID, time.Time{})); n != 2 {
			t.Fatalf("B has %d events, want 2", n)
		}
		if r := runOf(runs, wsA.ID, foyer.RetentionEvents); r.Removed != 1 {
			t.Fatalf("A's run %+v", r)
		}

		// An event of March not read by the roll-up yet keeps the partition;
		// B's March event the roll-up has read goes, row by row.
		appendHits(t, s, pageview(siteB.ID, "b3", time.Hour, "/late"))
		if err := s.SetRetention(ctx, wsB.ID, foyer.Retention{EventDays: 30, LinkDays: 395, ReviewMonths: 24}); err != nil {
			t.Fatal(err)
		}
		runs, err = s.EnforceRetention(ctx, store.RetentionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d == store.Postgres && !slices.Contains(partitions(t, s), "events_p202503") {
			t.Fatal("March dropped with an event the roll-up has not read")
		}
		if r := runOf(runs, wsB.ID, foyer.RetentionEvents); r.Removed != 1 {
			t.Fatalf("B's run %+v, want 1 removed", r)
		}

		// Once read, and every workspace past March: the partition goes.
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		runs, err = s.EnforceRetention(ctx, store.RetentionOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d == store.Postgres && slices.Contains(partitions(t, s), "events_p202503") {
			t.Fatalf("March kept: %v", partitions(t, s))
		}
		evs := readEvents(t, s, wsB.ID, siteB.ID, time.Time{})
		if len(evs) != 1 || evs[0].Path != "/today" {
			t.Fatalf("B's events %+v", evs)
		}
		if r := runOf(runs, wsB.ID, foyer.RetentionEvents); r.Removed != 1 {
			t.Fatalf("B's run %+v, want 1 removed (/late)", r)
		}
		if d == store.Postgres && !slices.Contains(partitions(t, s), "events_p202506") {
			t.Fatalf("June dropped: %v", partitions(t, s))
		}
	})
}

// runOf returns the run of the workspace and kind among runs.
func runOf(runs []foyer.RetentionRun, workspaceID int64, kind foyer.RetentionKind) foyer.RetentionRun {
	for _, r := range runs {
		if r.WorkspaceID == workspaceID && r.Kind == kind {
			return r
		}
	}
	return foyer.RetentionRun{}
}

// TestMigrationPartitionsEvents: migration 0049 moves the events of a
// plain table into a partition per month, with their IDs, and new events
// get higher IDs; its Down puts them back in a plain table.
func TestMigrationPartitionsEvents(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		if err := store.MigrateDown(ctx, s, 48); err != nil {
			t.Fatalf("down: %v", err)
		}
		if got := partitions(t, s); len(got) != 0 {
			t.Fatalf("partitions after Down: %v", got)
		}
		// Events of March and May 2025 in the plain table.
		appendHits(t, s, pageview(site.ID, "v1", 0, "/a"), pageview(site.ID, "v1", time.Minute, "/b"),
			pageview(site.ID, "v2", 60*24*time.Hour, "/c"))
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		before := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
		if d == store.Postgres {
			got := partitions(t, s)
			if !slices.Contains(got, "events_p202503") || !slices.Contains(got, "events_p202505") || len(got) != 2 {
				t.Fatalf("partitions after 0049: %v", got)
			}
		}
		after := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if len(after) != 3 {
			t.Fatalf("%d events after 0049", len(after))
		}
		for i := range before {
			if before[i].ID != after[i].ID || before[i].Path != after[i].Path || !before[i].Time.Equal(after[i].Time) {
				t.Fatalf("event %d: %+v, was %+v", i, after[i], before[i])
			}
		}
		appendHits(t, s, pageview(site.ID, "v2", 61*24*time.Hour, "/d"))
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		evs := readEvents(t, s, ws.ID, site.ID, time.Time{})
		if len(evs) != 4 || evs[3].Path != "/d" || evs[3].ID <= before[2].ID {
			t.Fatalf("after a new event: %+v", evs)
		}
		// And down again: the plain table holds the same events.
		if err := store.MigrateDown(ctx, s, 48); err != nil {
			t.Fatalf("down: %v", err)
		}
		if got := readEvents(t, s, ws.ID, site.ID, time.Time{}); len(got) != 4 || got[3].ID != evs[3].ID {
			t.Fatalf("after Down: %+v", got)
		}
	})
}

// TestVisitAcrossMonths: a visit whose events fall in two months (two
// partitions on PostgreSQL) lists every page, and a visit in another
// month beside it only its own.
func TestVisitAcrossMonths(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := testutil.NewStore(t, d, store.Options{})
		ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		globex := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", ASN: 64500, Type: foyer.OrgBusiness}}
		end := time.Date(2025, 3, 31, 23, 50, 0, 0, time.UTC)
		hit := func(visitor string, at time.Time, path string) foyer.Hit {
			return foyer.Hit{SiteID: site.ID, VisitorUID: visitor, Time: at, Kind: foyer.KindPageview,
				Host: "www.example.com", Path: path, Title: "T", Origin: globex}
		}
		appendHits(t, s, hit("v1", end, "/march"), hit("v1", end.Add(20*time.Minute), "/april"),
			hit("v2", end.AddDate(0, 2, 0), "/may"))
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws.ID, From: end.AddDate(0, -1, 0), To: end.AddDate(0, 3, 0), Limit: 10})
		if err != nil || len(rows) != 1 {
			t.Fatalf("feed %+v, %v", rows, err)
		}
		visits, err := s.CompanyVisits(ctx, ws.ID, rows[0].ID, end.AddDate(0, -1, 0), end.AddDate(0, 3, 0), 10, 0)
		if err != nil || len(visits) != 2 {
			t.Fatalf("visits %+v, %v", visits, err)
		}
		var got []string
		for _, v := range visits {
			for _, p := range v.Pages {
				got = append(got, p.Path)
			}
			got = append(got, "|")
		}
		if want := []string{"/may", "|", "/march", "/april", "|"}; !slices.Equal(got, want) {
			t.Fatalf("pages %v, want %v", got, want)
		}
	})
}
