package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// querier runs statements on the database or in a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// txStmts is a transaction with its handles on the store's kept statements.
// On PostgreSQL's set-wise append (ingest_pg.go) tx is nil and the
// transaction is the one pgx opened on conn, which queryRow and exec use.
type txStmts struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	conn  *sql.Conn
	// ingest says tx is on the store's ingest pool (SQLite), whose kept
	// statements are its own.
	ingest bool
	// batch, when not nil, takes the statements exec runs, to be sent in
	// one round trip (PostgreSQL's roll-up, rollup_pg.go); exec's result
	// is then nil.
	batch *pgx.Batch
}

// querier is the transaction's: tx, or conn when tx is nil.
func (a *txStmts) querier() querier {
	if a.tx == nil {
		return a.conn
	}
	return a.tx
}

// stmt returns the prepared statement for query q (with ? placeholders)
// within a's transaction. Statements are prepared once per store and kept:
// SQLite would otherwise parse every statement anew.
func (s *Store) stmt(ctx context.Context, a *txStmts, q string) (*sql.Stmt, error) {
	if st, ok := a.stmts[q]; ok {
		return st, nil
	}
	pool, kept := s.db, s.stmts
	if a.ingest {
		pool, kept = s.ingest, s.ingestStmts
	}
	s.stmtMu.Lock()
	st, ok := kept[q]
	if !ok {
		var err error
		if st, err = pool.PrepareContext(ctx, s.rebind(q)); err != nil {
			s.stmtMu.Unlock()
			return nil, err
		}
		kept[q] = st
	}
	s.stmtMu.Unlock()
	txst := a.tx.StmtContext(ctx, st)
	a.stmts[q] = txst
	return txst, nil
}

// queryRow runs a cached prepared query that returns one row.
func (s *Store) queryRow(ctx context.Context, a *txStmts, q string, args ...any) *sql.Row {
	if a.tx == nil {
		return a.conn.QueryRowContext(ctx, s.rebind(q), args...) // pgx keeps it prepared
	}
	st, err := s.stmt(ctx, a, q)
	if err != nil {
		// A Row can only carry its error through a query: let the
		// transaction report the preparation error the same way.
		return a.tx.QueryRowContext(ctx, s.rebind(q), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// readRow runs a hot read, outside any transaction, through a statement
// prepared once and kept (readStmts): parsing and planning it again would
// cost more than running it.
func (s *Store) readRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st, ok := s.readStmts.Load(q); ok {
		return st.(*sql.Stmt).QueryRowContext(ctx, args...)
	}
	db := s.db
	if s.lookups != nil {
		db = s.lookups
	}
	st, err := db.PrepareContext(ctx, s.rebind(q))
	if err != nil {
		return db.QueryRowContext(ctx, s.rebind(q), args...) // carries the error
	}
	if prev, loaded := s.readStmts.LoadOrStore(q, st); loaded {
		st.Close()
		st = prev.(*sql.Stmt)
	}
	return st.QueryRowContext(ctx, args...)
}

// cutUTF8 returns at most the first n bytes of s, cut where a rune
// starts, so that valid UTF-8 stays valid.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// exec runs a cached prepared statement.
func (s *Store) exec(ctx context.Context, a *txStmts, q string, args ...any) (sql.Result, error) {
	if a.batch != nil {
		a.batch.Queue(s.rebind(q), args...)
		return nil, nil
	}
	if a.tx == nil {
		return a.conn.ExecContext(ctx, s.rebind(q), args...)
	}
	st, err := s.stmt(ctx, a, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// insertID runs q, an INSERT of one row without a RETURNING clause (it
// may end in ON CONFLICT … DO NOTHING), in a's transaction and returns the
// new row's id; inserted is false when a conflict left the row out. On
// SQLite the id comes with the insert's result (the row's rowid), which
// costs well under what reading a RETURNING row through database/sql does
// (9 against 15 µs, 16 against 35 allocations, for the ingest's visitors);
// PostgreSQL returns it with RETURNING id. Not for a's pgx batch.
func (s *Store) insertID(ctx context.Context, a *txStmts, q string, args ...any) (id int64, inserted bool, err error) {
	if s.dialect == Postgres {
		err = s.queryRow(ctx, a, q+" RETURNING id", args...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return id, err == nil, err
	}
	res, err := s.exec(ctx, a, q, args...)
	if err != nil {
		return 0, false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return 0, false, err
	}
	id, err = res.LastInsertId()
	return id, err == nil, err
}

// rebind turns the ? placeholders of q into $1, $2 … for PostgreSQL.
func (s *Store) rebind(q string) string {
	if s.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns n comma-separated "?".
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// valuesRows returns n rows of VALUES with cols placeholders each, the
// first row's cast to BIGINT to type the columns on PostgreSQL.
func valuesRows(n, cols int) string {
	var b strings.Builder
	b.WriteString("(" + strings.TrimSuffix(strings.Repeat("CAST(? AS BIGINT),", cols), ",") + ")")
	b.WriteString(strings.Repeat(",("+placeholders(cols)+")", n-1))
	return b.String()
}

// rowChunk is how many rows one multi-row statement carries on PostgreSQL,
// where each statement is a round trip: the rows of upsertRows, the ranges
// of applyTotals, the visits of applyRollup.
const rowChunk = 128

// upsertRows writes rows with head + "(?,…)" + tail, an INSERT … VALUES …
// ON CONFLICT statement: on SQLite one kept single-row statement a row (no
// round trip, no statement journal), on PostgreSQL rowChunk rows a
// statement (one round trip each).
func (s *Store) upsertRows(ctx context.Context, t *txStmts, head, tail string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	one := "(" + placeholders(len(rows[0])) + ")"
	if s.dialect == SQLite {
		st, err := s.stmt(ctx, t, head+one+tail)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := st.ExecContext(ctx, r...); err != nil {
				return err
			}
		}
		return nil
	}
	if t.batch != nil && strings.HasSuffix(head, "VALUES ") {
		// The roll-up's batch: one statement of one text for all rows.
		if call, arrays, ok := pgArrays(rows); ok {
			_, err := s.exec(ctx, t, strings.TrimSuffix(head, "VALUES ")+"SELECT * FROM "+call+tail, arrays...)
			return err
		}
	}
	for chunk := range slices.Chunk(rows, rowChunk) {
		n := len(chunk)
		args := make([]any, 0, n*len(rows[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := s.exec(ctx, t, head+strings.TrimSuffix(strings.Repeat(one+",", n), ",")+tail, args...); err != nil {
			return err
		}
	}
	return nil
}

// pgUniqueViolation is PostgreSQL's SQLSTATE for a violated unique constraint.
const pgUniqueViolation = "23505"

// isUniqueViolation reports whether err is a unique-constraint violation in
// either dialect, by the drivers' error codes: SQLite's extended codes for
// a UNIQUE or PRIMARY KEY constraint, PostgreSQL's SQLSTATE 23505.
func isUniqueViolation(err error) bool {
	if se := (*sqlite.Error)(nil); errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) {
		return pe.Code == pgUniqueViolation
	}
	return false
}

// isLockTimeout reports whether err is PostgreSQL's lock_timeout expiring
// (SQLSTATE 55P03).
func isLockTimeout(err error) bool {
	pe := (*pgconn.PgError)(nil)
	return errors.As(err, &pe) && pe.Code == "55P03"
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// flag stores a bool as the integer 0 or 1, the same in both dialects.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// msPerDay is how many milliseconds a UTC day has: day d begins at Unix
// millisecond d*msPerDay.
const msPerDay = 24 * 60 * 60 * 1000

// dayOf is the UTC day of a Unix millisecond time.
func dayOf(ms int64) int64 { return ms / msPerDay }

// forUpdate is the clause that locks a row a transaction reads until it
// ends, on PostgreSQL; "" on SQLite, whose one writer needs none.
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}
