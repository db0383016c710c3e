package collect

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// Writer stores batches with group commit: batches that arrive while a
// commit is running are gathered and committed together in the next
// transaction. Write returns only after its batch is committed.
//
// Between commits the writer also runs the store's roll-up, which folds
// committed events into what is derived from them (visit counters): when no
// batch is waiting, or, under a load that never lets the queue empty, once
// the backlog reaches RollupForce events. So no acknowledgement waits for a
// roll-up unless the backlog would otherwise grow without bound.
type Writer struct {
	store     foyer.EventService
	metrics   *Metrics
	log       *slog.Logger
	maxEvents int

	in      chan *pending
	stop    chan struct{}
	done    chan struct{}
	mu      sync.RWMutex // held for reading while sending to in; Stop takes it to close
	stopped bool

	// Owned by the loop.
	lastRollup   time.Time
	rollupFailed bool
}

type pending struct {
	hits []foyer.Hit
	err  chan error
}

// NewWriter returns a writer over store; call Start before Write.
// maxEvents bounds one commit (2,000 when 0).
func NewWriter(store foyer.EventService, m *Metrics, log *slog.Logger, maxEvents int) *Writer {
	if maxEvents <= 0 {
		maxEvents = 2000
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Writer{
		store: store, metrics: m, log: log, maxEvents: maxEvents,
		in: make(chan *pending, 4096), stop: make(chan struct{}), done: make(chan struct{}),
	}
}

// Start runs the commit loop.
func (w *Writer) Start() { go w.loop() }

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
// stored. EUNAVAILABLE when the writer is stopped or the commit failed.
func (w *Writer) Write(ctx context.Context, hits []foyer.Hit) error {
	p := &pending{hits: hits, err: make(chan error, 1)}
	w.mu.RLock()
	if w.stopped {
		w.mu.RUnlock()
		return foyer.Errorf(foyer.EUNAVAILABLE, "the collector is shutting down")
	}
	select {
	case w.in <- p:
	case <-ctx.Done():
		w.mu.RUnlock()
		return foyer.Errorf(foyer.EUNAVAILABLE, "request ended before the batch was queued")
	}
	w.mu.RUnlock()
	// Once queued, the batch is committed even if the client goes away: wait.
	return <-p.err
}

// Roll-up scheduling, in events of backlog: an idle writer rolls up once
// RollupIdle events wait (or any, after RollupPause); a busy one once
// RollupForce do. Each Rollup call folds at most RollupStep.
const (
	RollupIdle  = 256
	RollupForce = 4096
	RollupStep  = 1024
	RollupPause = time.Second
)

func (w *Writer) loop() {
	defer close(w.done)
	group := make([]*pending, 0, 256)
	var pause *time.Timer
	for {
		var first *pending
		if w.rollupDue(RollupIdle) {
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
			if w.store.Unrolled() > 0 {
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
						for w.rollup(RollupStep) == RollupStep {
						}
						return
					}
				}
			}
		}
		group = append(group[:0], first)
		n := len(first.hits)
	gather:
		for n < w.maxEvents {
			select {
			case p := <-w.in:
				group = append(group, p)
				n += len(p.hits)
			default:
				break gather
			}
		}
		w.commit(group)
		if w.rollupDue(RollupForce) {
			w.rollup(RollupStep)
		}
	}
}

// rollupDue reports whether a roll-up step should run now, with at least
// threshold events of backlog or any after RollupPause. After a failure it
// waits RollupPause before trying again.
func (w *Writer) rollupDue(threshold int64) bool {
	backlog := w.store.Unrolled()
	if backlog == 0 {
		return false
	}
	since := time.Since(w.lastRollup)
	if w.rollupFailed {
		return since >= RollupPause
	}
	return backlog >= threshold || since >= RollupPause
}

// rollup runs one roll-up step and returns how many events it folded. A
// failure is logged and retried at the next step: the events are stored,
// only their derived data waits.
func (w *Writer) rollup(limit int) int {
	start := time.Now()
	n, err := w.store.Rollup(context.Background(), limit)
	w.lastRollup = time.Now()
	w.rollupFailed = err != nil
	w.metrics.RollupTime.Observe(w.lastRollup.Sub(start).Seconds())
	if err != nil {
		w.log.Error("rollup failed", "err", err)
		return 0
	}
	return n
}

// commit stores a group in one transaction. If that fails, each batch is
// tried on its own so that one bad batch cannot fail the others.
func (w *Writer) commit(group []*pending) {
	var hits []foyer.Hit
	if len(group) == 1 {
		hits = group[0].hits
	} else {
		for _, p := range group {
			hits = append(hits, p.hits...)
		}
	}
	start := time.Now()
	err := w.store.Append(context.Background(), hits)
	w.metrics.CommitTime.Observe(time.Since(start).Seconds())
	if err == nil {
		w.metrics.CommitEvents.Observe(float64(len(hits)))
		for _, p := range group {
			p.err <- nil
		}
		return
	}
	if len(group) == 1 {
		w.log.Error("commit failed", "events", len(hits), "err", err)
		group[0].err <- foyer.Errorf(foyer.EUNAVAILABLE, "the batch could not be stored; try again")
		return
	}
	for _, p := range group {
		w.commit([]*pending{p})
	}
}
