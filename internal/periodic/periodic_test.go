package periodic

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoop: the rounds run until Stop, which cancels the one under way
// and waits for it; none runs after.
func TestLoop(t *testing.T) {
	var l Loop
	var rounds atomic.Int64
	inRound := make(chan struct{}, 1)
	l.Start(0, time.Millisecond, func(ctx context.Context) {
		if rounds.Add(1) == 3 {
			inRound <- struct{}{}
			<-ctx.Done() // a long round, ended by Stop
		}
	})
	select {
	case <-inRound:
	case <-time.After(10 * time.Second):
		t.Fatal("the third round did not start")
	}
	l.Stop()
	n := rounds.Load()
	if n != 3 {
		t.Errorf("%d rounds before Stop returned, want 3", n)
	}
	time.Sleep(5 * time.Millisecond)
	if rounds.Load() != n {
		t.Error("a round ran after Stop")
	}
}

// TestLoopDelay: no round runs before the delay; Stop of a loop never
// started, or stopped before its first round, returns.
func TestLoopDelay(t *testing.T) {
	var never Loop
	never.Stop()
	var l Loop
	var rounds atomic.Int64
	l.Start(time.Hour, time.Millisecond, func(context.Context) { rounds.Add(1) })
	l.Stop()
	if n := rounds.Load(); n != 0 {
		t.Errorf("%d rounds ran before the delay", n)
	}
}
