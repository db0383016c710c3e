package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// readyz returns a server's /readyz status and body ("" when it does not
// answer).
func readyz(c *http.Client, s *server) (int, string) {
	r, err := send(context.Background(), c, "GET", s.URL+"/readyz", nil, nil)
	if err != nil {
		return 0, ""
	}
	return r.status, string(r.body)
}

// holder returns the index of the worker whose /readyz says it holds the
// write lock, or -1.
func holder(c *http.Client, workers []*server) int {
	for i, w := range workers {
		if w == nil {
			continue
		}
		if _, body := readyz(c, w); strings.Contains(body, "write lock: held") {
			return i
		}
	}
	return -1
}

// waitUntil polls cond every 50 ms until it holds, or fails the test after d.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("gave up after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestQueueKill: two collectors and two workers on one PostgreSQL database,
// with NATS JetStream between them, take events from many concurrent
// clients; the worker that writes and the broker are killed with SIGKILL in
// the middle of the load and started again on the same store. Every event
// acknowledged with 202 is stored exactly once, nothing is stored twice,
// and the standby worker takes over the write lock.
func TestQueueKill(t *testing.T) {
	t.Parallel()
	dsn := testutil.NewDSN(t, store.Postgres)
	dir := t.TempDir()
	b := startBroker(t, filepath.Join(dir, "jetstream"), freePort(t))
	common := []string{"--db", dsn, "--rate-limit", "0", "--queue", b.URL, "--key-file", filepath.Join(dir, "master.key"),
		"--commit-timeout", "2s", "--no-enrich"}
	files := func(name string) serverFiles {
		return serverFiles{filepath.Join(dir, name+".out"), filepath.Join(dir, name+".log")}
	}
	// The first start creates the database's key and the demo site.
	collectors := []*server{startServer(t, files("collector0"), append(common, "--role", "collector", "--demo")...)}
	collectors = append(collectors, startServer(t, files("collector1"), append(common, "--role", "collector")...))
	startWorker := func(i int) *server {
		return startServer(t, files(fmt.Sprint("worker", i)), append(common, "--role", "worker")...)
	}
	workers := []*server{startWorker(0), startWorker(1)}
	client := newClient(t)
	waitUntil(t, 20*time.Second, "a worker holding the write lock", func() bool { return holder(client, workers) >= 0 })

	var stop, brokerDown atomic.Bool
	var inFlight, ackedN, ackedAfter atomic.Int64
	results := make([]loadResult, loadWorkers)
	var wg sync.WaitGroup
	for w := range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			visitor := durabilityVisitor(w)
			res := &results[w]
			for seq := 0; !stop.Load(); {
				paths := make([]string, 1+rng.IntN(5))
				for i := range paths {
					paths[i] = fmt.Sprintf("/d/%d/%d", w, seq)
					seq++
				}
				c := collectors[(w+seq)%2]
				inFlight.Add(1)
				r, err := send(context.Background(), client, "POST", c.URL+"/collect", batchJSON("demo", visitor, pageviews(paths...)...), nil)
				inFlight.Add(-1)
				switch {
				case err == nil && r.status == http.StatusAccepted:
					res.acked = append(res.acked, paths...)
					ackedN.Add(int64(len(paths)))
					if !brokerDown.Load() {
						ackedAfter.Add(int64(len(paths)))
					}
				case err == nil && r.status == http.StatusServiceUnavailable:
					// The broker is down, or was when the publish began:
					// the batch may or may not be stored.
					res.unanswered = append(res.unanswered, paths...)
					time.Sleep(50 * time.Millisecond)
				default:
					t.Errorf("load %d: %v, status %d: %.200s", w, err, r.status, r.body)
					res.unanswered = append(res.unanswered, paths...)
					return
				}
			}
		}()
	}

	time.Sleep(loadDuration)
	for enough := time.Now().Add(time.Minute); ackedN.Load() < 200 && time.Now().Before(enough); {
		time.Sleep(10 * time.Millisecond)
	}
	for deadline := time.Now().Add(2 * time.Second); inFlight.Load() < loadWorkers/2 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Microsecond)
	}
	active := holder(client, workers)
	if active < 0 {
		t.Fatal("no worker holds the write lock under load")
	}
	atKill := inFlight.Load()
	ackedBefore := ackedN.Load()
	brokerDown.Store(true)
	workers[active].kill()
	b.kill()
	workers[active] = nil
	standby := workers[1-active]
	// The standby takes the write lock while the broker is down.
	waitUntil(t, 20*time.Second, "the standby worker taking the write lock", func() bool { return holder(client, workers) == 1-active })
	// The collectors keep answering (503: the queue does not take the
	// batches) and say why in /readyz.
	waitUntil(t, 10*time.Second, "a collector's /readyz failing without the broker", func() bool {
		status, _ := readyz(client, collectors[0])
		return status == http.StatusServiceUnavailable
	})
	b.restart()
	ackedAfter.Store(0)
	brokerDown.Store(false)
	workers[active] = startWorker(active)
	waitUntil(t, 30*time.Second, "events acknowledged after the restart", func() bool { return ackedAfter.Load() >= 200 })
	stop.Store(true)
	wg.Wait()

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
	// Wait until the workers have stored every acknowledged event.
	var counts map[string]int
	waitUntil(t, 60*time.Second, "every acknowledged event stored", func() bool {
		counts = pathCounts(parseExport(t, export(t, dsn, "demo")))
		for p := range acked {
			if counts[p] == 0 {
				return false
			}
		}
		return true
	})
	waitUntil(t, 20*time.Second, "queue lag 0", func() bool {
		_, body := readyz(client, standby)
		return strings.Contains(body, "queue lag: 0 batches")
	})
	counts = pathCounts(parseExport(t, export(t, dsn, "demo")))
	for p := range acked {
		if n := counts[p]; n != 1 {
			t.Errorf("acknowledged event %s stored %d times, want exactly once", p, n)
		}
	}
	recovered := 0
	for p, n := range counts {
		if n > 1 {
			t.Errorf("event %s stored %d times", p, n)
		}
		if !sent[p] {
			t.Errorf("event %s stored but never sent", p)
		}
		if !acked[p] {
			recovered++
		}
	}
	for _, c := range collectors {
		if status, body := readyz(client, c); status != http.StatusOK || !strings.Contains(body, "database: answers") {
			t.Errorf("collector /readyz after the restart: %d %q", status, body)
		}
	}
	// How the exactly-once held: messages delivered again, and batches
	// among them that were stored already.
	var redelivered, duplicates []string
	for _, w := range workers {
		r, err := send(context.Background(), client, "GET", w.URL+"/metrics", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		redelivered = append(redelivered, metricValue(string(r.body), "foyer_queue_redeliveries_total"))
		duplicates = append(duplicates, metricValue(string(r.body), "foyer_queue_duplicate_batches_total"))
	}
	t.Logf("after the restart, the workers counted %v redeliveries and %v batches stored already", redelivered, duplicates)
	for _, s := range append(collectors, workers...) {
		s.stop()
	}
	t.Logf("%d events acknowledged (%d before the kill), %d sent without a 202 (%d of them stored), %d requests in flight at the kill",
		len(acked), ackedBefore, len(sent)-len(acked), recovered, atKill)
}

// metricValue returns the value of an unlabelled metric on a /metrics page.
func metricValue(page, name string) string {
	for _, line := range strings.Split(page, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	return "?"
}
