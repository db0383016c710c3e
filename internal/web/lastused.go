package web

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Recording when a session was last seen and an API token last used,
// without a write in the request: a page or an API call that only reads
// must not wait on, or fail with, a database whose write lock another
// holds. A use is recorded at most once every lastUsedEvery per session or
// token, by a goroutine of its own with a short deadline; a failure is
// logged and passes, and a later use records it.

// Recording policy.
const (
	lastUsedEvery    = time.Minute     // at most one recording a session or token in this long
	lastUsedTimeout  = 5 * time.Second // for one recording
	lastUsedInFlight = 4               // recordings at once; a use beyond them is left to a later one
	lastUsedMarks    = 10_000          // marks kept before they are all dropped
)

// touchFunc records a use of the session or token of a hash at a time.
type touchFunc func(ctx context.Context, tokenHash []byte, at time.Time) error

// lastUsed records uses of sessions and tokens in the background.
type lastUsed struct {
	log   *slog.Logger
	now   func() time.Time
	slots chan struct{} // one per recording in flight

	mu     sync.Mutex
	marks  map[string]time.Time // what: hash → when last recorded here
	closed bool
	wg     sync.WaitGroup
}

func newLastUsed(log *slog.Logger, now func() time.Time) *lastUsed {
	return &lastUsed{log: log, now: now, slots: make(chan struct{}, lastUsedInFlight), marks: map[string]time.Time{}}
}

// record records, in the background, a use now of the session or token
// (what says which) of a hash whose stored last use is stored, unless that
// or the last recording by this process is less than lastUsedEvery ago.
func (l *lastUsed) record(what string, touch touchFunc, tokenHash []byte, stored time.Time) {
	now := l.now()
	if now.Sub(stored) < lastUsedEvery {
		return
	}
	l.background(what+":"+string(tokenHash), slog.LevelWarn, "could not record the last use of a "+what, func(ctx context.Context) error {
		return touch(ctx, tokenHash, now)
	})
}

// recordAudit records, in the background, the audit entry of a use of the
// API token of a hash, unless this process did less than lastUsedEvery
// ago (the store keeps one an hour).
func (l *lastUsed) recordAudit(tokenHash []byte, fn func(ctx context.Context) error) {
	l.background("audit:"+string(tokenHash), slog.LevelError, "could not record the use of an API token in the audit log", fn)
}

// background runs fn in a goroutine of its own with a short deadline,
// unless the one of key ran less than lastUsedEvery ago or as many wait
// on the database as may; a failure is logged with msg at level.
func (l *lastUsed) background(key string, level slog.Level, msg string, fn func(ctx context.Context) error) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || now.Sub(l.marks[key]) < lastUsedEvery {
		return
	}
	select {
	case l.slots <- struct{}{}:
	default:
		return // as many recordings wait on the database as may: a later use records this one
	}
	if len(l.marks) >= lastUsedMarks {
		clear(l.marks)
	}
	l.marks[key] = now
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer func() { <-l.slots }()
		ctx, cancel := context.WithTimeout(context.Background(), lastUsedTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			l.log.Log(ctx, level, msg, "err", err)
		}
	}()
}

// close stops taking uses and waits for the recordings in flight, each of
// which ends within lastUsedTimeout.
func (l *lastUsed) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.wg.Wait()
}
