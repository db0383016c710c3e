package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/foyerhq/foyer"
)

// SetCacheLimit bounds the ingest caches of s to n entries each, so that
// tests can see them emptied.
func SetCacheLimit(s *Store, n int) {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	s.cache = newIngestCache(n)
}

// SetRollupChunk makes a roll-up step on SQLite update n visits a
// transaction, and run after, if not nil, after each of its transactions
// but the last: an error from it ends the step there, as a crash would.
func SetRollupChunk(s *Store, n int, after func(i int) error) {
	s.rollupMu.Lock()
	defer s.rollupMu.Unlock()
	s.chunk, s.afterChunk = n, after
}

// SetRollupPart makes a roll-up step on SQLite read n events at a time.
func SetRollupPart(s *Store, n int) {
	s.besideMu.Lock()
	defer s.besideMu.Unlock()
	s.part = n
}

// SetFeedBatch sets how many companies the period feed makes exact in its
// first step (0: as many as it sees fit), so that tests with few
// companies see it stop early.
func SetFeedBatch(s *Store, n int) { s.feedBatch = n }

// PeriodFeed answers q the way Feed does for periods that do not end
// today, whatever the period: the reference for the fast path.
func PeriodFeed(s *Store, ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	hidden, err := s.hiddenOf(ctx, q.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return s.periodFeed(ctx, q, hidden, dayOf(ms(q.From)), dayOf(ms(q.To)), s.now())
}

// Rebind writes q's ? placeholders in s's dialect, for the tests' own SQL.
func Rebind(s *Store, q string) string { return s.rebind(q) }

// RedoMigration undoes the migrations from version on and applies them
// again, as on a database that had the data but not the migration.
func RedoMigration(ctx context.Context, s *Store, version int64) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	if _, err := p.DownTo(ctx, version-1); err != nil {
		return err
	}
	// Undone migrations dropped tables whose rows the ingest cache may
	// name (orgs): the writer starts afresh, as after a restart.
	s.cache = newIngestCache(s.cache.limit)
	s.caughtUp.Store(false)
	_, err = p.Up(ctx)
	return err
}

// DaysFeed answers q the way Feed does for periods that do not end today,
// but by summing every company_days row of the period, as the feed did
// before company_totals, and each row's top source from company_sources:
// the reference for the running totals and the weeks of sources.
func DaysFeed(s *Store, ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	from, to := dayOf(ms(q.From)), dayOf(ms(q.To))
	hidden, err := s.hiddenOf(ctx, q.WorkspaceID)
	if err != nil {
		return nil, err
	}
	if err := s.hiddenCompanies(ctx, q.WorkspaceID, &hidden); err != nil {
		return nil, err
	}
	page, err := s.daysFeed(ctx, q, hidden, from, to, s.now())
	if err != nil {
		return nil, err
	}
	return page, daysTopSources(s, ctx, page, q.SiteID, from, to)
}

// SetFeedSums makes the period feed sum a period's days for the score
// order always (1), never (-1), or when it sees fit (0).
func SetFeedSums(s *Store, n int) { s.feedSums = n }

// TotalsDiff counts the rows of company_totals that are not the running
// sums of company_days, the company_days rows that have no such row, the
// rows of company_sites whose totals and last visit are not those of
// company_days, and the rows of company_source_weeks and company_sources
// whose sums per week differ.
func TotalsDiff(ctx context.Context, s *Store) (int, error) {
	const sums = `SELECT company_id, site_id, day, SUM(visits) OVER w, SUM(pageviews) OVER w, SUM(engaged_ms) OVER w, last_at
		FROM company_days WINDOW w AS (PARTITION BY company_id, site_id ORDER BY day ROWS UNBOUNDED PRECEDING)`
	const totals = `SELECT company_id, site_id, day, visits, pageviews, engaged_ms, last_at FROM company_totals`
	const pairSums = `SELECT company_id, site_id, SUM(visits), SUM(pageviews), SUM(engaged_ms), MAX(last_at)
		FROM company_days GROUP BY company_id, site_id`
	const pairs = `SELECT company_id, site_id, visits, pageviews, engaged_ms, last_at FROM company_sites`
	const weekSums = `SELECT company_id, (day + 3) / 7, site_id, source, SUM(visits), MAX(last_at) FROM company_sources
		GROUP BY company_id, (day + 3) / 7, site_id, source`
	const weeks = `SELECT company_id, week, site_id, source, visits, last_at FROM company_source_weeks`
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (`+sums+` EXCEPT `+totals+`) AS a)
		+ (SELECT COUNT(*) FROM (`+totals+` EXCEPT `+sums+`) AS b)
		+ (SELECT COUNT(*) FROM (`+pairSums+` EXCEPT `+pairs+`) AS c)
		+ (SELECT COUNT(*) FROM (`+pairs+` EXCEPT `+pairSums+`) AS d)
		+ (SELECT COUNT(*) FROM (`+weekSums+` EXCEPT `+weeks+`) AS e)
		+ (SELECT COUNT(*) FROM (`+weeks+` EXCEPT `+weekSums+`) AS f)`).Scan(&n)
	return n, err
}

// daysTopSources sets each row's TopSource from company_sources alone, as
// the feed did before company_source_weeks: the reference for them.
func daysTopSources(s *Store, ctx context.Context, page []foyer.FeedRow, siteID, from, to int64) error {
	if len(page) == 0 {
		return nil
	}
	byID := make(map[int64]*foyer.FeedRow, len(page))
	args := make([]any, 0, len(page)+4)
	for i := range page {
		byID[page[i].ID] = &page[i]
		args = append(args, page[i].ID)
	}
	args = append(args, from, to, siteID, siteID)
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.topSources */
		SELECT company_id, source, SUM(visits), MAX(last_at) FROM company_sources
		WHERE company_id IN (`+placeholders(len(page))+`) AND day >= ? AND day <= ? AND (? = 0 OR site_id = ?)
		GROUP BY company_id, source`), args...)
	if err != nil {
		return fmt.Errorf("store: feed: top sources: %w", err)
	}
	return pickTopSources(rows, byID)
}

// IsUniqueViolation is isUniqueViolation, for the tests.
func IsUniqueViolation(err error) bool { return isUniqueViolation(err) }

// Exec runs a statement (in the ? style) on the store's database, for the
// tests that write rows as an earlier version did.
func Exec(ctx context.Context, s *Store, q string, args ...any) error {
	_, err := s.db.ExecContext(ctx, s.rebind(q), args...)
	return err
}

// FillContacts stores n contacts of the workspace, made by mk(i), through
// the same path as CreateContact but many to a transaction: a benchmark's
// fixture.
func FillContacts(ctx context.Context, s *Store, n int, mk func(i int) *foyer.Contact) error {
	const perTx = 500 // on PostgreSQL, each history entry moves the head row: a longer transaction walks a longer chain of its versions
	for start := 0; start < n; start += perTx {
		err := s.inTx(ctx, "fill contacts", func(tx *sql.Tx) error {
			for i := start; i < min(start+perTx, n); i++ {
				c := mk(i)
				if err := checkContact(c); err != nil {
					return err
				}
				consent := c.Consent
				if err := s.createContact(ctx, tx, c, "fixture"); err != nil {
					return err
				}
				if consent.Status != foyer.ConsentUnanswered {
					if _, _, _, err := s.recordConsent(ctx, tx, c.WorkspaceID, c.ID, foyer.ConsentChange{Status: consent.Status,
						At: consent.At, Source: foyer.SourceImport, Actor: "fixture"}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// IngestPragma and MainPragma read a PRAGMA's value on a connection of the
// ingest pool or of the main pool (SQLite).
func IngestPragma(s *Store, name string) (int64, error) { return pragma(s.ingest, name) }
func MainPragma(s *Store, name string) (int64, error)   { return pragma(s.db, name) }

func pragma(db *sql.DB, name string) (int64, error) {
	var v int64
	err := db.QueryRow("PRAGMA " + name).Scan(&v)
	return v, err
}

// Checkpoint runs a TRUNCATE checkpoint apart from the store's own, and
// reports whether a reader kept it from finishing.
func Checkpoint(s *Store) (busy bool, err error) {
	busy, _, err = s.checkpoint(context.Background(), "TRUNCATE")
	return busy, err
}

// SetCheckpointing sets, for the stores opened next, how often they look
// for a log to copy into the database file, and the log's length in frames
// past which they hold the appends back to finish copying it; the function
// it returns puts the defaults back. Not for parallel tests.
func SetCheckpointing(every time.Duration, frames int) (restore func()) {
	e, f := checkpointEvery, finishFrames
	checkpointEvery, finishFrames = every, frames
	return func() { checkpointEvery, finishFrames = e, f }
}

// FailFlushes makes every flush of the log (SyncAppends) fail with err
// instead of reaching the disk, as a disk that lost the pages would; nil
// flushes for real again.
func FailFlushes(s *Store, err error) {
	s.wal.mu.Lock()
	defer s.wal.mu.Unlock()
	s.wal.flush = nil
	if err != nil {
		s.wal.flush = func(*os.File) error { return err }
	}
}

// SetRollupRest sets how long a roll-up step on SQLite rests after each
// part of its work, in times that part took (0: not at all).
func SetRollupRest(s *Store, n int) {
	s.besideMu.Lock()
	defer s.besideMu.Unlock()
	s.restFactor = n
}
