package testutil

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/store"
)

// OpenDB opens a second handle on the database of dsn (as NewDSN returns
// it), as another process would; it is closed when the test ends.
func OpenDB(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	} else {
		db, err = sql.Open("pgx", dsn)
	}
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// HoldWriteLock takes a write lock on the database of db from a connection
// of its own and holds it until release is called (or the test ends): on
// SQLite a BEGIN IMMEDIATE transaction, which makes every other writer
// wait while readers go on; on PostgreSQL a transaction that ran LOCK
// TABLE tables IN mode MODE ("ACCESS EXCLUSIVE" stops readers too,
// "EXCLUSIVE" only writers). Release rolls the transaction back.
func HoldWriteLock(t testing.TB, db *sql.DB, d store.Dialect, mode string, tables ...string) (release func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatalf("lock: connect: %v", err)
	}
	stmts := []string{"BEGIN IMMEDIATE"}
	if d == store.Postgres {
		stmts = []string{"BEGIN", "LOCK TABLE " + strings.Join(tables, ", ") + " IN " + mode + " MODE"}
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			t.Fatalf("lock: %s: %v", q, err)
		}
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Errorf("lock: rollback: %v", err)
		}
		conn.Close()
	}
	t.Cleanup(release)
	return release
}
