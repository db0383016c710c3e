package collect

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/prometheus/client_golang/prometheus"
)

// RollupStore is what Rollups needs of storage (foyer.EventService).
type RollupStore interface {
	Rollup(ctx context.Context, limit int) (int, error)
	Unrolled() int64
}

// Rollups paces the roll-up steps of a process that appends events (the
// group-commit Writer, a queue's worker), beside its commits (Beside) or
// between them: when a step is due and how it went. It is owned by one
// goroutine at a time.
type Rollups struct {
	Store RollupStore
	// Time observes each step's duration; nil: none.
	Time prometheus.Observer
	Log  *slog.Logger
	// BesideIdle and BesideStep pace the steps beside the appends
	// (Beside): a step once BesideIdle events wait, of at most BesideStep.
	// Zero: RollupIdle and RollupStep. NewRollups takes them from the
	// store.
	BesideIdle, BesideStep int

	last   time.Time
	failed bool
}

// NewRollups returns the Rollups of store, paced beside the appends as the
// store asks (RollupSteps), if it does.
func NewRollups(store RollupStore, time prometheus.Observer, log *slog.Logger) Rollups {
	r := Rollups{Store: store, Time: time, Log: log}
	if p, ok := store.(interface{ RollupSteps() (idle, step int) }); ok {
		r.BesideIdle, r.BesideStep = p.RollupSteps()
	}
	return r
}

// Due reports whether a roll-up step should run now, with at least
// threshold events of backlog or any after RollupPause. After a failure it
// waits RollupPause before trying again.
func (r *Rollups) Due(threshold int64) bool {
	backlog := r.Store.Unrolled()
	if backlog == 0 {
		return false
	}
	since := time.Since(r.last)
	if r.failed {
		return since >= RollupPause
	}
	return backlog >= threshold || since >= RollupPause
}

// Step runs one roll-up step of at most limit events and returns how many
// it folded. A failure is logged and retried at a later step: the events
// are stored, only their derived data waits.
func (r *Rollups) Step(limit int) int {
	start := time.Now()
	n, err := r.Store.Rollup(context.Background(), limit)
	r.last = time.Now()
	r.failed = err != nil
	if r.Time != nil {
		r.Time.Observe(r.last.Sub(start).Seconds())
	}
	if err != nil {
		if foyer.ErrorCode(err) == foyer.EUNAVAILABLE {
			r.Log.Warn("rollup gave way; it runs again shortly", "err", err)
		} else {
			r.Log.Error("rollup failed", "err", err)
		}
		return 0
	}
	return n
}

// Beside runs roll-up steps (of BesideStep) while BesideIdle events wait,
// and for any backlog after RollupPause, looking at the backlog every
// rollupPoll, until stop closes; a step running then ends first. It is for
// a store whose roll-up runs beside its appends (foyer.RollupAlongside),
// in a goroutine of its own, which then owns r.
func (r *Rollups) Beside(stop <-chan struct{}) {
	tick := time.NewTicker(rollupPoll)
	defer tick.Stop()
	for {
		idle, step := cmp.Or(r.BesideIdle, RollupIdle), cmp.Or(r.BesideStep, RollupStep)
		for r.Due(int64(idle)) && r.Step(step) == step {
			select {
			case <-stop:
				return
			default:
			}
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

// StartBeside runs Beside in a goroutine of its own, which owns r until
// the function it returns has stopped it; that function returns once the
// goroutine has ended.
func (r *Rollups) StartBeside() (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		r.Beside(quit)
	}()
	return func() {
		close(quit)
		<-done
	}
}

// RollsUpAlongside reports whether store's roll-up runs beside its appends
// (foyer.RollupAlongside says so), rather than between them.
func RollsUpAlongside(store any) bool {
	r, ok := store.(foyer.RollupAlongside)
	return ok && r.RollupAlongside()
}

// rollupPoll is how often a roll-up beside the appends looks at the
// backlog.
const rollupPoll = 50 * time.Millisecond
