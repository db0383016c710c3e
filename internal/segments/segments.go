// Package segments runs the segment evaluator in the background of
// serve: every few seconds it polls for new identified visits, campaign
// opens and clicks and company visits, evaluates in full each workspace
// whose daily evaluation is due (or was asked for), and drains the queue
// of changed contacts (store.PollSegments, store.DrainSegmentQueue).
package segments

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/foyerhq/foyer/internal/periodic"
)

// Store is what the evaluator runs: *store.Store.
type Store interface {
	PollSegments(ctx context.Context) (int, error)
	DrainSegmentQueue(ctx context.Context, limit int) (int, error)
}

// Default timing and batch size.
const (
	DefaultInterval = 5 * time.Second
	DefaultBatch    = 1000
)

// Job evaluates segments and scores in the background: Start, then Stop.
type Job struct {
	Store    Store
	Log      *slog.Logger  // slog.Default() when nil
	Interval time.Duration // between rounds; DefaultInterval when 0
	Batch    int           // contacts a drain step takes; DefaultBatch when 0

	loop periodic.Loop
}

// Start runs the evaluator in a goroutine until Stop: a round at once,
// then one every Interval.
func (j *Job) Start() {
	j.loop.Start(0, cmp.Or(j.Interval, DefaultInterval), j.Round)
}

// Stop ends the evaluator between two of its transactions and waits.
func (j *Job) Stop() { j.loop.Stop() }

// Round polls, then drains the queue until it is empty; errors are
// logged, and the next round tries again.
func (j *Job) Round(ctx context.Context) {
	log := j.Log
	if log == nil {
		log = slog.Default()
	}
	batch := j.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	start := time.Now()
	full, err := j.Store.PollSegments(ctx)
	if err != nil && ctx.Err() == nil {
		log.Error("segments: poll", "err", err)
	}
	if full > 0 {
		log.Info("segments: evaluated in full", "workspaces", full, "took", time.Since(start).Round(time.Millisecond))
	}
	for ctx.Err() == nil {
		n, err := j.Store.DrainSegmentQueue(ctx, batch)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("segments: drain", "err", err)
			}
			return
		}
		if n < batch {
			return
		}
	}
}
