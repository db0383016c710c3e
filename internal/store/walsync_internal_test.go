package store

import (
	"os"
	"path/filepath"
	"testing"
)

// The log's file is flushed through a descriptor held open, which follows
// the file at the path: a file found replaced is let go and the new one
// opened, and a log found gone needs no flush.
func TestWALFileFollowsTheLog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "foyer.db-wal")
	w := &walFile{path: path}
	defer w.close()

	if err := w.sync(); err != nil {
		t.Fatalf("sync with no log: %v", err)
	}
	if w.f != nil {
		t.Fatal("sync with no log opened a file")
	}

	if err := os.WriteFile(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.sync(); err != nil {
		t.Fatalf("sync: %v", err)
	}
	first := w.f
	if first == nil {
		t.Fatal("sync did not open the log")
	}
	if err := w.sync(); err != nil || w.f != first {
		t.Fatalf("second sync: err %v, reopened %v; want the same descriptor", err, w.f != first)
	}

	// Replaced: a new file renamed over the path.
	tmp := filepath.Join(dir, "new")
	if err := os.WriteFile(tmp, []byte("second"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if err := w.sync(); err != nil {
		t.Fatalf("sync after the log was replaced: %v", err)
	}
	held, err := w.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(held, cur) {
		t.Fatal("sync still holds the replaced log")
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := w.sync(); err != nil {
		t.Fatalf("sync after the log was removed: %v", err)
	}
	if w.f != nil {
		t.Fatal("sync still holds a removed log")
	}
}

// A log that cannot be opened fails that flush only: nothing was written
// back, so nothing can have been lost, and the next flush may succeed. A
// failed fdatasync fails every flush after it (TestAFailedFlushFailsEveryLaterOne).
func TestWALFileOpenErrorIsNotForGood(t *testing.T) {
	dir := t.TempDir()
	parent := filepath.Join(dir, "db")
	if err := os.WriteFile(parent, nil, 0o600); err != nil { // a file where a directory belongs
		t.Fatal(err)
	}
	w := &walFile{path: filepath.Join(parent, "foyer.db-wal")}
	defer w.close()
	if err := w.sync(); err == nil {
		t.Fatal("sync of a log under a file succeeded")
	}
	if err := os.Remove(parent); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(parent, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.path, []byte("log"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.sync(); err != nil {
		t.Fatalf("sync once the log could be opened: %v", err)
	}
}
