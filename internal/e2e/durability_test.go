package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestDurability proves "acknowledged means durable": every event whose
// batch got 202 survives a kill -9 of the server in the middle of a load,
// exactly once, and nothing is ever stored twice.
func TestDurability(t *testing.T) {
	t.Parallel()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testDurability(t, testutil.NewDSN(t, d))
		})
	}
}

const (
	loadWorkers  = 32
	loadDuration = 2 * time.Second
)

// loadResult is what one load worker learnt: the paths of the events
// acknowledged with 202, and those sent without an answer.
type loadResult struct {
	acked, unanswered []string
}

func durabilityVisitor(worker int) string { return fmt.Sprintf("durability-visitor-%02d", worker) }

func testDurability(t *testing.T, dsn string) {
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0")
	client := newClient(t)

	var killed atomic.Bool
	var inFlight, ackedN atomic.Int64
	results := make([]loadResult, loadWorkers)
	var wg sync.WaitGroup
	for w := range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			visitor := durabilityVisitor(w)
			res := &results[w]
			seq := 0
			for !killed.Load() {
				paths := make([]string, 1+rng.IntN(5))
				for i := range paths {
					paths[i] = fmt.Sprintf("/d/%d/%d", w, seq)
					seq++
				}
				inFlight.Add(1)
				r, err := send(context.Background(), client, "POST", srv.URL+"/collect",
					batchJSON("demo", visitor, pageviews(paths...)...), nil)
				inFlight.Add(-1)
				switch {
				case err == nil && r.status == http.StatusAccepted:
					if want := fmt.Sprintf("{\"accepted\":%d}\n", len(paths)); string(r.body) != want {
						t.Errorf("202 body %q, want %q", r.body, want)
					}
					res.acked = append(res.acked, paths...)
					ackedN.Add(int64(len(paths)))
				case err != nil && killed.Load():
					res.unanswered = append(res.unanswered, paths...)
				case err != nil:
					t.Errorf("worker %d: request failed before the kill: %v", w, err)
					res.unanswered = append(res.unanswered, paths...)
					return
				default:
					t.Errorf("worker %d: status %d before the kill: %s", w, r.status, r.body)
					res.unanswered = append(res.unanswered, paths...)
					return
				}
			}
		}()
	}

	time.Sleep(loadDuration) // the length of the load, not a wait for a condition
	// On a busy machine, run on until enough events were acknowledged for
	// the kill to prove something, however long that takes.
	for enough := time.Now().Add(time.Minute); ackedN.Load() < 100 && time.Now().Before(enough); {
		time.Sleep(10 * time.Millisecond)
	}
	// Kill the server the instant it is busiest: wait (briefly) until most
	// workers have a request out, then kill -9.
	deadline := time.Now().Add(2 * time.Second)
	for inFlight.Load() < loadWorkers/2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Microsecond)
	}
	atInKill := inFlight.Load()
	killed.Store(true)
	srv.kill()
	wg.Wait()
	if atInKill == 0 {
		t.Errorf("no request was in flight when the server was killed; the test proves nothing")
	}

	acked := map[string]bool{}
	sent := map[string]bool{}
	for _, r := range results {
		for _, p := range r.acked {
			acked[p] = true
			sent[p] = true
		}
		for _, p := range r.unanswered {
			sent[p] = true
		}
	}
	if len(acked) < 100 {
		t.Fatalf("only %d events acknowledged in %v; the load did not run", len(acked), loadDuration)
	}

	// Restart on the same database: the server recovers and takes events.
	srv2 := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0")
	r, err := send(context.Background(), client, "POST", srv2.URL+"/collect",
		batchJSON("demo", durabilityVisitor(99), pageviews("/after-restart")...), nil)
	if err != nil || r.status != http.StatusAccepted {
		t.Fatalf("after restart: %v %d %s", err, r.status, r.body)
	}

	events := parseExport(t, export(t, dsn, "demo"))
	counts := pathCounts(events)
	for p := range acked {
		if n := counts[p]; n != 1 {
			t.Errorf("acknowledged event %s stored %d times, want exactly once", p, n)
		}
	}
	recovered := 0
	for p := range sent {
		if !acked[p] && counts[p] > 0 {
			recovered++
		}
	}
	for p, n := range counts {
		if n > 1 {
			t.Errorf("event %s stored %d times", p, n)
		}
		if !sent[p] && p != "/after-restart" {
			t.Errorf("event %s stored but never sent", p)
		}
	}
	if counts["/after-restart"] != 1 {
		t.Errorf("the event sent after the restart is stored %d times, want once", counts["/after-restart"])
	}
	// Each event belongs to the visitor of the worker that sent it.
	for _, e := range events {
		if w, ok := workerOf(e.Path); ok && e.VisitorUID != durabilityVisitor(w) {
			t.Errorf("event %s has visitor %q, want %q", e.Path, e.VisitorUID, durabilityVisitor(w))
		}
		if e.Host != "localhost" || e.Type != "pageview" {
			t.Errorf("event %s: host %q type %q", e.Path, e.Host, e.Type)
		}
	}
	srv2.stop()
	t.Logf("%d events acknowledged, %d sent without an answer (%d of them stored), %d requests in flight at the kill",
		len(acked), len(sent)-len(acked), recovered, atInKill)
}

// workerOf returns the worker number in a path /d/WORKER/SEQ.
func workerOf(path string) (int, bool) {
	parts := strings.Split(path, "/")
	if len(parts) != 4 || parts[1] != "d" {
		return 0, false
	}
	w, err := strconv.Atoi(parts[2])
	return w, err == nil
}
