//go:build linux

package e2e_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeExitsWhenTheDiskFailsAFlush: when the disk fails to flush the
// SQLite log, the batch waiting for that flush is answered 503 (it may or
// may not be kept), and `foyer serve` exits with status 1 instead of
// acknowledging more, so that its supervisor starts it again. Started
// again, it has every batch it acknowledged before.
//
// The failure is a real one from the kernel: the log's path is made to
// lead to a file of /proc, whose fdatasync fails (EINVAL), while SQLite
// goes on writing the log it holds open.
func TestServeExitsWhenTheDiskFailsAFlush(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "foyer.db")
	dsn := "sqlite:" + db
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0")
	c := newClient(t)
	const visitor = "flushfail-visitor-0001"
	post := func(path string) response {
		t.Helper()
		r, err := send(context.Background(), c, "POST", srv.URL+"/collect", batchJSON("demo", visitor, pageviews(path)...), nil)
		if err != nil {
			t.Fatalf("POST /collect: %v", err)
		}
		return r
	}
	if r := post("/before"); r.status != http.StatusAccepted {
		t.Fatalf("the first batch: %d %s", r.status, r.body)
	}

	if err := os.Rename(db+"-wal", db+"-wal.held"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/self/status", db+"-wal"); err != nil {
		t.Fatal(err)
	}
	if r := post("/after"); r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "may or may not be kept") {
		t.Fatalf("the batch whose flush failed: %d %s; want 503, may or may not be kept", r.status, r.body)
	}
	select {
	case <-srv.exited:
	case <-time.After(20 * time.Second):
		t.Fatal("foyer serve still runs 20 s after a failed flush")
	}
	var exit *exec.ExitError
	if !errors.As(srv.err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("foyer serve ended with %v, want exit status 1", srv.err)
	}
	logs, err := os.ReadFile(srv.stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "the disk failed to flush") {
		t.Fatalf("the log does not say why it stopped:\n%s", logs)
	}

	// The log is back where SQLite left it, as after a crash, and the
	// database recovers it when opened again.
	if err := os.Remove(db + "-wal"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(db+"-wal.held", db+"-wal"); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range parseExport(t, export(t, dsn, "demo")) {
		found = found || e.Path == "/before"
	}
	if !found {
		t.Fatal("the batch acknowledged before the failed flush is gone")
	}
}
