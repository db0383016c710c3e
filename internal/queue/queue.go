package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of Config.
const (
	DefaultStream      = "FOYER_HITS"
	DefaultConsumer    = "foyer-workers"
	DefaultReplicas    = 1
	DefaultDedupWindow = 2 * time.Minute
)

// Config says where the queue is and how its stream is made.
type Config struct {
	// URL is the NATS server, or a comma-separated list of a cluster's,
	// such as nats://127.0.0.1:4222.
	URL string
	// Stream is the JetStream stream's name (DefaultStream when ""); its
	// subject is the name in lower case with dots: FOYER_HITS takes
	// foyer.hits.
	Stream string
	// Consumer is the workers' durable consumer (DefaultConsumer when "").
	Consumer string
	// Replicas is the stream's replica count in a JetStream cluster
	// (DefaultReplicas when 0).
	Replicas int
	// DedupWindow is how long JetStream remembers a published batch ID
	// (DefaultDedupWindow when 0).
	DedupWindow time.Duration
	// Name names the connection in the server's monitoring.
	Name string
	// Log receives connection events; slog.Default when nil.
	Log *slog.Logger
}

func (c *Config) defaults() {
	if c.Stream == "" {
		c.Stream = DefaultStream
	}
	if c.Consumer == "" {
		c.Consumer = DefaultConsumer
	}
	if c.Replicas <= 0 {
		c.Replicas = DefaultReplicas
	}
	if c.DedupWindow <= 0 {
		c.DedupWindow = DefaultDedupWindow
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
}

// Subject returns the subject of the stream's messages.
func (c Config) Subject() string {
	s := c.Stream
	if s == "" {
		s = DefaultStream
	}
	return strings.ToLower(strings.ReplaceAll(s, "_", "."))
}

// Queue is a connection to JetStream with the stream in place.
type Queue struct {
	cfg Config
	nc  *nats.Conn
	js  jetstream.JetStream

	mu      sync.Mutex
	lag     int64 // -1: unknown
	lagErr  error
	lagTime time.Time
}

// Open connects to the NATS server and creates the stream, or updates its
// settings, and returns once JetStream answered. Once open, the connection
// is kept up (reconnecting without end) until Close. EINVALID for a bad
// configuration; EUNAVAILABLE when the server does not answer.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	cfg.defaults()
	if !strings.HasPrefix(cfg.URL, "nats://") && !strings.HasPrefix(cfg.URL, "tls://") {
		return nil, foyer.Errorf(foyer.EINVALID, "queue %q: want nats://HOST:PORT", cfg.URL)
	}
	log := cfg.Log
	nc, err := nats.Connect(cfg.URL, nats.Name(cfg.Name), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		// No buffering while disconnected: a publish fails at once, and the
		// publisher retries it with the same ID until its deadline.
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil { // nil: Close
				log.Warn("queue: disconnected from NATS", "err", err)
			}
		}),
		nats.ReconnectHandler(func(c *nats.Conn) { log.Info("queue: reconnected to NATS", "server", c.ConnectedUrlRedacted()) }))
	if err != nil {
		return nil, foyer.Errorf(foyer.EUNAVAILABLE, "queue: connect to %s: %v", cfg.URL, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("queue: jetstream: %w", err)
	}
	q := &Queue{cfg: cfg, nc: nc, js: js, lag: -1}
	if err := q.ensureStream(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return q, nil
}

// ensureStream creates the stream, or updates it to the configuration.
func (q *Queue) ensureStream(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := q.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        q.cfg.Stream,
		Description: "Foyer's accepted batches, on their way to the workers that store them",
		Subjects:    []string{q.cfg.Subject()},
		Storage:     jetstream.FileStorage,
		Replicas:    q.cfg.Replicas,
		// A batch is deleted once a worker acknowledged it: the stream
		// only buffers.
		Retention:  jetstream.WorkQueuePolicy,
		Duplicates: q.cfg.DedupWindow,
	})
	if err != nil {
		return foyer.Errorf(foyer.EUNAVAILABLE, "queue: create or update stream %s: %v", q.cfg.Stream, err)
	}
	return nil
}

// Close closes the connection.
func (q *Queue) Close() { q.nc.Close() }

// Config returns the queue's configuration, defaults filled in.
func (q *Queue) Config() Config { return q.cfg }

// JetStream returns the JetStream context, for tests and tools.
func (q *Queue) JetStream() jetstream.JetStream { return q.js }

// Connected reports whether the connection to NATS is up.
func (q *Queue) Connected() bool { return q.nc.IsConnected() }

// Lag returns the batches not yet stored and acknowledged, as last sampled
// by Watch: -1 and the error when the last sample failed.
func (q *Queue) Lag() (int64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.lag, q.lagErr
}

// Watch samples the lag every interval until ctx ends, into m.Lag too.
func (q *Queue) Watch(ctx context.Context, every time.Duration, m *Metrics) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		q.sample(ctx, m)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sample reads the lag: the consumer's pending and ack pending messages,
// or, before any worker made the consumer, the stream's messages.
func (q *Queue) sample(ctx context.Context, m *Metrics) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	lag, err := q.readLag(ctx)
	if err != nil {
		lag = -1
	}
	q.mu.Lock()
	q.lag, q.lagErr, q.lagTime = lag, err, time.Now()
	q.mu.Unlock()
	if m != nil {
		m.Lag.Set(float64(lag))
	}
}

func (q *Queue) readLag(ctx context.Context) (int64, error) {
	c, err := q.js.Consumer(ctx, q.cfg.Stream, q.cfg.Consumer)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		s, err := q.js.Stream(ctx, q.cfg.Stream)
		if err != nil {
			return 0, err
		}
		return int64(s.CachedInfo().State.Msgs), nil
	}
	if err != nil {
		return 0, err
	}
	info := c.CachedInfo()
	return int64(info.NumPending) + int64(info.NumAckPending), nil
}
