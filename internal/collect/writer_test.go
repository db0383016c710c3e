package collect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// fakeEvents is a foyer.EventService that records every Append. Its first
// Append, when gate is set, signals entered and waits for gate to close, so
// that a test can queue batches behind a running commit. An Append whose
// hits include a path fail reports fails is all or nothing, like the store.
type fakeEvents struct {
	gate, entered chan struct{}
	fail          func(foyer.Hit) bool

	mu          sync.Mutex
	calls       [][]foyer.Hit
	stored      []foyer.Hit
	rolled      int   // how many of stored Rollup has folded
	rollups     []int // each Rollup's limit
	rollupFails int   // Rollup calls left to fail
	log         []string
}

func newGatedEvents() *fakeEvents {
	return &fakeEvents{gate: make(chan struct{}), entered: make(chan struct{})}
}

func (f *fakeEvents) Append(ctx context.Context, hits []foyer.Hit) error {
	f.mu.Lock()
	f.calls = append(f.calls, slices.Clone(hits))
	f.log = append(f.log, "append")
	first := len(f.calls) == 1
	f.mu.Unlock()
	if first && f.gate != nil {
		close(f.entered)
		<-f.gate
	}
	for _, h := range hits {
		if f.fail != nil && f.fail(h) {
			return errors.New("fake: constraint violated")
		}
	}
	f.mu.Lock()
	f.stored = append(f.stored, hits...)
	f.mu.Unlock()
	return nil
}

// Rollup folds stored events in order, like the store.
func (f *fakeEvents) Rollup(_ context.Context, limit int) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rollups = append(f.rollups, limit)
	f.log = append(f.log, "rollup")
	if f.rollupFails > 0 {
		f.rollupFails--
		return 0, errors.New("fake: rollup failed")
	}
	n := min(limit, len(f.stored)-f.rolled)
	f.rolled += n
	return n, nil
}

func (f *fakeEvents) Unrolled() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(len(f.stored) - f.rolled)
}

func (f *fakeEvents) Events(context.Context, int64, int64, time.Time, func(*foyer.StoredEvent) error) error {
	return nil
}

func (f *fakeEvents) AppendBatches(context.Context, []foyer.Batch) (int, error) {
	return 0, errors.New("fake: AppendBatches is not used by the writer")
}

func (f *fakeEvents) PruneBatchIDs(context.Context, time.Time) (int64, error) { return 0, nil }

// callSizes returns how many hits each Append carried.
func (f *fakeEvents) callSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []int
	for _, c := range f.calls {
		n = append(n, len(c))
	}
	return n
}

// storedPaths returns the paths of the committed hits, sorted.
func (f *fakeEvents) storedPaths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var p []string
	for _, h := range f.stored {
		p = append(p, h.Path)
	}
	slices.Sort(p)
	return p
}

// hitBatch returns n hits with paths /name/0 … /name/n-1.
func hitBatch(name string, n int) []foyer.Hit {
	hits := make([]foyer.Hit, n)
	for i := range hits {
		hits[i] = foyer.Hit{SiteID: 1, VisitorUID: goodVisitor, Kind: foyer.KindPageview, Host: "example.com",
			Path: fmt.Sprintf("/%s/%d", name, i)}
	}
	return hits
}

func pathsOf(batches ...[]foyer.Hit) []string {
	var p []string
	for _, b := range batches {
		for _, h := range b {
			p = append(p, h.Path)
		}
	}
	slices.Sort(p)
	return p
}

func newTestWriter(t *testing.T, f *fakeEvents, maxEvents int) *Writer {
	t.Helper()
	w := NewWriter(f, WriterConfig{Log: slog.New(slog.DiscardHandler), MaxEvents: maxEvents})
	w.Start()
	t.Cleanup(func() { stopTestWriter(t, w, f) })
	return w
}

// stopTestWriter stops w, opening f's gate first if it is still closed.
func stopTestWriter(t *testing.T, w *Writer, f *fakeEvents) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if f.gate != nil {
		select {
		case <-f.gate:
		default:
			close(f.gate) // never leave the loop stuck
		}
	}
	w.Stop(ctx)
}

// waitQueued polls until n batches wait in the writer's queue.
func waitQueued(t *testing.T, w *Writer, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(w.in) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d batches queued after 10s, want %d", len(w.in), n)
		}
		time.Sleep(time.Millisecond)
	}
}

type writeResult struct {
	i   int
	err error
}

// writeAsync starts Write(batches[i]) for every i and returns where the
// results arrive. It waits until the first batch is being committed.
func writeAsync(t *testing.T, w *Writer, f *fakeEvents, batches [][]foyer.Hit) chan writeResult {
	t.Helper()
	res := make(chan writeResult, len(batches))
	go func() { res <- writeResult{0, w.Write(context.Background(), batches[0])} }()
	select {
	case <-f.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("first batch never reached Append")
	}
	for i := 1; i < len(batches); i++ {
		go func() { res <- writeResult{i, w.Write(context.Background(), batches[i])} }()
	}
	waitQueued(t, w, len(batches)-1)
	return res
}

func collectResults(t *testing.T, res chan writeResult, n int) []error {
	t.Helper()
	errs := make([]error, n)
	for range n {
		select {
		case r := <-res:
			errs[r.i] = r.err
		case <-time.After(10 * time.Second):
			t.Fatal("a Write did not return within 10s")
		}
	}
	return errs
}

func TestWriterGroupCommit(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	w := newTestWriter(t, f, 0)
	const n = 64
	batches := make([][]foyer.Hit, n)
	for i := range batches {
		batches[i] = hitBatch(fmt.Sprintf("b%d", i), 1+i%5)
	}
	res := writeAsync(t, w, f, batches)
	close(f.gate)
	for i, err := range collectResults(t, res, n) {
		if err != nil {
			t.Errorf("Write(batch %d): %v", i, err)
		}
	}
	// The first batch was committed alone; the 63 that queued behind it in one.
	if got := f.callSizes(); len(got) != 2 || got[0] != len(batches[0]) {
		t.Errorf("Append calls carried %v hits; want 2 calls, the first with %d", got, len(batches[0]))
	}
	if got, want := f.storedPaths(), pathsOf(batches...); !slices.Equal(got, want) {
		t.Errorf("stored %d hits, want each of the %d written exactly once", len(got), len(want))
	}
}

func TestWriterGroupBound(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	w := newTestWriter(t, f, 10)
	batches := make([][]foyer.Hit, 10)
	for i := range batches {
		batches[i] = hitBatch(fmt.Sprintf("b%d", i), 3)
	}
	res := writeAsync(t, w, f, batches)
	close(f.gate)
	for i, err := range collectResults(t, res, len(batches)) {
		if err != nil {
			t.Errorf("Write(batch %d): %v", i, err)
		}
	}
	// A group takes batches while it holds fewer than 10 events, and never
	// splits a batch: 3, then 3+3+3+3 twice, then the last 3.
	if got, want := f.callSizes(), []int{3, 12, 12, 3}; !slices.Equal(got, want) {
		t.Errorf("Append calls carried %v hits, want %v", got, want)
	}
	if got, want := f.storedPaths(), pathsOf(batches...); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

func TestWriterFailingBatchFailsOnlyItself(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	f.fail = func(h foyer.Hit) bool { return h.Path == "/bad/1" }
	w := newTestWriter(t, f, 0)
	batches := [][]foyer.Hit{hitBatch("first", 2), hitBatch("a", 3), hitBatch("bad", 2), hitBatch("b", 1), hitBatch("c", 4)}
	res := writeAsync(t, w, f, batches)
	close(f.gate)
	errs := collectResults(t, res, len(batches))
	for i, err := range errs {
		switch {
		case i == 2 && foyer.ErrorCode(err) != foyer.EUNAVAILABLE:
			t.Errorf("Write(bad batch) = %v, want EUNAVAILABLE", err)
		case i != 2 && err != nil:
			t.Errorf("Write(batch %d) = %v, want nil: a bad batch in its group must not fail it", i, err)
		}
	}
	if msg := foyer.ErrorMessage(errs[2]); msg != "the batch could not be stored; try again" {
		t.Errorf("bad batch message %q", msg)
	}
	// The group of four failed as one, then each of its batches was tried
	// alone, in the order they were queued, which the scheduler picks.
	got := f.callSizes()
	if len(got) == 6 {
		slices.Sort(got[2:])
	}
	if want := []int{2, 10, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("Append calls carried %v hits (singles sorted), want %v", got, want)
	}
	if got, want := f.storedPaths(), pathsOf(batches[0], batches[1], batches[3], batches[4]); !slices.Equal(got, want) {
		t.Errorf("stored %v, want %v", got, want)
	}
}

func TestWriterStopDrainsThenRefuses(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	w := newTestWriter(t, f, 0)
	batches := make([][]foyer.Hit, 8)
	for i := range batches {
		batches[i] = hitBatch(fmt.Sprintf("b%d", i), 2)
	}
	res := writeAsync(t, w, f, batches)

	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		stopped <- w.Stop(ctx)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		w.mu.RLock()
		s := w.stopped
		w.mu.RUnlock()
		if s {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Stop did not mark the writer stopped within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	// Stopping: new batches are refused at once, while queued ones wait.
	err := w.Write(context.Background(), hitBatch("late", 1))
	if foyer.ErrorCode(err) != foyer.EUNAVAILABLE {
		t.Errorf("Write while stopping = %v, want EUNAVAILABLE", err)
	}
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned %v before the queued batches were committed", err)
	default:
	}
	close(f.gate)
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("Stop: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return within 10s")
	}
	for i, err := range collectResults(t, res, len(batches)) {
		if err != nil {
			t.Errorf("Write(batch %d) queued before Stop = %v, want nil", i, err)
		}
	}
	if got, want := f.storedPaths(), pathsOf(batches...); !slices.Equal(got, want) {
		t.Errorf("stored %v, want every queued batch: %v", got, want)
	}
	if n := f.Unrolled(); n != 0 {
		t.Errorf("%d events not rolled up after Stop, want 0", n)
	}
	err = w.Write(context.Background(), hitBatch("after", 1))
	if foyer.ErrorCode(err) != foyer.EUNAVAILABLE || foyer.ErrorMessage(err) != "the collector is shutting down" {
		t.Errorf("Write after Stop = %v, want EUNAVAILABLE, the collector is shutting down", err)
	}
	if slices.Contains(f.storedPaths(), "/after/0") || slices.Contains(f.storedPaths(), "/late/0") {
		t.Error("a batch written after Stop was stored")
	}
}

func TestWriterStopTimesOut(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	w := newTestWriter(t, f, 0)
	res := writeAsync(t, w, f, [][]foyer.Hit{hitBatch("slow", 1)})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := w.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Stop with a stuck commit = %v, want context.DeadlineExceeded", err)
	}
	close(f.gate)
	if err := collectResults(t, res, 1)[0]; err != nil {
		t.Errorf("Write = %v; the commit that outlived Stop's deadline must still finish", err)
	}
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the commit loop did not end after its last commit")
	}
}

// waitRolledUp polls until every stored event is rolled up.
func waitRolledUp(t *testing.T, f *fakeEvents) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.Unrolled() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d events still not rolled up after 10s", f.Unrolled())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWriterRollsUpWhenIdle(t *testing.T) {
	t.Parallel()
	f := &fakeEvents{}
	w := newTestWriter(t, f, 0)
	// A backlog of RollupIdle or more is rolled up as soon as the queue is empty.
	if err := w.Write(context.Background(), hitBatch("big", RollupIdle+10)); err != nil {
		t.Fatal(err)
	}
	waitRolledUp(t, f)
	// A smaller one after RollupPause, with no further batch to wake the writer.
	if err := w.Write(context.Background(), hitBatch("small", 3)); err != nil {
		t.Fatal(err)
	}
	waitRolledUp(t, f)
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, limit := range f.rollups {
		if limit != RollupStep {
			t.Errorf("Rollup(%d), want steps of %d", limit, RollupStep)
		}
	}
}

// TestWriterForcesRollupUnderLoad: with batches always waiting, the writer
// still rolls up once the backlog reaches RollupForce.
func TestWriterForcesRollupUnderLoad(t *testing.T) {
	t.Parallel()
	f := newGatedEvents()
	w := newTestWriter(t, f, 0)
	batches := make([][]foyer.Hit, 12)
	for i := range batches {
		batches[i] = hitBatch(fmt.Sprintf("b%d", i), 1000)
	}
	res := writeAsync(t, w, f, batches)
	waitQueued(t, w, len(batches)-1)
	close(f.gate)
	for i, err := range collectResults(t, res, len(batches)) {
		if err != nil {
			t.Fatalf("Write(batch %d) = %v", i, err)
		}
	}
	f.mu.Lock()
	log := slices.Clone(f.log)
	f.mu.Unlock()
	last := slices.Index(log, "rollup")
	if last < 0 || !slices.Contains(log[last:], "append") {
		t.Errorf("calls %v: want a roll-up between commits while batches were queued", log)
	}
	waitRolledUp(t, f)
}

// TestWriterRollupFailureIsRetried: a failing roll-up fails no write and is
// tried again later.
func TestWriterRollupFailureIsRetried(t *testing.T) {
	t.Parallel()
	f := &fakeEvents{rollupFails: 2}
	w := newTestWriter(t, f, 0)
	if err := w.Write(context.Background(), hitBatch("b", RollupIdle)); err != nil {
		t.Fatalf("Write with a failing roll-up = %v, want nil", err)
	}
	waitRolledUp(t, f)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.rollups) < 3 {
		t.Errorf("%d Rollup calls, want the 2 failures and a success", len(f.rollups))
	}
}
