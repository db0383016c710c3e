package collect

import (
	"context"
	"time"

	"github.com/foyerhq/foyer"
)

// Sink takes the collector's accepted batches: the group-commit Writer,
// which stores them, or a queue's publisher, which hands them to the
// workers that do (internal/queue).
type Sink interface {
	// Write returns nil only once hits are durable: committed to storage,
	// or acknowledged by the queue. Its errors are EUNAVAILABLE.
	Write(ctx context.Context, hits []foyer.Hit) error
	// Ready returns nil when the sink takes batches and makes them durable
	// in time, and otherwise EUNAVAILABLE saying why.
	Ready() error
	// Timeout is how long Write may wait: the commit or publish deadline.
	Timeout() time.Duration
}

var _ Sink = (*Writer)(nil)
