package queue

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
)

// Lock is the database's write lock, held by one worker at a time: the
// store's ingest cache assumes that one process appends.
type Lock interface {
	// Lost is closed when the lock is lost while held (its database
	// session ended): the holder must stop writing at once.
	Lost() <-chan struct{}
	// Release gives the lock up.
	Release()
}

// Locker takes the write lock, waiting as long as another holds it, until
// ctx ends.
type Locker func(ctx context.Context) (Lock, error)

// lockPoll is the wait between two tries to take a lock held elsewhere,
// and between two checks that a held lock's session still lives.
const lockPoll = 500 * time.Millisecond

// PostgresLocker takes a session-level advisory lock on a connection of
// its own from db, keyed by the current schema, so that the databases of
// two schemas have two locks. The lock goes with the session: a worker that
// dies releases it at once, as its connection closes.
func PostgresLocker(db *sql.DB) Locker {
	return func(ctx context.Context) (Lock, error) {
		conn, err := db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("queue: write lock: %w", err)
		}
		for {
			var ok bool
			err := conn.QueryRowContext(ctx, `/* queue.PostgresLocker */
				SELECT pg_try_advisory_lock(1718580850, hashtext(current_schema()))`).Scan(&ok)
			if err != nil {
				discard(conn)
				return nil, fmt.Errorf("queue: write lock: %w", err)
			}
			if ok {
				l := &pgLock{conn: conn, lost: make(chan struct{}), stop: make(chan struct{})}
				l.done.Add(1)
				go l.watch()
				return l, nil
			}
			select {
			case <-ctx.Done():
				discard(conn)
				return nil, ctx.Err()
			case <-time.After(lockPoll):
			}
		}
	}
}

// discard closes the connection's session rather than returning it to the
// pool, so that no lock it holds outlives it.
func discard(conn *sql.Conn) {
	conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

type pgLock struct {
	conn *sql.Conn
	lost chan struct{}
	stop chan struct{}
	once sync.Once
	done sync.WaitGroup
}

func (l *pgLock) Lost() <-chan struct{} { return l.lost }

// watch closes lost when the session that holds the lock stops answering.
func (l *pgLock) watch() {
	defer l.done.Done()
	for {
		select {
		case <-l.stop:
			return
		case <-time.After(lockPoll):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := l.conn.PingContext(ctx)
		cancel()
		if err != nil {
			close(l.lost)
			return
		}
	}
}

func (l *pgLock) Release() {
	l.once.Do(func() {
		close(l.stop)
		l.done.Wait()
		discard(l.conn) // ends the session, and the lock with it
	})
}
