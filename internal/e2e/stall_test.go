package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestStalledDatabase: while another connection holds a write lock, a
// batch waits for its commit no longer than the commit deadline and gets
// 503 with Retry-After; once as many batches wait as the queue holds, the
// next gets 503 at once; /readyz fails; and when the lock is gone, /readyz
// recovers by itself, batches are acknowledged again, and every
// acknowledged event is stored exactly once.
func TestStalledDatabase(t *testing.T) {
	t.Parallel()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testStalledDatabase(t, d)
		})
	}
}

func testStalledDatabase(t *testing.T, d store.Dialect) {
	dsn := testutil.NewDSN(t, d)
	const queue = 2
	srv := startServerEnv(t, serverFiles{}, []string{"FOYER_COMMIT_TIMEOUT=300ms", fmt.Sprintf("FOYER_COMMIT_QUEUE=%d", queue)},
		"--db", dsn, "--demo", "--rate-limit", "0")
	client := newClient(t)
	// Every request gets a deadline well above the commit deadline and well
	// below the 10 s SQLite's writer waits for a lock: a request that waits
	// on the lock shows as an error, not as a slow answer.
	do := func(method, path string, body []byte) response {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
		defer cancel()
		r, err := send(ctx, client, method, srv.URL+path, body, nil)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return r
	}
	post := func(path string) response {
		return do("POST", "/collect", batchJSON("demo", "stall-visitor-0001", pageviews(path)...))
	}
	if r := do("GET", "/readyz", nil); r.status != http.StatusOK {
		t.Fatalf("/readyz before the lock: %d %s", r.status, r.body)
	}
	acked := map[string]bool{}
	if r := post("/before"); r.status != http.StatusAccepted {
		t.Fatalf("before the lock: %d %s", r.status, r.body)
	}
	acked["/before"] = true

	release := testutil.HoldWriteLock(t, testutil.OpenDB(t, dsn), d, "ACCESS EXCLUSIVE", "events")
	r := post("/stalled/0")
	wantErrorBody(t, "a batch past the commit deadline", r, http.StatusServiceUnavailable, "unavailable", "may or may not be stored")
	if r.header.Get("Retry-After") == "" {
		t.Error("503 past the commit deadline without Retry-After")
	}
	if r := do("GET", "/readyz", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the writer stalled: %d %s, want 503", r.status, r.body)
	}
	// The queue fills with batches that time out; past it, 503 at once.
	full := false
	for i := 1; i <= queue+2 && !full; i++ {
		r := post(fmt.Sprintf("/stalled/%d", i))
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Fatalf("batch %d with the writer stalled: %d (Retry-After %q) %s, want 503 with Retry-After",
				i, r.status, r.header.Get("Retry-After"), r.body)
		}
		full = strings.Contains(string(r.body), "too many batches wait")
	}
	if !full {
		t.Errorf("%d batches after the first were answered, none refused at once for a full queue", queue+2)
	}
	if r := do("GET", "/readyz", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the queue full: %d %s, want 503", r.status, r.body)
	}

	release()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := do("GET", "/readyz", nil)
		if r.status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %s 15 s after the lock was released", r.status, r.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range 3 {
		path := fmt.Sprintf("/after/%d", i)
		if r := post(path); r.status != http.StatusAccepted {
			t.Fatalf("%s after the lock: %d %s, want 202", path, r.status, r.body)
		}
		acked[path] = true
	}
	srv.stop()
	counts := pathCounts(parseExport(t, export(t, dsn, "demo")))
	for p := range acked {
		if counts[p] != 1 {
			t.Errorf("acknowledged event %s stored %d times, want exactly once", p, counts[p])
		}
	}
	for p, n := range counts {
		if n > 1 {
			t.Errorf("event %s stored %d times", p, n)
		}
	}
}
