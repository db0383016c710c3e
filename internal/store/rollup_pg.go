package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
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
		t, err := s.beginIngest(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		return t, func() error { return nil }, func() { t.tx.Rollback() }, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	pc, err := pgxConn(conn)
	if err != nil {
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

// pgArrays turns rows of int64 and string columns into one array per
// column, and returns the unnest call that reads them back as rows, with
// its columns named column1…, as VALUES names them: a statement over it
// has one text whatever its number of rows, which pgx prepares once per
// connection. ok is false for a column of another type.
func pgArrays(rows [][]any) (call string, arrays []any, ok bool) {
	cols := len(rows[0])
	casts := make([]string, cols)
	names := make([]string, cols)
	arrays = make([]any, cols)
	for c := range cols {
		names[c] = fmt.Sprintf("column%d", c+1)
		switch rows[0][c].(type) {
		case int64:
			a := make([]int64, len(rows))
			for i, r := range rows {
				v, isInt := r[c].(int64)
				if !isInt {
					return "", nil, false
				}
				a[i] = v
			}
			arrays[c], casts[c] = a, "CAST(? AS BIGINT[])"
		case string:
			a := make([]string, len(rows))
			for i, r := range rows {
				v, isStr := r[c].(string)
				if !isStr {
					return "", nil, false
				}
				a[i] = v
			}
			arrays[c], casts[c] = a, "CAST(? AS TEXT[])"
		default:
			return "", nil, false
		}
	}
	return "unnest(" + strings.Join(casts, ", ") + ") AS v(" + strings.Join(names, ", ") + ")", arrays, true
}

// applyRollupPG is applyRollup's one statement for every visit, in the
// roll-up's batch.
func (s *Store) applyRollupPG(ctx context.Context, t *txStmts, ids []int64, visits map[int64]*visitRollup) error {
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		v := visits[id]
		rows = append(rows, []any{id, v.lastAt, v.pageviews, v.engaged, v.nevents, v.first, v.last})
	}
	call, arrays, _ := pgArrays(rows)
	if _, err := s.exec(ctx, t, `/* Store.applyRollup */ UPDATE sessions SET
			last_at = CASE WHEN sessions.last_at > v.column2 THEN sessions.last_at ELSE v.column2 END,
			pageviews = sessions.pageviews + v.column3, engaged_ms = sessions.engaged_ms + v.column4,
			events = sessions.events + v.column5,
			first_event_id = COALESCE(sessions.first_event_id, v.column6), last_event_id = v.column7
		FROM `+call+` WHERE sessions.id = v.column1 AND COALESCE(sessions.last_event_id, 0) < v.column7`, arrays...); err != nil {
		return fmt.Errorf("update visits: %w", err)
	}
	return nil
}

// applyTotalsPG is applyTotals' two statements for every range, in the
// roll-up's batch: the rows of the ranges' first days, from the totals
// before them, then the sums added to every day of each range.
func (s *Store) applyTotalsPG(ctx context.Context, t *txStmts, ranges []totalsRange) error {
	first := make([][]any, 0, len(ranges))
	sums := make([][]any, 0, len(ranges))
	for _, r := range ranges {
		first = append(first, []any{r.company, r.site, r.from, r.lastAt})
		sums = append(sums, []any{r.company, r.site, r.from, r.until, r.visits, r.pageviews, r.engaged, r.lastAt})
	}
	call, arrays, _ := pgArrays(first)
	if _, err := s.exec(ctx, t, `/* Store.applyTotals */
		INSERT INTO company_totals (company_id, site_id, day, visits, pageviews, engaged_ms, last_at)
		SELECT v.column1, v.column2, v.column3, COALESCE(p.visits, 0), COALESCE(p.pageviews, 0), COALESCE(p.engaged_ms, 0), v.column4
		FROM `+call+`
		LEFT JOIN LATERAL (SELECT visits, pageviews, engaged_ms FROM company_totals t
			WHERE t.company_id = v.column1 AND t.site_id = v.column2 AND t.day < v.column3
			ORDER BY t.day DESC LIMIT 1) AS p ON true
		ON CONFLICT (company_id, site_id, day) DO NOTHING`, arrays...); err != nil {
		return fmt.Errorf("company totals: %w", err)
	}
	call, arrays, _ = pgArrays(sums)
	if _, err := s.exec(ctx, t, `/* Store.applyTotals */
		UPDATE company_totals t SET visits = t.visits + v.column5, pageviews = t.pageviews + v.column6,
			engaged_ms = t.engaged_ms + v.column7,
			last_at = CASE WHEN t.day = v.column3 AND t.last_at < v.column8 THEN v.column8 ELSE t.last_at END
		FROM `+call+`
		WHERE t.company_id = v.column1 AND t.site_id = v.column2 AND t.day >= v.column3 AND t.day < v.column4`, arrays...); err != nil {
		return fmt.Errorf("company totals: %w", err)
	}
	return nil
}
