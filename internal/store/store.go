// Package store implements foyer.Store over database/sql, on SQLite
// (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx). Dialect
// differences live here and in the migration files, nowhere else.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/vault"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names a SQL dialect.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options tune a store. The zero value is the default.
type Options struct {
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// VisitTimeout ends a visit after this much inactivity; 30 minutes when 0.
	VisitTimeout time.Duration
	// SQLiteSync is SQLite's synchronous setting: "full" (the default: a
	// commit is on disk before it is acknowledged) or "normal".
	SQLiteSync string
}

// Store is the database/sql implementation of foyer.Store.
type Store struct {
	db      *sql.DB
	dialect Dialect
	now     func() time.Time
	timeout time.Duration
	// feedBatch, when not 0, is how many companies the period feed makes
	// exact in its first step; tests set it small (see periodFeed).
	feedBatch int
	// feedSums, when not 0, makes the period feed sum the period's days for
	// the score order always (1) or never (-1); see fewDays.
	feedSums int
	// keys seals contacts' personal fields (UseKeys); nil: contacts refused.
	keys *vault.Keyring
	// keyFile is the master key's file, read again for a key the keyring
	// lacks (UseKeyFile); "" for none.
	keyFile string

	// ingestMu serialises appends in this process and guards the ingest
	// cache. rollupMu serialises roll-ups' writes. On SQLite a roll-up
	// also holds ingestMu (one write lock) for each of its transactions,
	// and reads with neither (rollupBeside); on PostgreSQL it holds only
	// rollupMu. Both run beside the appends (RollupAlongside). Whoever
	// must wait for both takes ingestMu first, then rollupMu (lockWriter).
	// appendGen counts appends committed and ingest caches dropped, so that a roll-up beside
	// them knows whether it read all that was committed (rollupCurrent);
	// under genMu, as are caughtUp's changes. unrolled estimates how many
	// events this store appended that no roll-up has read (for
	// scheduling).
	ingestMu  sync.Mutex
	rollupMu  sync.Mutex
	genMu     sync.Mutex
	appendGen uint64
	// moveGen counts the times lockIngest was taken: by what moves events
	// or aggregates, or a visit's company (rollupBeside).
	moveGen atomic.Uint64
	// besideMu serialises rollupBeside, whose steps know the visits of
	// known.
	besideMu sync.Mutex
	known    knownVisits
	cache    *ingestCache
	// chunk is how many visits a transaction of rollupBeside updates
	// (rollupChunk; tests set fewer). afterChunk, nil but in tests, runs
	// after each of its transactions but the last; an error ends the step
	// there, as a crash would.
	chunk      int
	afterChunk func(i int) error
	// part is how many events one read of rollupBeside reads (rollupPart;
	// tests set fewer), restFactor how long it rests after each part of
	// its work (rollupRest).
	part, restFactor int
	// stmts are the kept statements of the main pool, ingestStmts those of
	// the ingest pool; both under stmtMu.
	stmtMu      sync.Mutex
	stmts       map[string]*sql.Stmt
	ingestStmts map[string]*sql.Stmt
	// ingest is SQLite's pool for the writer's own transactions (appends
	// and roll-ups), with synchronous=normal, so that a commit releases the
	// write lock without waiting for the disk; wal then makes appends
	// durable (SyncAppends) outside the lock. nil on PostgreSQL.
	ingest *sql.DB
	wal    *walFile
	// ingestCommits counts the ingest pool's commits, for checkpoints,
	// which cpStop stops and which closes cpDone when it ends.
	ingestCommits atomic.Int64
	cpStop        chan struct{}
	cpDone        chan struct{}
	finishFrames  int // finishFrames when the store opened
	// cpMu keeps this store's checkpoints apart: SQLite refuses a second
	// one while one runs, at once and whatever busy_timeout says.
	cpMu     sync.Mutex
	caughtUp atomic.Bool // whether the roll-up has read every stored event since Open, or since the cache was dropped
	unrolled atomic.Int64
	// Under ingestMu: the sites DeleteSite deleted, whose hits Append drops
	// (a request the collector accepted just before), until CreateSite gives
	// the ID to a new site, as SQLite may.
	deleted map[int64]bool
	// readStmts keeps prepared statements of hot reads outside the
	// writer (the collector's matching of identifications), by query, on
	// lookups: SQLite's pool for them (openLookups); nil on PostgreSQL,
	// where they go to db.
	readStmts sync.Map
	lookups   *sql.DB
	// overridesGen counts this store's changes of org_overrides: the
	// writer's reading of an override is stale when it changed since.
	overridesGen atomic.Uint64
	// partMonths are the months known to have a partition of events,
	// under ingestMu (partitions.go); nil until read.
	partMonths map[month]bool
	// ledgerPath is the erasure ledger's file (UseLedgerFile); "" for none.
	ledgerPath string
}

var _ foyer.Store = (*Store)(nil)

// Open connects to the database that dsn names and applies every pending
// migration. dsn is "sqlite:PATH" (a file, created with its directory when
// missing) or a "postgres://" / "postgresql://" URL.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s, err := open(dsn, opt)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.Close() // its pools and its checkpointer too
		return nil, err
	}
	if err := s.createPartitionsAhead(ctx, s.now()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenNoMigrate connects like Open but applies no migration.
func OpenNoMigrate(dsn string, opt Options) (*Store, error) { return open(dsn, opt) }

func open(dsn string, opt Options) (*Store, error) {
	s := &Store{chunk: rollupChunk, part: rollupPart, restFactor: rollupRest, now: opt.Now, timeout: opt.VisitTimeout, cache: newIngestCache(cacheLimit),
		stmts: map[string]*sql.Stmt{}, ingestStmts: map[string]*sql.Stmt{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.timeout == 0 {
		s.timeout = 30 * time.Minute
	}
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		s.dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		sync := opt.SQLiteSync
		switch sync {
		case "":
			sync = "full"
		case "full", "normal":
		default:
			return nil, foyer.Errorf(foyer.EINVALID, "sqlite synchronous %q: want full or normal", sync)
		}
		if s.db, err = openSQLite(path, sync, 4, ""); err == nil {
			s.lookups, err = openLookups(path)
		}
		if err == nil {
			// One connection writes; the other is where database/sql
			// prepares the kept statements (stmt) before the writing one
			// takes them.
			// Its commits leave checkpoints to checkpoints (walsync.go).
			s.ingest, err = openSQLite(path, "normal", 2,
				"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit("+strconv.Itoa(ingestLogLimit)+")")
		}
		if err == nil {
			s.cpStop, s.cpDone = make(chan struct{}), make(chan struct{})
			s.finishFrames = finishFrames
			go s.checkpoints(checkpointEvery)
		}
		if sync == "full" {
			s.wal = &walFile{path: path + "-wal"}
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s.dialect = Postgres
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			s.db.SetMaxOpenConns(16)
			s.db.SetMaxIdleConns(16)
		}
	default:
		return nil, foyer.Errorf(foyer.EINVALID, "database %q: want sqlite:PATH or postgres://…", redactDSN(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", s.dialect, err)
	}
	return s, nil
}

// openSQLite opens a pool of conns connections on the SQLite file at
// path, with synchronous set to sync ("full" or "normal").
func openSQLite(path, sync string, conns int, extra string) (*sql.DB, error) {
	if path == "" {
		return nil, foyer.Errorf(foyer.EINVALID, "sqlite: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
	}
	q := "?_pragma=journal_mode(WAL)&_pragma=synchronous(" + sync + ")" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32768)" +
		"&_pragma=secure_delete(ON)&_txlock=immediate" // a deleted row's bytes are overwritten, not left in free space
	db, err := sql.Open("sqlite", "file:"+path+q+extra)
	if err != nil {
		return nil, err
	}
	// SQLite has one writer at a time; a few connections serve readers.
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// openLookups opens a second pool on the SQLite file for the collector's
// hot point reads (matching identifications), with a small page cache of
// its own: every commit changes the database, so a reader's next read
// starts by emptying its page cache, which costs in proportion to the
// cache's size; the main pool's large cache made each look-up cost tens
// of microseconds of that, and its few connections kept the writer
// waiting behind them.
func openLookups(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=cache_size(-256)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(2)
	db.SetMaxIdleConns(2)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// redactDSN hides a password in a URL-style DSN so it can be shown.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 {
		if j := strings.Index(dsn, "://"); j > 0 && j < i {
			return dsn[:j+3] + "…@" + dsn[i+1:]
		}
	}
	return dsn
}

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB returns the underlying handle, for tests and tools.
func (s *Store) DB() *sql.DB { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.ingestMu.Lock()
	s.stmtMu.Lock()
	for _, st := range s.stmts {
		st.Close()
	}
	clear(s.stmts)
	for _, st := range s.ingestStmts {
		st.Close()
	}
	clear(s.ingestStmts)
	s.stmtMu.Unlock()
	s.ingestMu.Unlock()
	if s.cpStop != nil {
		close(s.cpStop)
		<-s.cpDone
		s.cpStop = nil
	}
	if err := s.wal.lost(); err != nil {
		// Closing the last connection would checkpoint the log into the
		// database file, the pages the disk lost included, read back from
		// wherever they are now. Left open, the database is as after a
		// crash: opening it again recovers the log up to what was lost.
		return fmt.Errorf("store: left unclosed, to be recovered when opened again: %w", err)
	}
	if s.ingest != nil {
		s.ingest.Close()
	}
	if s.wal != nil {
		s.wal.close()
	}
	s.readStmts.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.readStmts.Delete(k)
		return true
	})
	if s.lookups != nil {
		s.lookups.Close()
	}
	return s.db.Close()
}
