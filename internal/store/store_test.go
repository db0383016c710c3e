package store_test

// The storage conformance suite: every test here runs against both SQLite
// and PostgreSQL through the foyer.Store interfaces. This file holds the
// helpers the suite shares.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// t0 is the time the suite's hits start at: a whole millisecond, as stored.
var t0 = time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)

// forEachDialect runs fn as a parallel subtest per dialect.
func forEachDialect(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	t.Helper()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// wantCode fails t unless err carries the error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := foyer.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (err %v), want %q", got, err, want)
	}
}

// readEvents returns every event of the site at or after since.
func readEvents(t testing.TB, s foyer.EventService, workspaceID, siteID int64, since time.Time) []*foyer.StoredEvent {
	t.Helper()
	var evs []*foyer.StoredEvent
	err := s.Events(context.Background(), workspaceID, siteID, since, func(e *foyer.StoredEvent) error {
		evs = append(evs, e)
		return nil
	})
	if err != nil {
		t.Fatalf("events of site %d: %v", siteID, err)
	}
	return evs
}

// appendHits appends hits in one call and fails t on error.
func appendHits(t testing.TB, s foyer.EventService, hits ...foyer.Hit) {
	t.Helper()
	if err := s.Append(context.Background(), hits); err != nil {
		t.Fatalf("append %d hits: %v", len(hits), err)
	}
}

// pageview returns a pageview hit on site at t0+at, with no referrer,
// campaign or country.
func pageview(site int64, visitor string, at time.Duration, path string) foyer.Hit {
	return foyer.Hit{
		SiteID: site, VisitorUID: visitor, Time: t0.Add(at), Kind: foyer.KindPageview,
		Host: "www.example.com", Path: path, Title: "Example",
	}
}

// TestUniqueViolation: a violated unique constraint is told from other
// errors by the drivers' codes, on both dialects, also when wrapped.
func TestUniqueViolation(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		db := s.DB()
		for _, q := range []string{`CREATE TABLE uv (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER NOT NULL)`,
			`INSERT INTO uv (id, name, n) VALUES (1, 'a', 1)`} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			q    string
			want bool
		}{
			{`INSERT INTO uv (id, name, n) VALUES (2, 'a', 1)`, true},     // unique
			{`INSERT INTO uv (id, name, n) VALUES (1, 'b', 1)`, true},     // primary key
			{`INSERT INTO uv (id, name, n) VALUES (3, 'c', NULL)`, false}, // not null
			{`INSERT INTO nowhere (id) VALUES (1)`, false},
		} {
			_, err := db.Exec(c.q)
			if err == nil {
				t.Fatalf("%s: no error", c.q)
			}
			if got := store.IsUniqueViolation(fmt.Errorf("wrapped: %w", err)); got != c.want {
				t.Errorf("%s: unique violation %v, want %v (%v)", c.q, got, c.want, err)
			}
		}
	})
}
