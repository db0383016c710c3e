package emailtrack

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// Recorder writes opens and clicks (the store's RecordEmailEvents).
type Recorder interface {
	RecordEmailEvents(ctx context.Context, events []foyer.EmailEvent) error
}

// Writer hands opens and clicks to the store in batches, one transaction
// each (group commit): the redirect and the pixel answer without waiting
// for a commit of their own. Start it, and Stop it to write what is left.
type Writer struct {
	store    Recorder
	log      *slog.Logger
	in       chan foyer.EmailEvent
	stop     chan struct{}
	done     chan struct{}
	mu       sync.RWMutex
	stopped  bool
	maxBatch int
}

// DefaultQueue bounds the events waiting to be written; past it, Record
// waits for room.
const DefaultQueue = 16384

// NewWriter returns a Writer to store; log reports failed writes.
func NewWriter(store Recorder, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.Default()
	}
	return &Writer{store: store, log: log, in: make(chan foyer.EmailEvent, DefaultQueue),
		stop: make(chan struct{}), done: make(chan struct{}), maxBatch: 1024}
}

// Start runs the writer's loop.
func (w *Writer) Start() { go w.loop() }

// Record hands an event to the writer; it waits only when the queue is
// full, until ctx ends. After Stop the event is written at once.
func (w *Writer) Record(ctx context.Context, e foyer.EmailEvent) error {
	w.mu.RLock()
	if w.stopped {
		w.mu.RUnlock()
		return w.store.RecordEmailEvents(ctx, []foyer.EmailEvent{e})
	}
	defer w.mu.RUnlock()
	select {
	case w.in <- e:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop writes every event handed in, and returns when done or when ctx
// ends.
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

func (w *Writer) loop() {
	defer close(w.done)
	batch := make([]foyer.EmailEvent, 0, w.maxBatch)
	for {
		select {
		case e := <-w.in:
			batch = append(batch[:0], e)
		case <-w.stop:
			// Record holds the read lock while it sends: none sends now.
			for {
				batch = w.drain(batch[:0])
				if len(batch) == 0 {
					return
				}
				w.write(batch)
			}
		}
		batch = w.drain(batch)
		w.write(batch)
	}
}

// drain adds to batch the events waiting, up to the batch's size.
func (w *Writer) drain(batch []foyer.EmailEvent) []foyer.EmailEvent {
	for len(batch) < w.maxBatch {
		select {
		case e := <-w.in:
			batch = append(batch, e)
		default:
			return batch
		}
	}
	return batch
}

func (w *Writer) write(batch []foyer.EmailEvent) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.store.RecordEmailEvents(ctx, batch); err != nil {
		w.log.Error("email events not written", "events", len(batch), "err", err)
	}
}
