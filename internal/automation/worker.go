// Package automation runs the automation rules in the background of
// serve: it reads the automation events (segments entered, scores
// changed) from a durable cursor, writes the deliveries of the rules they
// fire to a durable outbox in the same transaction (store.
// ProcessAutomationEvents), and carries the deliveries out: adds to a
// segment, emails to the workspace's members, posts to Slack-compatible
// webhooks and signed calls of webhooks, retried with exponential back-off
// for a day.
package automation

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/foyerhq/foyer/internal/store"
)

// Defaults of a Worker's settings.
const (
	DefaultPoll    = 2 * time.Second
	DefaultTimeout = 10 * time.Second
	// FirstRetry is the wait after a first failed attempt; each later wait
	// doubles, up to MaxRetryWait, and no attempt starts later than
	// RetryFor after the first.
	FirstRetry   = 30 * time.Second
	MaxRetryWait = time.Hour
	RetryFor     = 24 * time.Hour
)

// batch bounds the events and the deliveries one pass takes.
const batch = 100

// Mailer sends a plain-text message to one address (internal/mailer).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Worker runs the rules: Start, then Stop.
type Worker struct {
	Store *store.Store
	// Mail sends the email actions; nil: they fail, saying no relay is
	// configured.
	Mail Mailer
	// PublicURL is the address users reach Foyer at, for the links of the
	// messages; "" leaves the links relative.
	PublicURL string
	// Client makes the webhook calls; nil: a client that refuses private
	// and loopback destinations unless AllowPrivate, and follows no
	// redirect.
	Client       *http.Client
	AllowPrivate bool
	// Timeout bounds each call (DefaultTimeout when 0); Poll is the wait
	// between passes (DefaultPoll when 0).
	Timeout, Poll time.Duration
	// Now is the clock; time.Now when nil. Give the store the same one.
	Now func() time.Time
	Log *slog.Logger // slog.Default() when nil
	// Metrics, when set, count the events, skips and attempts.
	Metrics *Metrics

	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Log == nil {
			w.Log = slog.Default()
		}
		if w.Timeout <= 0 {
			w.Timeout = DefaultTimeout
		}
		if w.Poll <= 0 {
			w.Poll = DefaultPoll
		}
		if w.Client == nil {
			w.Client = NewClient(w.AllowPrivate)
		}
	})
}

// Start runs the worker in a goroutine until Stop.
func (w *Worker) Start() {
	w.init()
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(w.Poll)
		defer t.Stop()
		for {
			if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
				w.Log.Error("automations: pass failed; the next one goes on", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the worker, interrupting a call in flight (whose delivery is
// tried again once its lease ends), and waits for it.
func (w *Worker) Stop() {
	if w.cancel != nil {
		w.cancel()
	}
	w.wg.Wait()
}

// Pass is what RunOnce did.
type Pass struct {
	Events, Queued, Attempts int
}

// RunOnce reads every new event into the outbox, then makes one attempt
// of each delivery due.
func (w *Worker) RunOnce(ctx context.Context) (Pass, error) {
	w.init()
	var p Pass
	for {
		ep, err := w.Store.ProcessAutomationEvents(ctx, batch)
		if err != nil {
			return p, err
		}
		p.Events += ep.Events
		p.Queued += ep.Queued
		if m := w.Metrics; m != nil {
			m.Events.Add(float64(ep.Events))
			for _, n := range ep.Skipped {
				m.Skipped.Add(float64(n))
			}
		}
		for rule, n := range ep.Skipped {
			// Which contact is not said: it may not be tracked.
			w.Log.Info("automations: skipped contacts who may not be tracked", "rule", rule, "skipped", n)
		}
		if ep.Events < batch {
			break
		}
	}
	for ctx.Err() == nil {
		ds, err := w.Store.ClaimDeliveries(ctx, w.Timeout+time.Minute, batch)
		if err != nil {
			return p, err
		}
		for i := range ds {
			if err := w.deliver(ctx, &ds[i]); err != nil {
				return p, err
			}
			p.Attempts++
		}
		if len(ds) < batch {
			break
		}
	}
	return p, nil
}

// Backoff returns the wait after the n-th failed attempt (n ≥ 1): 30 s,
// doubling, at most an hour.
func Backoff(n int) time.Duration {
	d := FirstRetry
	for i := 1; i < n && d < MaxRetryWait; i++ {
		d *= 2
	}
	return min(d, MaxRetryWait)
}
