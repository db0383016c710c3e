package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// The writer's own connection commits without waiting for the disk and
// leaves checkpoints to the store; every other connection keeps the
// configured synchronous=full and checkpoints by itself.
func TestIngestPoolLeavesFlushesAndCheckpointsToTheStore(t *testing.T) {
	s := testutil.NewStore(t, store.SQLite, store.Options{})
	for _, c := range []struct {
		pool, pragma string
		read         func(*store.Store, string) (int64, error)
		want         int64
	}{
		{"ingest", "synchronous", store.IngestPragma, 1},
		{"ingest", "wal_autocheckpoint", store.IngestPragma, 0},
		{"ingest", "journal_size_limit", store.IngestPragma, 64 << 20},
		{"main", "synchronous", store.MainPragma, 2},
		{"main", "wal_autocheckpoint", store.MainPragma, 1000},
	} {
		got, err := c.read(s, c.pragma)
		if err != nil {
			t.Fatalf("%s pool: %s: %v", c.pool, c.pragma, err)
		}
		if got != c.want {
			t.Errorf("%s pool: %s = %d, want %d", c.pool, c.pragma, got, c.want)
		}
	}
}

// The appends wait for SyncAppends to be durable only on SQLite with
// synchronous=full; elsewhere the collector acknowledges at the commit.
func TestSyncsApart(t *testing.T) {
	for _, c := range []struct {
		name    string
		dialect store.Dialect
		sync    string
		want    bool
	}{
		{"sqlite full", store.SQLite, "", true},
		{"sqlite normal", store.SQLite, "normal", false},
		{"postgres", store.Postgres, "", false},
	} {
		s := testutil.NewStore(t, c.dialect, store.Options{SQLiteSync: c.sync})
		if got := s.SyncsApart(); got != c.want {
			t.Errorf("%s: SyncsApart() = %v, want %v", c.name, got, c.want)
		}
	}
}

// What the writer commits reaches the database file by the store's own
// checkpoints, with no other connection writing.
func TestCheckpointsCopyTheLogInTheBackground(t *testing.T) {
	s, path, site := openFileStore(t)
	if busy, err := store.Checkpoint(s); err != nil || busy {
		t.Fatalf("checkpoint: busy %v, %v", busy, err)
	}
	before := fileSize(t, path)

	hits := make([]foyer.Hit, 0, 2000)
	for i := range cap(hits) {
		h := pageview(site, fmt.Sprintf("visitor-%d", i), time.Duration(i)*time.Second, "/page/"+strings.Repeat("x", i%300))
		hits = append(hits, h)
	}
	appendHits(t, s, hits...)
	if wal := fileSize(t, path+"-wal"); wal == 0 {
		t.Fatal("the append left the log empty")
	}
	for deadline := time.Now().Add(10 * time.Second); fileSize(t, path) <= before; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes: no checkpoint copied the append into it", before)
		}
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// Under appends that never pause, as the collector's writer makes under
// load, the log still starts over from its beginning: it stays short,
// instead of growing by every page every commit writes for as long as the
// load lasts. Every appended event is kept.
func TestCheckpointsStartTheLogOverUnderLoad(t *testing.T) {
	frames := 64
	if os.Getenv("FOYER_TEST_NO_FINISH") != "" {
		frames = 1 << 30 // what the test must catch: the log never finished
	}
	defer store.SetCheckpointing(5*time.Millisecond, frames)()
	s, path, site := openFileStore(t)

	// Each commit writes a few pages (the events, a new visitor and visit,
	// their indexes): without a new start the log would pass 20 MiB.
	const commits, perCommit = 1500, 2
	for i := range commits {
		hits := make([]foyer.Hit, perCommit)
		for j := range hits {
			hits[j] = pageview(site, fmt.Sprintf("visitor-%d-%d", i, j), time.Duration(i)*time.Second, "/p")
		}
		if err := s.AppendUnsynced(context.Background(), hits); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	wal := fileSize(t, path+"-wal")
	t.Logf("the log after %d commits: %d bytes", commits, wal)
	if wal > 12<<20 {
		t.Errorf("the log is %d bytes after %d commits without a pause: it never started over", wal, commits)
	}
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != commits*perCommit {
		t.Errorf("%d events stored, want %d", n, commits*perCommit)
	}
}

// openFileStore opens a store on a new SQLite file, closed when t ends,
// with one site; it returns the store, the file's path and the site's ID.
func openFileStore(t *testing.T) (*store.Store, string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "foyer.db")
	s, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	_, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	return s, path, site.ID
}

// Once the disk failed to flush the log, no later flush may report the
// appends durable, even when the disk works again: the pages it could not
// write may be gone from the page cache, and the log's commits after them
// with them. Every way of appending durably says so, with
// foyer.ErrFlushFailed; what was committed stays readable.
func TestAFailedFlushFailsEveryLaterOne(t *testing.T) {
	s, path, site := openFileStore(t)
	ctx := context.Background()
	if err := s.AppendUnsynced(ctx, []foyer.Hit{pageview(site, "before", 0, "/before")}); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncAppends(ctx); err != nil {
		t.Fatalf("flush before the failure: %v", err)
	}

	store.FailFlushes(s, fmt.Errorf("fake: input/output error"))
	if err := s.AppendUnsynced(ctx, []foyer.Hit{pageview(site, "during", time.Second, "/during")}); err != nil {
		t.Fatal(err)
	}
	err := s.SyncAppends(ctx)
	if !errors.Is(err, foyer.ErrFlushFailed) || !strings.Contains(fmt.Sprint(err), "fake: input/output error") {
		t.Fatalf("the failed flush returned %v; want ErrFlushFailed and its cause", err)
	}

	store.FailFlushes(s, nil) // the disk answers again
	for name, write := range map[string]func() error{
		"SyncAppends": func() error { return s.SyncAppends(ctx) },
		"Append": func() error {
			return s.Append(ctx, []foyer.Hit{pageview(site, "after", 2*time.Second, "/after")})
		},
		"AppendBatches": func() error {
			_, err := s.AppendBatches(ctx, []foyer.Batch{{ID: "batch-after",
				Hits: []foyer.Hit{pageview(site, "batch", 3*time.Second, "/batch")}}})
			return err
		},
	} {
		if err := write(); !errors.Is(err, foyer.ErrFlushFailed) {
			t.Errorf("%s after a failed flush: %v, want ErrFlushFailed", name, err)
		}
	}
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("%d events readable, want the 4 committed", n)
	}

	// Closed, the store leaves the log as a crash would, for the next
	// opening to recover: no checkpoint copies it into the database file.
	if err := s.Close(); !errors.Is(err, foyer.ErrFlushFailed) {
		t.Errorf("Close after a failed flush: %v, want ErrFlushFailed", err)
	}
	if fileSize(t, path+"-wal") == 0 {
		t.Error("the log was emptied at Close")
	}
}
