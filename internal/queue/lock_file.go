//go:build unix

package queue

import (
	"context"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"
)

// FileLocker takes an exclusive flock on the file at path (created when
// missing), the write lock of an SQLite database: path is the database's
// file with ".writer-lock" appended. The kernel releases it when the
// process dies.
func FileLocker(path string) Locker {
	return func(ctx context.Context) (Lock, error) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("queue: write lock: %w", err)
		}
		for {
			err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
			if err == nil {
				return &fileLock{f: f, lost: make(chan struct{})}, nil
			}
			if err != syscall.EWOULDBLOCK {
				f.Close()
				return nil, fmt.Errorf("queue: write lock %s: %w", path, err)
			}
			select {
			case <-ctx.Done():
				f.Close()
				return nil, ctx.Err()
			case <-time.After(lockPoll):
			}
		}
	}
}

type fileLock struct {
	f    *os.File
	lost chan struct{} // never closed: a file lock is not lost while held
	once sync.Once
}

func (l *fileLock) Lost() <-chan struct{} { return l.lost }

func (l *fileLock) Release() {
	l.once.Do(func() {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
	})
}
