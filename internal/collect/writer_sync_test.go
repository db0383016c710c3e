package collect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// syncingEvents is a fakeEvents that commits without flushing
// (foyer.AppendSyncer): AppendUnsynced records the hits as committed, and
// SyncAppends, which waits for a value on release, makes every commit
// before it durable, or fails with the value's error.
type syncingEvents struct {
	*fakeEvents
	release chan error
	// together: the commits are durable when they return (SyncsApart
	// false), as on PostgreSQL.
	together bool
	// stall, when set, holds up the commit of a batch named "slow" until
	// it is closed.
	stall chan struct{}

	smu       sync.Mutex
	committed int // hits committed
	durable   int // hits covered by a flush that succeeded
	flushes   int // SyncAppends calls begun
}

func (s *syncingEvents) AppendUnsynced(ctx context.Context, hits []foyer.Hit) error {
	if s.stall != nil && strings.HasPrefix(hits[0].Path, "/slow/") {
		<-s.stall
	}
	if err := s.fakeEvents.Append(ctx, hits); err != nil {
		return err
	}
	s.smu.Lock()
	s.committed += len(hits)
	s.smu.Unlock()
	return nil
}

func (s *syncingEvents) SyncAppends(context.Context) error {
	s.smu.Lock()
	covered := s.committed
	s.flushes++
	s.smu.Unlock()
	err := <-s.release
	if err == nil {
		s.smu.Lock()
		s.durable = max(s.durable, covered)
		s.smu.Unlock()
	}
	return err
}

func (s *syncingEvents) SyncsApart() bool { return !s.together }

func (s *syncingEvents) state() (committed, durable, flushes int) {
	s.smu.Lock()
	defer s.smu.Unlock()
	return s.committed, s.durable, s.flushes
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// A batch is acknowledged only after a flush that began after its commit;
// meanwhile the loop commits the next batches, and a failed flush fails
// the batches it was to cover.
func TestWriterAcknowledgesAfterTheFlush(t *testing.T) {
	ev := &syncingEvents{fakeEvents: &fakeEvents{}, release: make(chan error)}
	w := NewWriter(ev, WriterConfig{})
	w.Start()
	defer w.Stop(context.Background())

	first := make(chan error, 1)
	go func() { first <- w.Write(context.Background(), hitBatch("one", 1)) }()
	waitFor(t, "the first flush", func() bool { _, _, f := ev.state(); return f == 1 })
	select {
	case err := <-first:
		t.Fatalf("Write returned %v before its flush ended", err)
	case <-time.After(20 * time.Millisecond):
	}

	// The loop commits the second batch while the first flush runs.
	second := make(chan error, 1)
	go func() { second <- w.Write(context.Background(), hitBatch("two", 1)) }()
	waitFor(t, "the second commit", func() bool { c, _, _ := ev.state(); return c == 2 })
	if _, durable, _ := ev.state(); durable != 0 {
		t.Fatalf("durable = %d before any flush ended", durable)
	}

	ev.release <- nil // the first flush ends: the first batch only is acknowledged
	if err := <-first; err != nil {
		t.Fatalf("first Write: %v", err)
	}
	select {
	case err := <-second:
		t.Fatalf("second Write returned %v before a flush covered it", err)
	case <-time.After(20 * time.Millisecond):
	}
	ev.release <- errors.New("fake: the disk failed")
	err := <-second
	if foyer.ErrorCode(err) != foyer.EUNAVAILABLE {
		t.Fatalf("second Write after a failed flush = %v, want EUNAVAILABLE", err)
	}

	// After a failed flush, nothing more is taken: a later flush that
	// succeeded would not bring back what the failed one lost.
	select {
	case <-w.Failed():
	default:
		t.Fatal("Failed() is not closed after a failed flush")
	}
	if err := w.Write(context.Background(), hitBatch("three", 1)); reason(err) != "flush_failed" {
		t.Fatalf("Write after a failed flush = %v (%s), want a flush_failed refusal", err, reason(err))
	}
	if err := w.Ready(); err == nil || !strings.Contains(err.Error(), "failed to flush") {
		t.Fatalf("Ready after a failed flush = %v, want the failed flush", err)
	}
	if c, d, f := ev.state(); c != 2 || d != 1 || f != 2 {
		t.Fatalf("committed %d, durable %d, flushes %d; want 2, 1 and 2", c, d, f)
	}
}

// The batches committed while a flush fails are not acknowledged by a
// later flush, even one that would succeed: their answer is that they may
// or may not be kept, and no flush runs after the failed one.
func TestWriterFlushesNothingAfterAFailedFlush(t *testing.T) {
	ev := &syncingEvents{fakeEvents: &fakeEvents{}, release: make(chan error, 8)}
	w := NewWriter(ev, WriterConfig{})
	w.Start()
	defer func() {
		close(ev.release) // a flush that should not have begun ends
		w.Stop(context.Background())
	}()

	first, second := oneBehind(t, w, ev)
	ev.release <- errors.New("fake: the disk failed")
	for i, c := range []chan error{first, second} {
		select {
		case err := <-c:
			if foyer.ErrorCode(err) != foyer.EUNAVAILABLE || !strings.Contains(err.Error(), "may or may not be kept") {
				t.Fatalf("Write %d = %v, want EUNAVAILABLE: may or may not be kept", i+1, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Write %d was never answered", i+1)
		}
	}
	ev.release <- nil // a flush now would succeed: none may run
	if _, d, f := ev.state(); d != 0 || f != 1 {
		t.Fatalf("durable %d after %d flushes; want 0 after the one that failed", d, f)
	}
}

// goWrite runs w.Write in a goroutine of its own; its answer comes on
// the channel.
func goWrite(w *Writer, hits []foyer.Hit) chan error {
	c := make(chan error, 1)
	go func() { c <- w.Write(context.Background(), hits) }()
	return c
}

// oneBehind writes the batches "one" and "two" and returns once the first
// is being flushed and the second committed behind it: the loop then
// waits to hand the second over.
func oneBehind(t *testing.T, w *Writer, ev *syncingEvents) (first, second chan error) {
	t.Helper()
	first = goWrite(w, hitBatch("one", 1))
	waitFor(t, "the first flush", func() bool { _, _, f := ev.state(); return f == 1 })
	second = goWrite(w, hitBatch("two", 1))
	waitFor(t, "the second commit", func() bool { c, _, _ := ev.state(); return c == 2 })
	return first, second
}

// Batches that queue while a commit waits for a flush to hand its group
// over are committed as soon as that flush ends; the next flush waits for
// that commit, so that one flush covers them and the group before, and
// none waits for a flush of its own.
func TestWriterFlushCoversTheCommitOfQueuedBatches(t *testing.T) {
	ev := &syncingEvents{fakeEvents: &fakeEvents{}, release: make(chan error)}
	w := NewWriter(ev, WriterConfig{})
	w.Start()
	defer func() {
		close(ev.release)
		w.Stop(context.Background())
	}()
	first, second := oneBehind(t, w, ev)
	third, fourth := goWrite(w, hitBatch("three", 1)), goWrite(w, hitBatch("four", 1)) // queued
	waitFor(t, "two batches queued", func() bool { return w.Queued() == 2 })

	ev.release <- nil // the first flush ends; the second waits for the commit of three and four
	if err := <-first; err != nil {
		t.Fatalf("first Write: %v", err)
	}
	waitFor(t, "the second flush", func() bool { _, _, f := ev.state(); return f == 2 })
	if c, _, _ := ev.state(); c != 4 {
		t.Fatalf("the second flush began with %d hits committed, want 4", c)
	}
	ev.release <- nil
	for i, c := range []chan error{second, third, fourth} {
		select {
		case err := <-c:
			if err != nil {
				t.Fatalf("Write %d: %v", i+2, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("Write %d waits for a flush of its own", i+2)
		}
	}
	if _, d, f := ev.state(); d != 4 || f != 2 {
		t.Fatalf("durable %d after %d flushes, want 4 after 2", d, f)
	}
}

// A flush that waits for the commit of queued batches does not wait past
// its failure: the group before is flushed and acknowledged, and the
// failed batch refused.
func TestWriterFlushDoesNotWaitForAFailedCommit(t *testing.T) {
	hold := make(chan error) // the first flush waits on it; closed, it lets every flush end
	ev := &syncingEvents{fakeEvents: &fakeEvents{fail: func(h foyer.Hit) bool { return h.VisitorUID == "bad" }},
		release: hold}
	w := NewWriter(ev, WriterConfig{CommitTimeout: 5 * time.Second})
	w.Start()
	defer w.Stop(context.Background())
	first, second := oneBehind(t, w, ev)
	bad := hitBatch("three", 1)
	bad[0].VisitorUID = "bad"
	third := goWrite(w, bad)
	waitFor(t, "the bad batch queued", func() bool { return w.Queued() == 1 })
	hold <- nil
	close(hold)
	for i, c := range []chan error{first, second} {
		select {
		case err := <-c:
			if err != nil {
				t.Fatalf("Write %d: %v", i+1, err)
			}
		case <-time.After(4 * time.Second):
			t.Fatalf("Write %d was not acknowledged: its flush waits for a commit that failed", i+1)
		}
	}
	if err := <-third; foyer.ErrorCode(err) != foyer.EUNAVAILABLE {
		t.Fatalf("the failed batch's Write = %v, want EUNAVAILABLE", err)
	}
}

// A flush waits for the commit of queued batches only so long: a commit
// that stalls leaves the group before it to be flushed and acknowledged
// without it.
func TestWriterFlushDoesNotWaitForAStalledCommit(t *testing.T) {
	ev := &syncingEvents{fakeEvents: &fakeEvents{}, release: make(chan error), stall: make(chan struct{})}
	w := NewWriter(ev, WriterConfig{CommitTimeout: 10 * time.Second})
	w.Start()
	defer func() {
		close(ev.stall)
		close(ev.release)
		w.Stop(context.Background())
	}()
	first, second := oneBehind(t, w, ev)
	slow := goWrite(w, hitBatch("slow", 1))
	waitFor(t, "the slow batch queued", func() bool { return w.Queued() == 1 })
	ev.release <- nil
	if err := <-first; err != nil {
		t.Fatalf("first Write: %v", err)
	}
	// The slow batch's commit stalls: the second flush begins without it.
	waitFor(t, "the second flush", func() bool { _, _, f := ev.state(); return f == 2 })
	ev.release <- nil
	select {
	case err := <-second:
		if err != nil {
			t.Fatalf("second Write: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the second Write waits for a commit that stalls")
	}
	select {
	case err := <-slow:
		t.Fatalf("the stalled Write returned %v", err)
	default:
	}
}

// Where the commits are durable when they return (PostgreSQL, or SQLite
// with synchronous=normal), a batch is acknowledged after its commit: the
// writer calls no flush, and so does not wait for one.
func TestWriterAcknowledgesAtTheCommitWhereItIsDurable(t *testing.T) {
	ev := &syncingEvents{fakeEvents: &fakeEvents{}, release: make(chan error), together: true}
	w := NewWriter(ev, WriterConfig{CommitTimeout: 2 * time.Second})
	w.Start()
	defer func() {
		close(ev.release) // so that a flush, were there one, ends
		w.Stop(context.Background())
	}()
	for i := range 3 {
		if err := w.Write(context.Background(), hitBatch(fmt.Sprint("batch-", i), 2)); err != nil {
			t.Fatalf("Write %d: %v", i, err) // a flush would wait for release, past the deadline
		}
	}
	if _, _, flushes := ev.state(); flushes != 0 {
		t.Fatalf("%d flushes, want none", flushes)
	}
	ev.fakeEvents.mu.Lock()
	stored := len(ev.fakeEvents.stored)
	ev.fakeEvents.mu.Unlock()
	if stored != 6 {
		t.Fatalf("%d hits stored, want 6", stored)
	}
}

// Stop acknowledges what was committed only after the last flush.
func TestWriterStopFlushesFirst(t *testing.T) {
	ev := &syncingEvents{fakeEvents: &fakeEvents{}, release: make(chan error, 16)}
	w := NewWriter(ev, WriterConfig{})
	w.Start()
	done := make(chan error, 1)
	go func() { done <- w.Write(context.Background(), hitBatch("one", 1)) }()
	waitFor(t, "the flush", func() bool { _, _, f := ev.state(); return f == 1 })
	stopped := make(chan error, 1)
	go func() { stopped <- w.Stop(context.Background()) }()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned %v with a flush running", err)
	case <-time.After(20 * time.Millisecond):
	}
	for range 16 {
		ev.release <- nil
	}
	if err := <-done; err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
}

// besideEvents is a fakeEvents whose roll-up may run beside its appends
// (foyer.RollupAlongside); a Rollup call blocks while held is set.
type besideEvents struct {
	*fakeEvents
	held    chan struct{} // closed to let blocked roll-ups go
	holding bool
	inside  chan struct{} // receives once per roll-up that blocks
}

func (b *besideEvents) RollupAlongside() bool { return true }

func (b *besideEvents) Rollup(ctx context.Context, limit int) (int, error) {
	if b.holding {
		b.inside <- struct{}{}
		<-b.held
	}
	return b.fakeEvents.Rollup(ctx, limit)
}

// With RollupAlongside, a roll-up step that takes long holds up no
// commit, and Stop rolls up everything that was committed.
func TestWriterRollsUpBesideTheCommits(t *testing.T) {
	ev := &besideEvents{fakeEvents: &fakeEvents{}, held: make(chan struct{}), holding: true, inside: make(chan struct{}, 64)}
	w := NewWriter(ev, WriterConfig{})
	w.Start()

	// Enough events for a roll-up step to be due.
	if err := w.Write(context.Background(), hitBatch("first", RollupIdle)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ev.inside:
	case <-time.After(5 * time.Second):
		t.Fatal("no roll-up step began with a backlog of RollupIdle events")
	}
	// The step is blocked; commits go on.
	for i := range 3 {
		if err := w.Write(context.Background(), hitBatch(fmt.Sprintf("more%d", i), 2)); err != nil {
			t.Fatalf("Write during a roll-up step: %v", err)
		}
	}
	close(ev.held)
	if err := w.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := ev.Unrolled(); n != 0 {
		t.Fatalf("%d events left unrolled after Stop", n)
	}
	if got := len(ev.storedPaths()); got != RollupIdle+6 {
		t.Fatalf("%d events stored, want %d", got, RollupIdle+6)
	}
}

// unflushedEvents is a fakeEvents whose commits are durable when they
// return (no AppendSyncer), but whose disk fails to flush each of them.
type unflushedEvents struct{ *fakeEvents }

func (u unflushedEvents) Append(ctx context.Context, hits []foyer.Hit) error {
	if err := u.fakeEvents.Append(ctx, hits); err != nil {
		return err
	}
	return fmt.Errorf("fake: %w", foyer.ErrFlushFailed)
}

// A store that flushes within its commits stops the writer the same way
// when one of them fails with foyer.ErrFlushFailed.
func TestWriterStopsOnAFailedFlushInACommit(t *testing.T) {
	ev := unflushedEvents{&fakeEvents{}}
	w := NewWriter(ev, WriterConfig{})
	w.Start()
	defer w.Stop(context.Background())
	if err := w.Write(context.Background(), hitBatch("one", 1)); foyer.ErrorCode(err) != foyer.EUNAVAILABLE ||
		!strings.Contains(err.Error(), "may or may not be kept") {
		t.Fatalf("Write = %v, want EUNAVAILABLE: committed, may or may not be kept", err)
	}
	select {
	case <-w.Failed():
	case <-time.After(5 * time.Second):
		t.Fatal("Failed() is not closed after a commit's flush failed")
	}
	if err := w.Write(context.Background(), hitBatch("two", 1)); reason(err) != "flush_failed" {
		t.Fatalf("the next Write = %v, want a flush_failed refusal", err)
	}
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.calls) != 1 {
		t.Fatalf("%d commits, want only the first", len(ev.calls))
	}
}
