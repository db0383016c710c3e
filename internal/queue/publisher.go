package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultPublishTimeout bounds a publish, retries included.
const DefaultPublishTimeout = 5 * time.Second

// Publisher is the collector's sink over the queue: Write publishes the
// batch and returns once JetStream has acknowledged it.
type Publisher struct {
	q       *Queue
	timeout time.Duration
	m       *Metrics
}

var _ collect.Sink = (*Publisher)(nil)

// NewPublisher returns a publisher on q; timeout bounds each Write
// (DefaultPublishTimeout when 0), m receives its metrics (unregistered
// ones when nil).
func NewPublisher(q *Queue, timeout time.Duration, m *Metrics) *Publisher {
	if timeout <= 0 {
		timeout = DefaultPublishTimeout
	}
	if m == nil {
		m = NewMetrics(nil)
	}
	return &Publisher{q: q, timeout: timeout, m: m}
}

// NewBatchID returns a random 128-bit batch ID, in hex.
func NewBatchID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// retryPause is the wait between two tries of one publish.
const retryPause = 100 * time.Millisecond

// Write publishes hits as one batch under a new ID and waits for
// JetStream's acknowledgement. A publish that fails (NATS disconnected, a
// broker restarting, a cluster electing a leader) is tried again with the
// same ID, which JetStream's de-duplication window stores once, until the
// deadline. EUNAVAILABLE when the deadline passes: the batch may or may not
// be in the stream. Once called, Write does not depend on ctx: the
// browser that leaves does not cut a publish short.
func (p *Publisher) Write(ctx context.Context, hits []foyer.Hit) error {
	start := time.Now()
	id := NewBatchID()
	msg := Encode(foyer.Batch{ID: id, Hits: hits})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.timeout)
	defer cancel()
	cfg := p.q.cfg
	for {
		_, err := p.q.js.Publish(ctx, cfg.Subject(), msg, jetstream.WithMsgID(id), jetstream.WithExpectStream(cfg.Stream))
		if err == nil {
			p.m.PublishTime.Observe(time.Since(start).Seconds())
			return nil
		}
		select {
		case <-ctx.Done():
			p.m.PublishFailed.Inc()
			cfg.Log.Warn("queue: publish failed", "err", err)
			return foyer.Errorf(foyer.EUNAVAILABLE, "the queue did not take the batch within %s; it may or may not be stored", p.timeout)
		case <-time.After(retryPause):
		}
	}
}

// Ready returns nil while JetStream takes batches, as far as the
// connection and the last sample of the stream tell; EUNAVAILABLE saying
// why otherwise.
func (p *Publisher) Ready() error {
	if !p.q.Connected() {
		return foyer.Errorf(foyer.EUNAVAILABLE, "not connected to the queue (NATS)")
	}
	if _, err := p.q.Lag(); err != nil {
		return foyer.Errorf(foyer.EUNAVAILABLE, "the queue's stream does not answer: %v", err)
	}
	return nil
}

// Timeout returns the publish deadline.
func (p *Publisher) Timeout() time.Duration { return p.timeout }
