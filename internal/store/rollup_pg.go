package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// On PostgreSQL the roll-up's writes, a statement or a few per table (many
// rows each: UPDATE … FROM (VALUES …), INSERT … VALUES … ON CONFLICT,
// unnest arrays), go in one pgx batch, one round trip, instead of one
// round trip each: the roll-up is then BEGIN, the mark, the read of the
// events, the batch and COMMIT, whatever it folds. On SQLite, where a
// statement costs no round trip, nothing changes.

// beginRollup begins the roll-up's transaction. On PostgreSQL it runs on
// a connection of the store's own, so that flush can send the writes
// batchWrites collects through that connection's pgx connection; on
// SQLite flush does nothing. end rolls back what was not committed and
// gives the connection back.
func (s *Store) beginRollup(ctx context.Context) (t *txStmts, flush func() error, end func(), err error) {
	if s.dialect != Postgres {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return nil, nil, nil, err
		}
		return &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}}, func() error { return nil }, func() { tx.Rollback() }, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	var pc *pgx.Conn
	if err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection %T is not pgx's", dc)
		}
		pc = c.Conn()
		return nil
	}); err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, nil, nil, err
	}
	t = &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}}
	flush = func() error {
		if t.batch == nil || t.batch.Len() == 0 {
			return nil
		}
		b := t.batch
		t.batch = nil
		// Between two calls of tx, on its connection: pgx's own statement
		// cache prepares each text once per connection.
		return pc.SendBatch(ctx, b).Close()
	}
	end = func() {
		tx.Rollback()
		conn.Close()
	}
	return t, flush, end, nil
}

// batchWrites makes exec collect the statements of t for flush, on
// PostgreSQL.
func (s *Store) batchWrites(t *txStmts) {
	if s.dialect == Postgres {
		t.batch = &pgx.Batch{}
	}
}

// applyEventMarkPG is applyEventMark as one statement: the latest time
// read so far is the greater of the run's and the last mark's.
func (s *Store) applyEventMarkPG(ctx context.Context, t *txStmts, last, latest int64) error {
	if _, err := s.exec(ctx, t, `/* Store.applyEventMark */
		INSERT INTO event_marks (minute, event_id, max_ts)
		SELECT l / 60000, CAST(? AS BIGINT), l
		FROM (SELECT GREATEST(CAST(? AS BIGINT), COALESCE((SELECT max_ts FROM event_marks ORDER BY minute DESC LIMIT 1), 0)) AS l) AS x
		ON CONFLICT (minute) DO UPDATE SET event_id = excluded.event_id, max_ts = excluded.max_ts`, last, latest); err != nil {
		return fmt.Errorf("event mark: %w", err)
	}
	return nil
}

// applyLastPG moves the companies' last visit forward in one statement.
func (s *Store) applyLastPG(ctx context.Context, t *txStmts, perCompany map[int64]int64) error {
	ids := slices.Sorted(maps.Keys(perCompany))
	at := make([]int64, len(ids))
	for i, id := range ids {
		at[i] = perCompany[id]
	}
	if _, err := s.exec(ctx, t, `/* Store.applyLast */
		UPDATE companies SET last_at = v.at FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS v(id, at)
		WHERE companies.id = v.id AND companies.last_at < v.at`, ids, at); err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	return nil
}
