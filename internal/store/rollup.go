package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/foyerhq/foyer"
)

// The roll-up keeps what is derived from events (today a visit's counters,
// its last activity and its event range) off the acknowledged write path.
// Append only inserts, at the end of the events table and its index; the
// roll-up later reads the new events in ID order and folds them into their
// visits, many events to a statement and many visits to a transaction.
// Updating a visit row per committed batch instead would touch a page of
// the sessions table for nearly every event.
//
// The roll-up's mark (the last event ID it has read) is updated in the same
// transaction as the counters, so each event is counted exactly once, across
// crashes and across processes. IDs are in commit order because one writer
// appends at a time (ingestMu within a process; one serving process per
// database).

// visitRollup is what a run of the roll-up adds to one visit.
type visitRollup struct {
	first, last                 int64 // event IDs
	lastAt                      int64
	pageviews, engaged, nevents int64
}

// catchUpStep is how many events one transaction of RollupAll folds.
const catchUpStep = 8192

// Rollup folds up to limit events that no roll-up has read yet into their
// visits, oldest first, in one transaction. It returns how many it folded:
// fewer than limit means the roll-up is current.
func (s *Store) Rollup(ctx context.Context, limit int) (int, error) {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	return s.rollup(ctx, limit)
}

// Unrolled estimates how many events this store has appended that no roll-up
// has read: the collector's writer uses it to schedule Rollup.
func (s *Store) Unrolled() int64 { return s.unrolled.Load() }

// RollupAll rolls up until current, in transactions of catchUpStep events,
// and returns how many events it folded.
func (s *Store) RollupAll(ctx context.Context) (int, error) {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	return s.rollupAll(ctx)
}

// rollupAll is RollupAll with ingestMu held.
func (s *Store) rollupAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.rollup(ctx, catchUpStep)
		total += n
		if err != nil || n < catchUpStep {
			return total, err
		}
	}
}

// rollup is Rollup with ingestMu held.
func (s *Store) rollup(ctx context.Context, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: rollup: begin: %w", err)
	}
	defer tx.Rollback()
	t := &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}}

	// On SQLite the transaction already holds the write lock (_txlock=immediate);
	// on PostgreSQL the row lock serialises roll-ups of several processes.
	q := `/* Store.rollup */ SELECT last_event_id FROM rollup_marks WHERE name = 'sessions'`
	if s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var mark int64
	if err := s.queryRow(ctx, t, q).Scan(&mark); err != nil {
		return 0, fmt.Errorf("store: rollup: mark: %w", err)
	}
	visits, last, n, err := s.readRollup(ctx, t, mark, limit)
	if err != nil {
		return 0, fmt.Errorf("store: rollup: %w", err)
	}
	if n == 0 {
		s.current()
		return 0, nil
	}
	if err := s.applyRollup(ctx, t, visits); err != nil {
		return 0, fmt.Errorf("store: rollup: %w", err)
	}
	st, err := s.stmt(ctx, t, `/* Store.rollup */ UPDATE rollup_marks SET last_event_id = ? WHERE name = 'sessions'`)
	if err == nil {
		_, err = st.ExecContext(ctx, last)
	}
	if err != nil {
		return 0, fmt.Errorf("store: rollup: mark: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: rollup: commit: %w", err)
	}
	if n < limit {
		s.current()
	} else {
		s.unrolled.Store(max(0, s.unrolled.Load()-int64(n)))
	}
	return n, nil
}

// current records that the roll-up has read every stored event: as only
// this store appends (under ingestMu, which the caller holds), the database
// now answers for every visit the ingest cache does not hold.
func (s *Store) current() {
	s.caughtUp = true
	s.unrolled.Store(0)
}

// readRollup reads up to limit events after mark and sums them by visit.
// It returns the sums, the last event ID read and how many were read.
func (s *Store) readRollup(ctx context.Context, t *txStmts, mark int64, limit int) (map[int64]*visitRollup, int64, int, error) {
	st, err := s.stmt(ctx, t, `/* Store.readRollup */
		SELECT id, session_id, ts, kind, COALESCE(engaged_ms, 0) FROM events
		WHERE id > ? ORDER BY id LIMIT ?`)
	if err != nil {
		return nil, 0, 0, err
	}
	rows, err := st.QueryContext(ctx, mark, limit)
	if err != nil {
		return nil, 0, 0, err
	}
	defer rows.Close()
	visits := map[int64]*visitRollup{}
	last, n := mark, 0
	for rows.Next() {
		var id, sid, ts, kind, engaged int64
		if err := rows.Scan(&id, &sid, &ts, &kind, &engaged); err != nil {
			return nil, 0, 0, err
		}
		v := visits[sid]
		if v == nil {
			v = &visitRollup{first: id}
			visits[sid] = v
		}
		v.last = id
		v.lastAt = max(v.lastAt, ts)
		v.nevents++
		v.engaged += engaged
		if kind == int64(foyer.KindPageview) {
			v.pageviews++
		}
		last, n = id, n+1
	}
	return visits, last, n, rows.Err()
}

// sessionChunk is how many visits one UPDATE statement carries on PostgreSQL.
const sessionChunk = 128

// applyRollup adds the sums to their visits, in visit ID order. On
// PostgreSQL, where each statement is a round trip, many visits go in one
// UPDATE … FROM (VALUES …). On SQLite, where a statement costs no round
// trip but a multi-row UPDATE needs a statement journal, one kept
// single-row UPDATE runs per visit.
func (s *Store) applyRollup(ctx context.Context, t *txStmts, visits map[int64]*visitRollup) error {
	ids := make([]int64, 0, len(visits))
	for id := range visits {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if s.dialect == SQLite {
		st, err := s.stmt(ctx, t, `/* Store.applyRollup */
			UPDATE sessions SET last_at = CASE WHEN last_at > ? THEN last_at ELSE ? END,
				pageviews = pageviews + ?, engaged_ms = engaged_ms + ?, events = events + ?,
				first_event_id = COALESCE(first_event_id, ?), last_event_id = ?
			WHERE id = ?`)
		if err != nil {
			return fmt.Errorf("update visits: %w", err)
		}
		for _, id := range ids {
			v := visits[id]
			if _, err := st.ExecContext(ctx, v.lastAt, v.lastAt, v.pageviews, v.engaged, v.nevents,
				v.first, v.last, id); err != nil {
				return fmt.Errorf("update visits: %w", err)
			}
		}
		return nil
	}
	for len(ids) > 0 {
		n := min(len(ids), sessionChunk)
		var q strings.Builder
		// VALUES columns are named column1…; the casts of the first row type them.
		q.WriteString(`/* Store.applyRollup */ UPDATE sessions SET
			last_at = CASE WHEN sessions.last_at > v.column2 THEN sessions.last_at ELSE v.column2 END,
			pageviews = sessions.pageviews + v.column3, engaged_ms = sessions.engaged_ms + v.column4,
			events = sessions.events + v.column5,
			first_event_id = COALESCE(sessions.first_event_id, v.column6), last_event_id = v.column7
			FROM (VALUES `)
		args := make([]any, 0, n*7)
		for i, id := range ids[:n] {
			if i == 0 {
				q.WriteString("(" + strings.Repeat("CAST(? AS BIGINT),", 6) + "CAST(? AS BIGINT))")
			} else {
				q.WriteString(",(?,?,?,?,?,?,?)")
			}
			v := visits[id]
			args = append(args, id, v.lastAt, v.pageviews, v.engaged, v.nevents, v.first, v.last)
		}
		q.WriteString(") AS v WHERE sessions.id = v.column1")
		st, err := s.stmt(ctx, t, q.String())
		if err != nil {
			return fmt.Errorf("update visits: %w", err)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("update visits: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}
