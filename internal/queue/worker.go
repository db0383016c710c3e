package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
)

// Store is what a worker needs of storage (internal/store's Store).
type Store interface {
	AppendBatches(ctx context.Context, batches []foyer.Batch) (int, error)
	Rollup(ctx context.Context, limit int) (int, error)
	RollupAll(ctx context.Context) (int, error)
	Unrolled() int64
	Ping(ctx context.Context) error
}

// Defaults of WorkerConfig.
const (
	DefaultMaxBatches = 512
	DefaultAckWait    = 30 * time.Second
	DefaultMaxDeliver = 20
)

// WorkerConfig configures a Worker.
type WorkerConfig struct {
	Store Store
	// Lock takes the database's write lock; the worker writes only while
	// it holds it.
	Lock Locker
	// MaxBatches bounds the messages of one transaction
	// (DefaultMaxBatches when 0).
	MaxBatches int
	// AckWait is how long JetStream waits for a message's acknowledgement
	// before it delivers it again (DefaultAckWait when 0); MaxDeliver how
	// many times it delivers one (DefaultMaxDeliver when 0).
	AckWait    time.Duration
	MaxDeliver int
	Metrics    *Metrics
	// RollupTime, when not nil, observes each roll-up step's duration
	// (the collector's foyer_rollup_duration_seconds).
	RollupTime prometheus.Observer
	Log        *slog.Logger
}

// Worker stores the queue's batches: it waits for the write lock, then
// pulls messages from the durable consumer, many at a time, stores them in
// one transaction with AppendBatches and acknowledges them after the
// commit. A message that does not decode is terminated; a group whose
// commit fails is committed batch by batch, and a batch that fails alone
// is delivered again later. Between commits it runs the roll-up as
// collect.Writer does.
type Worker struct {
	q   *Queue
	cfg WorkerConfig

	held atomic.Bool
	// Owned by Run.
	rollups collect.Rollups
	// lost is the store's error once it can make nothing durable any more
	// (foyer.ErrFlushFailed): Run ends with it.
	lost error
}

// NewWorker returns a worker on q; call Run.
func NewWorker(q *Queue, cfg WorkerConfig) *Worker {
	if cfg.MaxBatches <= 0 {
		cfg.MaxBatches = DefaultMaxBatches
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.MaxDeliver <= 0 {
		cfg.MaxDeliver = DefaultMaxDeliver
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(nil)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Worker{q: q, cfg: cfg, rollups: collect.NewRollups(cfg.Store, cfg.RollupTime, cfg.Log)}
}

// HoldsLock reports whether the worker holds the write lock, and so is the
// one writing.
func (w *Worker) HoldsLock() bool { return w.held.Load() }

// ErrLockLost ends Run when the write lock was lost while held: the
// process should exit, so that it starts again as a standby.
var ErrLockLost = errors.New("queue: the database's write lock was lost (its session ended); stopped writing")

// Run waits for the write lock, then stores batches until ctx ends (nil),
// the lock is lost (ErrLockLost) or the store can make nothing durable any
// more (foyer.ErrFlushFailed): the process should then exit, to be
// started again. A message being stored when ctx ends is committed and
// acknowledged first.
func (w *Worker) Run(ctx context.Context) error {
	log := w.cfg.Log
	var lock Lock
	for lock == nil {
		var err error
		if lock, err = w.cfg.Lock(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("queue: worker cannot take the write lock; trying again", "err", err)
			if !sleep(ctx, nil, time.Second) {
				return nil
			}
		}
	}
	defer lock.Release()
	w.held.Store(true)
	w.cfg.Metrics.LockHeld.Set(1)
	defer func() { w.held.Store(false); w.cfg.Metrics.LockHeld.Set(0) }()
	log.Info("queue: worker holds the write lock and stores batches")

	// The process that wrote before may have died between a commit and
	// its roll-up: catch up, so that this store's roll-up starts current.
	for {
		_, err := w.cfg.Store.RollupAll(ctx)
		if err == nil {
			break
		}
		log.Error("queue: catch-up roll-up failed; trying again", "err", err)
		if !sleep(ctx, lock.Lost(), time.Second) {
			return w.ended(ctx, lock)
		}
	}
	cons, err := w.consumer(ctx, lock)
	if err != nil {
		return w.ended(ctx, lock)
	}
	// Where the store's roll-up can run beside its appends (PostgreSQL),
	// it does, in a goroutine of its own, until Run returns.
	alongside := collect.RollsUpAlongside(w.cfg.Store)
	if alongside {
		defer w.rollups.StartBeside()()
	}
	// The next group is fetched while one commits.
	fctx, stopFetch := context.WithCancel(ctx)
	groups := make(chan []jetstream.Msg, 1)
	go w.prefetch(fctx, lock, cons, groups)
	// handBack ends the fetching and returns the messages fetched but not
	// stored to the stream, for whichever worker writes next.
	handBack := func() {
		stopFetch()
		for msgs := range groups {
			for _, m := range msgs {
				m.Nak()
			}
		}
	}
	for {
		select {
		case <-ctx.Done():
			handBack()
			return nil
		case <-lock.Lost():
			handBack()
			return ErrLockLost
		case msgs := <-groups:
			if len(msgs) == 0 {
				if !alongside && w.rollups.Due(collect.RollupIdle) {
					w.rollups.Step(collect.RollupStep)
				}
				continue
			}
			w.handle(ctx, lock, msgs)
			if w.lost != nil {
				handBack()
				return w.lost
			}
			if !alongside && w.rollups.Due(collect.RollupForce) {
				w.rollups.Step(collect.RollupStep)
			}
		}
	}
}

// prefetch fetches groups of messages into groups until ctx ends, then
// closes it; an empty group says that none came within the wait.
func (w *Worker) prefetch(ctx context.Context, lock Lock, cons jetstream.Consumer, groups chan<- []jetstream.Msg) {
	defer close(groups)
	for ctx.Err() == nil {
		msgs, err := w.fetch(ctx, cons)
		if err != nil {
			if ctx.Err() == nil {
				w.cfg.Log.Warn("queue: fetch failed", "err", err)
				sleep(ctx, lock.Lost(), 250*time.Millisecond)
			}
			continue
		}
		select {
		case groups <- msgs:
		case <-ctx.Done():
			for _, m := range msgs {
				m.Nak()
			}
			return
		}
	}
}

// ended returns what Run returns once a wait was cut short.
func (w *Worker) ended(ctx context.Context, lock Lock) error {
	select {
	case <-lock.Lost():
		if ctx.Err() == nil {
			return ErrLockLost
		}
	default:
	}
	return nil
}

// sleep waits d, and reports false if ctx ended or lost closed first.
func sleep(ctx context.Context, lost <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-lost:
		return false
	case <-t.C:
		return true
	}
}

// consumer creates the durable consumer, or updates its settings, trying
// until it works or ctx ends or the lock is lost.
func (w *Worker) consumer(ctx context.Context, lock Lock) (jetstream.Consumer, error) {
	cfg := w.q.cfg
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cons, err := w.q.js.CreateOrUpdateConsumer(cctx, cfg.Stream, jetstream.ConsumerConfig{
			Durable:         cfg.Consumer,
			Description:     "Foyer's workers: store the batches, then acknowledge them",
			AckPolicy:       jetstream.AckExplicitPolicy,
			AckWait:         w.cfg.AckWait,
			MaxDeliver:      w.cfg.MaxDeliver,
			MaxAckPending:   4 * w.cfg.MaxBatches,
			MaxRequestBatch: w.cfg.MaxBatches,
		})
		cancel()
		if err == nil {
			return cons, nil
		}
		w.cfg.Log.Warn("queue: cannot create the consumer; trying again", "stream", cfg.Stream, "err", err)
		if !sleep(ctx, lock.Lost(), time.Second) {
			return nil, ctx.Err()
		}
	}
}

// idleWait is how long one pull waits for a message when none is there.
const idleWait = time.Second

// fetch returns the messages waiting, up to MaxBatches, without waiting
// when there are some; when there are none, it waits up to idleWait for
// one, and takes those that came with it.
func (w *Worker) fetch(ctx context.Context, cons jetstream.Consumer) ([]jetstream.Msg, error) {
	msgs, err := drain(cons.FetchNoWait(w.cfg.MaxBatches))
	if err != nil || len(msgs) > 0 {
		return msgs, err
	}
	wait := idleWait
	if w.cfg.Store.Unrolled() > 0 {
		wait = collect.RollupPause
	}
	if msgs, err = drain(cons.Fetch(1, jetstream.FetchMaxWait(wait))); err != nil || len(msgs) == 0 {
		return msgs, err
	}
	more, err := drain(cons.FetchNoWait(w.cfg.MaxBatches - 1))
	return append(msgs, more...), err
}

// drain reads a fetch's messages; running out of them is no error.
func drain(b jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return nil, err
	}
	var msgs []jetstream.Msg
	for m := range b.Messages() {
		msgs = append(msgs, m)
	}
	if err := b.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) && !errors.Is(err, nats.ErrTimeout) {
		return msgs, err
	}
	return msgs, nil
}

// item is a decoded message.
type item struct {
	msg       jetstream.Msg
	batch     foyer.Batch
	delivered uint64
	seq       uint64
}

// handle decodes the messages, terminates those that do not decode, and
// commits the others.
func (w *Worker) handle(ctx context.Context, lock Lock, msgs []jetstream.Msg) {
	items := make([]item, 0, len(msgs))
	for _, m := range msgs {
		it := item{msg: m}
		if meta, err := m.Metadata(); err == nil {
			it.delivered, it.seq = meta.NumDelivered, meta.Sequence.Stream
		}
		if it.delivered > 1 {
			w.cfg.Metrics.Redelivered.Inc()
		}
		b, err := Decode(m.Data())
		if err != nil {
			// The error never quotes the message, nor does this line.
			w.cfg.Log.Error("queue: a message does not decode; terminated", "stream_seq", it.seq, "bytes", len(m.Data()), "err", err)
			m.Term()
			w.cfg.Metrics.Terminated.WithLabelValues("malformed").Inc()
			continue
		}
		it.batch = b
		items = append(items, it)
	}
	if len(items) > 0 {
		w.commit(ctx, lock, items)
	}
}

// commit stores the items' batches in one transaction and acknowledges
// them. When that fails with the database down, it waits for the database,
// keeping the messages (in progress), and tries again; with the database
// up, it tries each batch on its own, so that one bad batch cannot fail
// the others, and a batch that fails alone is delivered again later (and
// given up on, logged, at its last delivery).
func (w *Worker) commit(ctx context.Context, lock Lock, items []item) {
	batches := make([]foyer.Batch, len(items))
	events := 0
	for i, it := range items {
		batches[i] = it.batch
		events += len(it.batch.Hits)
	}
	start := time.Now()
	n, err := w.cfg.Store.AppendBatches(context.Background(), batches)
	if errors.Is(err, foyer.ErrFlushFailed) {
		// Nothing more can be made durable in this process (Run ends): the
		// messages go back to the stream, stored or not, and are delivered
		// again once the database has recovered (their batch IDs keep
		// them from being stored twice).
		w.lost = err
		for _, it := range items {
			it.msg.Nak()
		}
		return
	}
	if err == nil {
		m := w.cfg.Metrics
		m.CommitTime.Observe(time.Since(start).Seconds())
		m.CommitBatches.Observe(float64(len(items)))
		m.CommitEvents.Observe(float64(events))
		m.Duplicates.Add(float64(len(items) - n))
		for _, it := range items {
			it.msg.Ack()
		}
		return
	}
	if foyer.ErrorCode(err) != foyer.EINVALID && !w.databaseUp(ctx) {
		w.cfg.Log.Error("queue: commit failed, the database does not answer; waiting for it", "batches", len(items), "err", err)
		if !w.waitForDatabase(ctx, lock, items) {
			return
		}
		w.commit(ctx, lock, items)
		return
	}
	if len(items) > 1 {
		for _, it := range items {
			w.commit(ctx, lock, []item{it})
		}
		return
	}
	it := items[0]
	if foyer.ErrorCode(err) == foyer.EINVALID || it.delivered >= uint64(w.cfg.MaxDeliver) {
		w.cfg.Log.Error("queue: a batch could not be stored at its last delivery; dropped", "stream_seq", it.seq,
			"deliveries", it.delivered, "events", len(it.batch.Hits), "err", err)
		it.msg.Term()
		w.cfg.Metrics.Terminated.WithLabelValues("failed").Inc()
		return
	}
	w.cfg.Log.Error("queue: a batch could not be stored; it will be delivered again", "stream_seq", it.seq,
		"deliveries", it.delivered, "events", len(it.batch.Hits), "err", err)
	it.msg.NakWithDelay(min(time.Duration(it.delivered)*time.Second, w.cfg.AckWait))
}

func (w *Worker) databaseUp(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return w.cfg.Store.Ping(ctx) == nil
}

// waitForDatabase keeps the messages in progress until the database
// answers (true), or until ctx ends or the lock is lost (false): then the
// messages are handed back to be delivered again.
func (w *Worker) waitForDatabase(ctx context.Context, lock Lock, items []item) bool {
	pause := 250 * time.Millisecond
	for {
		for _, it := range items {
			it.msg.InProgress()
		}
		if !sleep(ctx, lock.Lost(), pause) {
			for _, it := range items {
				it.msg.Nak()
			}
			return false
		}
		if w.databaseUp(ctx) {
			return true
		}
		pause = min(2*pause, 5*time.Second)
	}
}
