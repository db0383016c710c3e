package backup

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// inspect reads the schema version (goose's: the last applied migration)
// and every table's row count of db; on PostgreSQL, of the tables in
// schema.
func inspect(ctx context.Context, db querier, dialect, schema string) (int64, map[string]int64, error) {
	q := `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	args := []any{}
	if dialect == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`
		args = append(args, schema)
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return 0, nil, fmt.Errorf("backup: list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, nil, fmt.Errorf("backup: list tables: %w", err)
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("backup: list tables: %w", err)
	}
	counts := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+quoteIdent(schema, t)).Scan(&n); err != nil {
			return 0, nil, fmt.Errorf("backup: count %s: %w", t, err)
		}
		counts[t] = n
	}
	var v int64
	if _, ok := counts["goose_db_version"]; ok {
		if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM "+quoteIdent(schema, "goose_db_version")+
			" WHERE is_applied").Scan(&v); err != nil {
			return 0, nil, fmt.Errorf("backup: schema version: %w", err)
		}
	}
	return v, counts, nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// quoteIdent quotes a table name, qualified by schema unless "".
func quoteIdent(schema, name string) string {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	if schema == "" {
		return q(name)
	}
	return q(schema) + "." + q(name)
}
