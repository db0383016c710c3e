package collect

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer"
)

// Writer stores batches with group commit: batches that arrive while a
// commit is running are gathered and committed together in the next
// transaction. Write returns nil only after its batch is committed and on
// the disk. When the store flushes apart from committing
// (foyer.AppendSyncer: SQLite), a second goroutine flushes what the loop
// committed, and acknowledges it, while the loop commits the next group:
// the write lock is not held while the disk works.
//
// Waiting is bounded twice over, so that a stalled database gets honest
// answers instead of hung connections: Write waits at most the commit
// deadline for its batch, and at most QueueLimit batches wait to be
// committed; past that, Write refuses a batch at once. Ready reports a
// writer whose database has been busy past the deadline, or whose queue
// is full.
//
// Between commits the writer also runs the store's roll-up, which folds
// committed events into what is derived from them (visit counters): when no
// batch is waiting, or, under a load that never lets the queue empty, once
// the backlog reaches RollupForce events. So no acknowledgement waits for a
// roll-up unless the backlog would otherwise grow without bound.
type Writer struct {
	store foyer.EventService
	cfg   WriterConfig

	in      chan *pending
	stop    chan struct{}
	done    chan struct{}
	mu      sync.RWMutex // held for reading while sending to in; Stop takes it to close
	stopped bool
	// busySince is when the store call the loop is in (a commit or a
	// roll-up step) began, in Unix nanoseconds; 0 between calls.
	// syncSince is the same for the flushing goroutine.
	busySince atomic.Int64
	syncSince atomic.Int64
	// failedAt is when a flush to the disk failed, in Unix nanoseconds; 0
	// while none has. failed closes then (fail).
	failedAt atomic.Int64
	failed   chan struct{}

	// syncer is the store when it flushes apart from committing; then
	// synced takes the groups the loop committed to the flushing
	// goroutine (syncLoop), which closes syncDone when it ends.
	syncer   foyer.AppendSyncer
	synced   chan []*pending
	syncDone chan struct{}

	// alongside: the roll-up runs in a goroutine of its own beside the
	// commits (foyer.RollupAlongside), from Start until the loop calls
	// stopBeside.
	alongside  bool
	stopBeside func()

	// Owned by the loop.
	rollups Rollups
	hits    []foyer.Hit // a group's hits, reused from commit to commit
}

// Defaults of WriterConfig.
const (
	DefaultCommitTimeout = 5 * time.Second
	DefaultQueueLimit    = 1024
	DefaultMaxEvents     = 2000
)

// WriterConfig configures a Writer. The zero value is the default.
type WriterConfig struct {
	// Metrics are the collector's metrics; unregistered ones when nil.
	Metrics *Metrics
	// Log receives commit and roll-up failures; slog.Default when nil.
	Log *slog.Logger
	// MaxEvents bounds the events of one commit; DefaultMaxEvents when 0.
	MaxEvents int
	// CommitTimeout is how long Write waits for its batch's commit, and
	// how long a commit or roll-up step may run before Ready reports the
	// writer stalled; DefaultCommitTimeout when 0.
	CommitTimeout time.Duration
	// QueueLimit bounds the batches waiting for a commit (besides those
	// of the commit running); DefaultQueueLimit when 0.
	QueueLimit int
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

type pending struct {
	hits []foyer.Hit
	err  chan error
	// deadline is Write's commit deadline, kept with the rest for the
	// next Write once this one has its answer (pendings).
	deadline *time.Timer
}

// pendings keeps the pendings whose Write had its answer: the loop sends
// on a pending's err once, and then holds it no more.
var pendings = sync.Pool{New: func() any { return &pending{err: make(chan error, 1)} }}

// release gives p back to pendings, its hits dropped.
func (p *pending) release() {
	p.hits = nil
	pendings.Put(p)
}

// NewWriter returns a writer over store; call Start before Write.
func NewWriter(store foyer.EventService, cfg WriterConfig) *Writer {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = DefaultMaxEvents
	}
	if cfg.CommitTimeout <= 0 {
		cfg.CommitTimeout = DefaultCommitTimeout
	}
	if cfg.QueueLimit <= 0 {
		cfg.QueueLimit = DefaultQueueLimit
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Writer{
		store: store, cfg: cfg,
		in: make(chan *pending, cfg.QueueLimit), stop: make(chan struct{}), done: make(chan struct{}),
		failed:  make(chan struct{}),
		rollups: NewRollups(store, cfg.Metrics.RollupTime, cfg.Log),
	}
	if s, ok := store.(foyer.AppendSyncer); ok && s.SyncsApart() {
		w.syncer = s
		w.synced = make(chan []*pending, syncQueue)
		w.syncDone = make(chan struct{})
	}
	w.alongside = RollsUpAlongside(store)
	return w
}

// syncQueue bounds the committed groups waiting for a flush; past it the
// loop waits before committing more.
const syncQueue = 0

// joinWait bounds how long a flush waits for the commit of the batches
// queued when it began (syncLoop): far longer than a commit takes
// (99% end within 3.2 ms under the benchmark load), so that only a
// commit that stalls, on a lock another process holds, say, leaves the
// groups before it to be flushed without it.
const joinWait = 20 * time.Millisecond

// Start runs the commit loop, and the flushing goroutine if any.
func (w *Writer) Start() {
	if w.syncer != nil {
		go w.syncLoop()
	}
	if w.alongside {
		w.stopBeside = w.rollups.StartBeside()
	}
	go w.loop()
}

// Stop refuses new batches, commits every batch already handed in and
// returns when done or when ctx ends.
func (w *Writer) Stop(ctx context.Context) error {
	w.mu.Lock()
	if !w.stopped {
		w.stopped = true
		close(w.stop)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Write hands hits to the commit loop and waits until they are durably
// stored, or until the commit deadline passes. Its errors are all
// EUNAVAILABLE: the writer is stopped, or QueueLimit batches already wait
// (the batch was not taken: nothing of it is stored), or the commit
// failed (nothing of it is stored), or a flush to the disk failed
// (Failed: this batch was not taken, or was committed and may or may not
// be kept), or the deadline passed: then the
// batch stays queued and may yet be stored, or not, and the error says
// so. Once queued, a batch does not depend on ctx.
func (w *Writer) Write(ctx context.Context, hits []foyer.Hit) error {
	p := pendings.Get().(*pending)
	p.hits = hits
	w.mu.RLock()
	if w.stopped {
		w.mu.RUnlock()
		p.release()
		return foyer.Errorf(foyer.EUNAVAILABLE, "the collector is shutting down")
	}
	if w.failedAt.Load() != 0 {
		w.mu.RUnlock()
		p.release()
		return errFlushFailed
	}
	select {
	case w.in <- p:
	default:
		w.mu.RUnlock()
		p.release()
		return errQueueFull
	}
	w.mu.RUnlock()
	if p.deadline == nil {
		p.deadline = time.NewTimer(w.cfg.CommitTimeout)
	} else {
		p.deadline.Reset(w.cfg.CommitTimeout) // stopped, and its channel empty
	}
	select {
	case err := <-p.err:
		p.deadline.Stop()
		p.release()
		return err
	case <-p.deadline.C:
		// The loop may still answer on p.err: p is not kept for another Write.
		return &refusal{"commit_timeout", foyer.Errorf(foyer.EUNAVAILABLE,
			"the batch was not stored within %s; it may or may not be stored", w.cfg.CommitTimeout)}
	}
}

// errFlushFailed refuses a batch once a flush to the disk failed (fail).
var errFlushFailed = &refusal{"flush_failed", foyer.Errorf(foyer.EUNAVAILABLE,
	"the disk failed to flush what was stored; nothing of this batch was stored, and no batch will be until Foyer restarts")}

// errQueueFull refuses a batch when QueueLimit batches wait already.
var errQueueFull = &refusal{"queue_full", foyer.Errorf(foyer.EUNAVAILABLE,
	"too many batches wait to be stored; nothing of this one was stored, try again later")}

// Ready returns nil when the writer takes batches and stores them in
// time; otherwise EUNAVAILABLE saying why: the database has been busy
// with one commit or roll-up step for longer than the commit deadline,
// QueueLimit batches wait, or the writer is stopping. It recovers by
// itself when the cause goes.
func (w *Writer) Ready() error {
	w.mu.RLock()
	stopped := w.stopped
	w.mu.RUnlock()
	if stopped {
		return foyer.Errorf(foyer.EUNAVAILABLE, "the collector is shutting down")
	}
	if since := w.busySince.Load(); since != 0 {
		if d := w.cfg.Now().Sub(time.Unix(0, since)); d > w.cfg.CommitTimeout {
			return foyer.Errorf(foyer.EUNAVAILABLE, "the database has been busy with one write for %s, longer than the commit deadline of %s",
				d.Round(time.Millisecond), w.cfg.CommitTimeout)
		}
	}
	if at := w.failedAt.Load(); at != 0 {
		return foyer.Errorf(foyer.EUNAVAILABLE, "the disk failed to flush committed batches at %s; no batch is stored until Foyer restarts",
			time.Unix(0, at).UTC().Format(time.RFC3339))
	}
	if since := w.syncSince.Load(); since != 0 {
		if d := w.cfg.Now().Sub(time.Unix(0, since)); d > w.cfg.CommitTimeout {
			return foyer.Errorf(foyer.EUNAVAILABLE, "the disk has been flushing committed batches for %s, longer than the commit deadline of %s",
				d.Round(time.Millisecond), w.cfg.CommitTimeout)
		}
	}
	if len(w.in) >= cap(w.in) {
		return foyer.Errorf(foyer.EUNAVAILABLE, "the commit queue is full: %d batches wait", cap(w.in))
	}
	return nil
}

// Failed is closed once a flush to the disk has failed. From then on the
// writer stores nothing more: the kernel may have dropped the pages it
// could not write, which a later flush would not write again, and the
// commits after them in the log would be lost with them
// (foyer.ErrFlushFailed). Write refuses every batch, the batches committed
// but not yet flushed are answered that they may or may not be kept, and
// Ready says why. What reached the disk is recovered when the database
// opens again, so the process should stop, and be started again.
func (w *Writer) Failed() <-chan struct{} { return w.failed }

// fail records that a flush failed (Failed).
func (w *Writer) fail(err error) {
	if w.failedAt.CompareAndSwap(0, w.cfg.Now().UnixNano()) {
		w.cfg.Log.Error("a flush to the disk failed: the collector stores no more batches; restart Foyer", "err", err)
		close(w.failed)
	}
}

// Queued returns how many batches wait for a commit.
func (w *Writer) Queued() int { return len(w.in) }

// Timeout returns the commit deadline.
func (w *Writer) Timeout() time.Duration { return w.cfg.CommitTimeout }

// busy marks the start of a store call of the loop; the function it
// returns marks its end.
func (w *Writer) busy() (done func()) { return w.mark(&w.busySince) }

// mark stores the time in since; the function it returns clears it.
func (w *Writer) mark(since *atomic.Int64) (done func()) {
	since.Store(w.cfg.Now().UnixNano())
	return func() { since.Store(0) }
}

// smallGroup is a group of fewer events than the writer would rather
// gather while the disk flushes.
const smallGroup = 8

// Roll-up scheduling, in events of backlog: an idle writer rolls up once
// RollupIdle events wait (or any, after RollupPause); a busy one once
// RollupForce do. Each Rollup call folds at most RollupStep.
const (
	RollupIdle  = 256
	RollupForce = 4096
	RollupStep  = 256
	RollupPause = time.Second
)

func (w *Writer) loop() {
	defer func() {
		if w.synced != nil {
			close(w.synced) // the flushing goroutine acknowledges what is left, then ends
			<-w.syncDone
		}
		close(w.done)
	}()
	group := make([]*pending, 0, 256)
	var pause *time.Timer
	for {
		var first *pending
		if !w.alongside && w.rollups.Due(RollupIdle) {
			select {
			case first = <-w.in:
			default:
				w.rollup(RollupStep)
				continue
			}
		}
		if first == nil {
			// A small backlog is rolled up after a pause even if no batch comes.
			var wake <-chan time.Time
			if !w.alongside && w.store.Unrolled() > 0 {
				if pause == nil {
					pause = time.NewTimer(RollupPause)
				} else {
					pause.Reset(RollupPause)
				}
				wake = pause.C
			}
			select {
			case first = <-w.in:
			case <-wake:
				continue
			case <-w.stop:
				// Stop holds no sender any more: drain what is queued,
				// roll up everything, then end.
				for {
					select {
					case p := <-w.in:
						w.commit(append(group[:0], p))
					default:
						if w.alongside {
							w.stopBeside() // the loop owns the roll-up again
						}
						for w.rollup(RollupStep) == RollupStep {
						}
						return
					}
				}
			}
		}
		group = append(group[:0], first)
		n := len(first.hits)
		yielded := false
	gather:
		for n < w.cfg.MaxEvents {
			select {
			case p := <-w.in:
				group = append(group, p)
				n += len(p.hits)
			default:
				// A small group committed while the disk flushes waits
				// for the next flush anyway: the requests about to be
				// handed over may as well join it.
				if !yielded && n < smallGroup && w.syncSince.Load() != 0 {
					yielded = true
					runtime.Gosched()
					continue
				}
				break gather
			}
		}
		w.commit(group)
		if !w.alongside && w.rollups.Due(RollupForce) {
			w.rollup(RollupStep)
		}
	}
}

// rollup runs one roll-up step (Rollups.Step), marked busy for Ready.
func (w *Writer) rollup(limit int) int {
	done := w.busy()
	defer done()
	return w.rollups.Step(limit)
}

// commit stores a group in one transaction. If that fails, each batch is
// tried on its own so that one bad batch cannot fail the others.
func (w *Writer) commit(group []*pending) {
	var hits []foyer.Hit
	if len(group) == 1 {
		hits = group[0].hits
	} else {
		// The store keeps nothing of the slice after Append returns.
		hits = w.hits[:0]
		for _, p := range group {
			hits = append(hits, p.hits...)
		}
		w.hits = hits
		defer clear(w.hits) // the strings of the hits can go
	}
	start := time.Now()
	done := w.busy()
	var err error
	if w.syncer != nil {
		err = w.syncer.AppendUnsynced(context.Background(), hits)
	} else {
		err = w.store.Append(context.Background(), hits)
	}
	done()
	w.cfg.Metrics.CommitTime.Observe(time.Since(start).Seconds())
	if err == nil {
		w.cfg.Metrics.CommitEvents.Observe(float64(len(hits)))
		if w.synced != nil {
			w.synced <- slices.Clone(group) // the loop reuses group
			return
		}
		for _, p := range group {
			p.err <- nil
		}
		return
	}
	if errors.Is(err, foyer.ErrFlushFailed) {
		// A store that flushes within its commits: this one committed, and
		// no retry can make it durable.
		w.fail(err)
		for _, p := range group {
			p.err <- errUnflushed
		}
		if w.synced != nil {
			w.synced <- nil
		}
		return
	}
	if len(group) == 1 {
		w.cfg.Log.Error("commit failed", "events", len(hits), "err", err)
		group[0].err <- foyer.Errorf(foyer.EUNAVAILABLE, "the batch could not be stored; try again")
		if w.synced != nil {
			w.synced <- nil // a flush waiting for this commit waits no more
		}
		return
	}
	for _, p := range group {
		w.commit([]*pending{p})
	}
}

// flush runs one flush of the batches committed, timed for Ready and
// the metrics; if it fails, the writer fails (fail) and the batches are
// answered errUnflushed.
func (w *Writer) flush(batches int) error {
	start := time.Now()
	done := w.mark(&w.syncSince)
	err := w.syncer.SyncAppends(context.Background())
	done()
	w.cfg.Metrics.SyncTime.Observe(time.Since(start).Seconds())
	if err != nil {
		w.cfg.Log.Error("flush to disk failed", "batches", batches, "err", err)
		w.fail(err)
		return errUnflushed
	}
	return nil
}

// errUnflushed answers the batches committed but not flushed to the disk.
var errUnflushed = foyer.Errorf(foyer.EUNAVAILABLE, "the batch was committed but could not be flushed to the disk; it may or may not be kept")

// syncLoop flushes to the disk what the loop committed, and acknowledges
// it: each flush covers every group committed before it began, so the
// groups that wait while one flush runs share the next, and also the
// commit of the batches queued when it took its group.
func (w *Writer) syncLoop() {
	defer close(w.syncDone)
	var waiting []*pending
	var wait *time.Timer
	for g := range w.synced {
		waiting = append(waiting[:0], g...)
		// Batches queued when this group came are about to be committed:
		// the loop was waiting to hand this group over, and takes them
		// now. The flush waits for that one commit, at most joinWait, and
		// covers it too, instead of leaving those batches to wait for the
		// next flush.
		joined := len(w.in) == 0
	more:
		for {
			var ok bool
			select {
			case g, ok = <-w.synced:
			default:
				if joined {
					break more
				}
				if wait == nil {
					wait = time.NewTimer(joinWait)
				} else {
					wait.Reset(joinWait)
				}
				select {
				case g, ok = <-w.synced:
					wait.Stop()
				case <-wait.C:
					break more // a commit that stalls holds up no flush
				}
			}
			if !ok {
				break more
			}
			waiting = append(waiting, g...)
			joined = true
		}
		if len(waiting) == 0 {
			continue // only failed commits came: a flush would answer nobody
		}
		// After a failed flush none runs: one now could succeed without
		// what that one lost, so it would prove nothing.
		err := error(errUnflushed)
		if w.failedAt.Load() == 0 {
			err = w.flush(len(waiting))
		}
		for _, p := range waiting {
			p.err <- err
		}
		clear(waiting)
	}
}
