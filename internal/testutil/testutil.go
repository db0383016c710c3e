// Package testutil gives tests real, freshly migrated databases and fixtures.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// PostgresURL is the server the PostgreSQL tests use: $FOYER_TEST_POSTGRES,
// or the local server at 127.0.0.1:5432, database test, user postgres.
func PostgresURL() string {
	if u := os.Getenv("FOYER_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// postgresAnswers reports, once per test binary, whether the PostgreSQL
// test server answers.
var postgresAnswers = sync.OnceValue(func() bool {
	db, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		return false
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return db.PingContext(ctx) == nil
})

// skipWithoutPostgres skips a PostgreSQL test in -short mode (make
// test-short) when no server answers, so that a contributor without one
// can run the SQLite half; a full run (make test, CI) never skips, and
// fails on a missing server instead.
func skipWithoutPostgres(t testing.TB) {
	t.Helper()
	if testing.Short() && !postgresAnswers() {
		t.Skipf("no PostgreSQL answers at %s: its half is skipped in -short mode (make test runs it, and fails without it)", PostgresURL())
	}
}

// Dialects lists the dialects every storage test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// NewDSN returns the DSN of a new, empty database for dialect d: a SQLite
// file in t.TempDir(), or a new schema in the PostgreSQL test database that
// is dropped when the test ends.
func NewDSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	}
	skipWithoutPostgres(t)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "foyer_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", PostgresURL())
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres at %s: create schema: %v (is the server running? see README, Tests)", PostgresURL(), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("postgres: drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatalf("postgres url: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// NewStore returns a freshly migrated store on dialect d, closed when the
// test ends.
func NewStore(t testing.TB, d store.Dialect, opt store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), NewDSN(t, d), opt)
	if err != nil {
		t.Fatalf("open %s store: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewSite creates a workspace and a site in it, allowing hosts.
func NewSite(t testing.TB, s foyer.Store, workspace, key string, hosts ...string) (*foyer.Workspace, *foyer.Site) {
	t.Helper()
	ctx := context.Background()
	w := &foyer.Workspace{Name: workspace}
	if err := s.CreateWorkspace(ctx, w); err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	site := &foyer.Site{WorkspaceID: w.ID, Key: key, Name: key, Hostnames: hosts, HonorGPC: true}
	if err := s.CreateSite(ctx, site); err != nil {
		t.Fatalf("create site: %v", err)
	}
	return w, site
}
