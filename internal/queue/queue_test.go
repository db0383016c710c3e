package queue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/nats-io/nats.go/jetstream"
)

// natsURL is the NATS server (with JetStream) the tests use.
const natsURL = "nats://127.0.0.1:4222"

// newQueue opens the test server with a stream and consumer of the test's
// own, deleted when it ends.
func newQueue(t testing.TB) *Queue {
	t.Helper()
	if c, err := net.DialTimeout("tcp", "127.0.0.1:4222", time.Second); err != nil {
		if testing.Short() {
			t.Skipf("no NATS server at %s: skipped in -short mode", natsURL)
		}
		t.Fatalf("no NATS server at %s (start nats-server -js): %v", natsURL, err)
	} else {
		c.Close()
	}
	stream := "FOYER_TEST_" + NewBatchID()[:12]
	q, err := Open(context.Background(), Config{URL: natsURL, Stream: stream, Name: t.Name(), Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := q.js.DeleteStream(ctx, stream); err != nil {
			t.Errorf("delete stream %s: %v", stream, err)
		}
		q.Close()
	})
	return q
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// lockerOf returns the write lock of the store's database.
func lockerOf(t testing.TB, s *store.Store) Locker {
	if s.Dialect() == store.Postgres {
		return PostgresLocker(s.DB())
	}
	return FileLocker(t.TempDir() + "/writer-lock")
}

// runWorker runs a worker until the test ends, and returns it and a
// function that stops it and waits for it.
func runWorker(t testing.TB, q *Queue, s *store.Store, lock Locker, m *Metrics) (*Worker, func()) {
	w := NewWorker(q, WorkerConfig{Store: s, Lock: lock, Metrics: m, Log: quietLog(), AckWait: 2 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := w.Run(ctx); err != nil {
			t.Errorf("worker: %v", err)
		}
	}()
	stop := sync.OnceFunc(func() { cancel(); wg.Wait() })
	t.Cleanup(stop)
	return w, stop
}

func pageviews(site int64, prefix string, n int) []foyer.Hit {
	hits := make([]foyer.Hit, n)
	for i := range hits {
		hits[i] = foyer.Hit{SiteID: site, VisitorUID: "visitor-" + prefix, Time: time.Now(), Kind: foyer.KindPageview,
			Host: "www.example.com", Path: fmt.Sprintf("/%s/%d", prefix, i),
			Origin: foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Acme", Domain: "acme.example", Type: "business"}}}
	}
	return hits
}

// paths returns how many events the site has of each path.
func paths(t testing.TB, s *store.Store, ws, site int64) map[string]int {
	t.Helper()
	n := map[string]int{}
	err := s.Events(context.Background(), ws, site, time.Time{}, func(e *foyer.StoredEvent) error {
		n[e.Path]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds or 20 seconds pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// eachDialect runs f, in parallel, on each dialect: with a queue of its
// own, a new store and, in it, a workspace with one site.
func eachDialect(t *testing.T, f func(t *testing.T, q *Queue, s *store.Store, ws *foyer.Workspace, site *foyer.Site)) {
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			q := newQueue(t)
			s := testutil.NewStore(t, d, store.Options{})
			ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
			f(t, q, s, ws, site)
		})
	}
}

// TestPublishAndStore: batches published by concurrent collectors are all
// stored once by the worker, in transactions of many batches.
func TestPublishAndStore(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, q *Queue, s *store.Store, ws *foyer.Workspace, site *foyer.Site) {
		m := NewMetrics(nil)
		p := NewPublisher(q, 0, m)
		// Published before any worker runs: the stream buffers.
		var wg sync.WaitGroup
		for c := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range 25 {
					if err := p.Write(context.Background(), pageviews(site.ID, fmt.Sprintf("c%d-b%d", c, b), 1+b%3)); err != nil {
						t.Errorf("publish: %v", err)
					}
				}
			}()
		}
		wg.Wait()
		if err := p.Ready(); err != nil {
			t.Errorf("Ready: %v", err)
		}
		want := 0
		for b := range 25 {
			want += 8 * (1 + b%3)
		}
		w, _ := runWorker(t, q, s, lockerOf(t, s), m)
		waitFor(t, "every event stored", func() bool { return len(paths(t, s, ws.ID, site.ID)) >= want })
		for p, n := range paths(t, s, ws.ID, site.ID) {
			if n != 1 {
				t.Errorf("%s stored %d times", p, n)
			}
		}
		if !w.HoldsLock() {
			t.Error("the worker does not say it holds the write lock")
		}
		q.sample(context.Background(), m)
		waitFor(t, "lag 0", func() bool { q.sample(context.Background(), m); lag, err := q.Lag(); return lag == 0 && err == nil })
		if n := histogramMax(t, m.CommitBatches); n < 2 {
			t.Errorf("at most %v batches in one transaction, want many", n)
		}
	})
}

// TestRedeliveryStoresOnce: a batch whose commit happened but whose
// acknowledgement was lost (the worker stopped between them) is delivered
// again and not stored twice; a batch published twice with one ID (a
// publisher's retry) is one message.
func TestRedeliveryStoresOnce(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, q *Queue, s *store.Store, ws *foyer.Workspace, site *foyer.Site) {
		ctx := context.Background()
		cfg := q.Config()
		batch := foyer.Batch{ID: NewBatchID(), Hits: pageviews(site.ID, "once", 3)}
		for range 2 {
			if _, err := q.js.Publish(ctx, cfg.Subject(), Encode(batch), jetstream.WithMsgID(batch.ID)); err != nil {
				t.Fatal(err)
			}
		}
		info, err := q.js.Stream(ctx, cfg.Stream)
		if err != nil || info.CachedInfo().State.Msgs != 1 {
			t.Fatalf("stream after publishing one ID twice: %v, want 1 message", err)
		}
		// A first worker commits and dies before its acknowledgement:
		// played here by a consumer that takes the message, stores it
		// and lets it go unacknowledged.
		m := NewMetrics(nil)
		w := NewWorker(q, WorkerConfig{Store: s, Metrics: m, AckWait: time.Second})
		cons, err := w.consumer(ctx, nopLock{})
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := drain(cons.Fetch(1, jetstream.FetchMaxWait(5*time.Second)))
		if err != nil || len(msgs) != 1 {
			t.Fatalf("fetch: %d messages, %v", len(msgs), err)
		}
		got, err := Decode(msgs[0].Data())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AppendBatches(ctx, []foyer.Batch{got}); err != nil {
			t.Fatal(err)
		}
		// The worker that takes over gets it again after the ack wait.
		runWorker(t, q, s, lockerOf(t, s), m)
		waitFor(t, "the redelivery", func() bool { return counter(t, m.Redelivered) >= 1 && counter(t, m.Duplicates) >= 1 })
		waitFor(t, "lag 0", func() bool { q.sample(ctx, m); lag, _ := q.Lag(); return lag == 0 })
		want := map[string]int{"/once/0": 1, "/once/1": 1, "/once/2": 1}
		if got := paths(t, s, ws.ID, site.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})
}

// TestMalformedMessageTerminated: a message that does not decode is
// terminated, and the batches around it are stored.
func TestMalformedMessageTerminated(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	s := testutil.NewStore(t, store.SQLite, store.Options{})
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	ctx := context.Background()
	p := NewPublisher(q, 0, nil)
	if err := p.Write(ctx, pageviews(site.ID, "before", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := q.js.Publish(ctx, q.Config().Subject(), []byte("not a batch")); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(ctx, pageviews(site.ID, "after", 1)); err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(nil)
	runWorker(t, q, s, lockerOf(t, s), m)
	waitFor(t, "both batches stored", func() bool { return len(paths(t, s, ws.ID, site.ID)) == 2 })
	waitFor(t, "the bad message terminated", func() bool {
		return counter(t, m.Terminated.WithLabelValues("malformed")) == 1
	})
	waitFor(t, "lag 0", func() bool { q.sample(ctx, m); lag, _ := q.Lag(); return lag == 0 })
}

// TestOneWriterAtATime: a second worker on the same database waits on
// standby while the first holds the write lock, and takes over when it
// stops; the batches published meanwhile are stored once.
func TestOneWriterAtATime(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, q *Queue, s *store.Store, ws *foyer.Workspace, site *foyer.Site) {
		lock := lockerOf(t, s)
		w1, stop1 := runWorker(t, q, s, lock, nil)
		waitFor(t, "the first worker's lock", w1.HoldsLock)
		w2, _ := runWorker(t, q, s, lock, nil)
		p := NewPublisher(q, 0, nil)
		ctx := context.Background()
		for i := range 10 {
			if err := p.Write(ctx, pageviews(site.ID, fmt.Sprint("a", i), 2)); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(3 * lockPoll)
		if w2.HoldsLock() {
			t.Fatal("two workers hold the write lock")
		}
		stop1()
		waitFor(t, "the second worker's lock", w2.HoldsLock)
		for i := range 10 {
			if err := p.Write(ctx, pageviews(site.ID, fmt.Sprint("b", i), 2)); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "every event stored", func() bool { return len(paths(t, s, ws.ID, site.ID)) == 40 })
		var dup []string
		for p, n := range paths(t, s, ws.ID, site.ID) {
			if n != 1 {
				dup = append(dup, p)
			}
		}
		sort.Strings(dup)
		if len(dup) > 0 {
			t.Errorf("stored more than once: %v", dup)
		}
	})
}

type nopLock struct{}

func (nopLock) Lost() <-chan struct{} { return nil }
func (nopLock) Release()              {}

// TestPublishFailsUnavailable: a publish JetStream does not acknowledge
// within the deadline is EUNAVAILABLE (the collector's 503), and Ready says
// the queue is not connected.
func TestPublishFailsUnavailable(t *testing.T) {
	t.Parallel()
	q := newQueue(t)
	other, err := Open(context.Background(), Config{URL: natsURL, Stream: q.Config().Stream, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	other.Close()
	m := NewMetrics(nil)
	p := NewPublisher(other, 300*time.Millisecond, m)
	start := time.Now()
	err = p.Write(context.Background(), pageviews(1, "x", 1))
	if foyer.ErrorCode(err) != foyer.EUNAVAILABLE {
		t.Errorf("publish on a closed connection: %v, want EUNAVAILABLE", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 5*time.Second {
		t.Errorf("publish gave up after %v, want the deadline of 300ms", d)
	}
	if counter(t, m.PublishFailed) != 1 {
		t.Error("the failed publish is not counted")
	}
	if foyer.ErrorCode(p.Ready()) != foyer.EUNAVAILABLE {
		t.Errorf("Ready on a closed connection: %v", p.Ready())
	}
}

// lostCommits is a store whose first AppendBatches calls commit and then
// report a failure, as a connection lost before the commit's answer.
type lostCommits struct {
	*store.Store
	mu    sync.Mutex
	fails int
}

func (s *lostCommits) AppendBatches(ctx context.Context, batches []foyer.Batch) (int, error) {
	n, err := s.Store.AppendBatches(ctx, batches)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && s.fails > 0 {
		s.fails--
		return 0, fmt.Errorf("fake: the connection was lost after the commit")
	}
	return n, err
}

// TestNakedBatchStoresOnce: a batch whose commit happened but was reported
// failed is handed back (nak), delivered again, and not stored twice.
func TestNakedBatchStoresOnce(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, q *Queue, s *store.Store, ws *foyer.Workspace, site *foyer.Site) {
		flaky := &lostCommits{Store: s, fails: 2} // at the first two deliveries
		if err := NewPublisher(q, 0, nil).Write(context.Background(), pageviews(site.ID, "naked", 2)); err != nil {
			t.Fatal(err)
		}
		m := NewMetrics(nil)
		w := NewWorker(q, WorkerConfig{Store: flaky, Lock: lockerOf(t, s), Metrics: m, Log: quietLog()})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()
		defer func() { cancel(); <-done }()
		waitFor(t, "the redelivery stored as a duplicate", func() bool { return counter(t, m.Duplicates) >= 1 })
		if counter(t, m.Redelivered) < 1 {
			t.Error("no redelivery counted")
		}
		want := map[string]int{"/naked/0": 1, "/naked/1": 1}
		if got := paths(t, s, ws.ID, site.ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})
}

// unflushable is a store whose commits all happen, but whose flush to the
// disk fails, from the first on (foyer.ErrFlushFailed).
type unflushable struct{ *store.Store }

func (s unflushable) AppendBatches(ctx context.Context, batches []foyer.Batch) (int, error) {
	if _, err := s.Store.AppendBatches(ctx, batches); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("fake: %w", foyer.ErrFlushFailed)
}

// TestWorkerStopsWhenTheDiskFailsAFlush: a worker whose store failed to
// flush ends with that error, without acknowledging or giving up on the
// messages: they go back to the stream, and the next worker stores each
// batch once.
func TestWorkerStopsWhenTheDiskFailsAFlush(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, q *Queue, s *store.Store, ws *foyer.Workspace, site *foyer.Site) {
		p := NewPublisher(q, 0, nil)
		for _, prefix := range []string{"a", "b"} {
			if err := p.Write(context.Background(), pageviews(site.ID, prefix, 2)); err != nil {
				t.Fatal(err)
			}
		}
		m := NewMetrics(nil)
		lock := lockerOf(t, s)
		w := NewWorker(q, WorkerConfig{Store: unflushable{s}, Lock: lock, Metrics: m, Log: quietLog()})
		done := make(chan error, 1)
		go func() { done <- w.Run(context.Background()) }()
		select {
		case err := <-done:
			if !errors.Is(err, foyer.ErrFlushFailed) {
				t.Fatalf("Run = %v, want ErrFlushFailed", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the worker went on after its store failed a flush")
		}
		if n := counter(t, m.Terminated.WithLabelValues("failed")); n != 0 {
			t.Fatalf("%v messages given up on", n)
		}

		m2 := NewMetrics(nil)
		runWorker(t, q, s, lock, m2)
		waitFor(t, "the batches delivered again", func() bool { return counter(t, m2.Duplicates) >= 1 })
		want := map[string]int{"/a/0": 1, "/a/1": 1, "/b/0": 1, "/b/1": 1}
		waitFor(t, "every batch stored once", func() bool { return fmt.Sprint(paths(t, s, ws.ID, site.ID)) == fmt.Sprint(want) })
	})
}

// TestWorkerRollsUpWhileItRuns: a worker rolls up what it stores while it
// runs (on PostgreSQL beside its commits, on SQLite between them): every
// stored event is counted in its visit without the worker stopping.
func TestWorkerRollsUpWhileItRuns(t *testing.T) {
	t.Parallel()
	eachDialect(t, func(t *testing.T, q *Queue, s *store.Store, _ *foyer.Workspace, site *foyer.Site) {
		runWorker(t, q, s, lockerOf(t, s), NewMetrics(nil))
		p := NewPublisher(q, 0, nil)
		const batches = 120
		for i := range batches {
			if err := p.Write(context.Background(), pageviews(site.ID, fmt.Sprint("r", i), 3)); err != nil {
				t.Fatal(err)
			}
		}
		counted := func() (events, rolled int64) {
			q := fmt.Sprintf(`SELECT (SELECT COUNT(*) FROM events), (SELECT COALESCE(SUM(events), 0) FROM sessions WHERE site_id = %d)`, site.ID)
			if err := s.DB().QueryRow(q).Scan(&events, &rolled); err != nil {
				t.Fatal(err)
			}
			return events, rolled
		}
		waitFor(t, "every event rolled up", func() bool {
			events, rolled := counted()
			return events == batches*3 && rolled == events
		})
	})
}
