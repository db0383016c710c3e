// Package periodic runs a background job's rounds: the first after a
// delay, then each one an interval after the previous one ended, until
// stopped. The retention job, the segment evaluator and the feed alerts
// share it.
package periodic

import (
	"context"
	"sync"
	"time"
)

// Loop runs one function periodically between Start and Stop. The zero
// value is ready to use; a Loop is started once.
type Loop struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// Start runs round in a goroutine: first after delay (at once when 0 or
// less), then every interval after the previous round ended, until Stop.
// round gets a context that Stop cancels.
func (l *Loop) Start(delay, interval time.Duration, round func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTimer(max(delay, 0))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			round(ctx)
			t.Reset(interval)
		}
	}()
}

// Stop cancels the round under way, if any, and waits for it to return.
// It does nothing on a Loop never started.
func (l *Loop) Stop() {
	if l.cancel != nil {
		l.cancel()
	}
	l.wg.Wait()
}
