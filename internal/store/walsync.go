package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer"
)

// beginIngest begins a transaction of the writer's own (appends and
// roll-ups): on SQLite on the ingest pool, whose commits do not wait for
// the disk (SyncAppends does that, outside the write lock); on PostgreSQL
// on the main pool. On SQLite callers hold ingestMu.
func (s *Store) beginIngest(ctx context.Context) (*txStmts, error) {
	pool := s.db
	if s.ingest != nil {
		pool = s.ingest
	}
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}, ingest: s.ingest != nil}, nil
}

// checkpointEvery is how often checkpoints looks for commits of the
// ingest pool to copy into the database file. A variable, as finishFrames
// is, for tests; a store takes both when it opens.
var checkpointEvery = 200 * time.Millisecond

// checkpoints copies the write-ahead log into the database file every
// period in which the ingest pool committed, with a passive checkpoint on
// the main pool: it does not take the write lock, so the writer's commits
// go on meanwhile, where SQLite's automatic checkpoint (off on the ingest
// pool) would run inside the commit that passed its threshold, flushes
// included. The main pool's own commits still checkpoint automatically.
// It ends when cpStop closes.
//
// SQLite starts the log over from its beginning only at a commit that
// finds all of it copied. Under a load that never pauses, the appends made
// while a passive checkpoint copies are always left over, and the log
// would grow for as long as the load lasts (by about a page per event),
// every flush would have to write the file's new length too, and every
// page lookup would search a longer log index. So when the appends left
// frames over, the rest is copied with the appends held back (finishLog):
// the frames of one checkpoint's duration, usually a few milliseconds,
// once the log is finishFrames long. The ingest pool's journal_size_limit
// then cuts a log that a spike left longer than ingestLogLimit.
func (s *Store) checkpoints(every time.Duration) {
	defer close(s.cpDone)
	tick := time.NewTicker(every)
	defer tick.Stop()
	var done int64
	for {
		select {
		case <-s.cpStop:
			return
		case <-tick.C:
		}
		n := s.ingestCommits.Load()
		if n == done || s.wal.lost() != nil {
			continue // a log with lost pages is not copied (Close)
		}
		busy, log, err := s.checkpoint(context.Background(), "PASSIVE")
		if err == nil && !busy && log >= s.finishFrames && s.ingestCommits.Load() != n {
			// The appends went on while it copied, and the log is long:
			// one more passive checkpoint copies what they added meanwhile,
			// so that what is left for finishLog, with the appends held
			// back, is only what they add during this shorter one.
			if _, _, err = s.checkpoint(context.Background(), "PASSIVE"); err == nil {
				err = s.finishLog(context.Background())
			}
		}
		if err != nil {
			continue // tried again at the next tick; the log grows meanwhile
		}
		done = n
	}
}

// finishFrames is the length of the log, in frames (pages), past which
// checkpoints holds the appends back to copy the rest of it: 32 MiB with
// 4 KiB pages. Holding them back costs a few milliseconds (the frames of
// one passive checkpoint's duration, and two flushes), so not at every
// checkpoint: under the collector's benchmark load about every 0.6 s.
var finishFrames = 8192

// finishLog copies what is left of the log with this process's appends
// and roll-ups held back, so that the ingest pool's next commit starts
// the log over (unless a reader still reads an older snapshot, or another
// process wrote meanwhile: then at a later one).
func (s *Store) finishLog(ctx context.Context) error {
	unlock := s.lockWriter()
	defer unlock()
	_, _, err := s.checkpoint(ctx, "PASSIVE")
	return err
}

// checkpoint runs a checkpoint of the mode (PASSIVE, FULL, RESTART or
// TRUNCATE) on the main pool, apart from this store's others, and reports
// whether it could not finish (a reader on an older snapshot) and the
// log's length in frames when it began.
func (s *Store) checkpoint(ctx context.Context, mode string) (busy bool, log int, err error) {
	s.cpMu.Lock()
	defer s.cpMu.Unlock()
	var b, done int
	err = s.db.QueryRowContext(ctx, `/* Store.checkpoint */ PRAGMA wal_checkpoint(`+mode+`)`).Scan(&b, &log, &done)
	return b != 0, log, err
}

// SyncAppends makes every append committed before it was called durable:
// on SQLite with synchronous=full it flushes the write-ahead log to the
// disk, which the ingest pool's commits leave to it. It does not take the
// write lock, so the next commits go on meanwhile; calls that overlap
// share the work of one flush where they can. It does nothing on
// PostgreSQL, whose commits are durable when they return, nor with
// synchronous=normal, where durability ends at a crash of Foyer.
//
// A flush that failed fails every later one (foyer.ErrFlushFailed): the
// kernel may have dropped the pages of the log it could not write, and a
// later fdatasync that succeeds would not write them again, while SQLite
// recovers a log only up to its first damaged frame, so the commits after
// them would be lost too. Opening the database again recovers what did
// reach the disk.
func (s *Store) SyncAppends(ctx context.Context) error {
	if s.wal == nil {
		return nil
	}
	if err := s.wal.sync(); err != nil {
		return fmt.Errorf("store: sync appends: %w", err)
	}
	return nil
}

// SyncsApart reports whether the appends wait for SyncAppends to be
// durable: on SQLite with synchronous=full (foyer.AppendSyncer).
func (s *Store) SyncsApart() bool { return s.wal != nil }

// walFile is SQLite's write-ahead log, held open to be flushed. SQLite
// holds no lock on it (its locks are on the database and -shm files, and
// closing a descriptor of those would drop them: never open those).
type walFile struct {
	mu   sync.Mutex
	path string
	f    *os.File
	// failed is the error of the flush that failed, returned by every
	// flush after it; atomic, so that checkpoints can look without
	// waiting for a flush in progress.
	failed atomic.Pointer[error]
	// flush flushes the file; datasync when nil (tests fail it).
	flush func(*os.File) error
}

// sync flushes the log to the disk. SQLite deletes the log only when its
// last connection closes, after checkpointing it into the database and
// flushing that; a log found gone or replaced was so, and the one now at
// the path is opened (with its directory flushed, as SQLite does for a
// log it creates) and flushed.
func (w *walFile) sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.lost(); err != nil {
		return err
	}
	if w.f != nil {
		cur, err := os.Stat(w.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		held, herr := w.f.Stat()
		if err != nil || herr != nil || !os.SameFile(cur, held) {
			w.f.Close()
			w.f = nil
		}
	}
	if w.f == nil {
		f, err := os.Open(w.path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // no log: everything is in the database file, flushed
		}
		if err != nil {
			return err
		}
		if err := syncDir(filepath.Dir(w.path)); err != nil {
			f.Close()
			return err
		}
		w.f = f
	}
	flush := w.flush
	if flush == nil {
		flush = datasync
	}
	if err := flush(w.f); err != nil {
		// Only a failed flush can have lost pages; a log that could not be
		// opened is still all in the page cache, for the next try.
		err = fmt.Errorf("%w: %w", foyer.ErrFlushFailed, err)
		w.failed.Store(&err)
		return err
	}
	return nil
}

// lost returns the error of the flush that failed, nil if none did (nor
// for no log file: synchronous=normal).
func (w *walFile) lost() error {
	if w == nil {
		return nil
	}
	if err := w.failed.Load(); err != nil {
		return *err
	}
	return nil
}

func (w *walFile) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}

// syncDir flushes a directory's entries to the disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ingestLogLimit is the ingest pool's journal_size_limit, in bytes: what
// SQLite leaves of a longer log when it starts it over.
const ingestLogLimit = 64 << 20
