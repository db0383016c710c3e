package store_test

// The schema's contract: what the migrations make of an empty database, in
// each dialect, written out as a catalogue and kept in
// testdata/schema.DIALECT.golden. A change to a migration that changes the
// schema changes the catalogue and fails the test, until the golden file is
// written again with
//
//	go test ./internal/store/ -run TestSchemaCatalogue -update
//
// and the change to it is reviewed like any other.

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

var update = flag.Bool("update", false, "write the golden files under testdata/ anew")

// TestSchemaCatalogue migrates an empty database and compares its
// catalogue with the golden file of its dialect.
func TestSchemaCatalogue(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		checkGolden(t, "schema."+string(d)+".golden", catalogue(t, s))
	})
}

// TestMigrationsDownUp undoes every migration of a migrated database,
// which must leave no table behind, and applies them again, which must
// give the same catalogue as the first time.
func TestMigrationsDownUp(t *testing.T) {
	if *update {
		t.Skip("with -update, TestSchemaCatalogue writes the golden files")
	}
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		if err := store.MigrateDown(ctx, s, 0); err != nil {
			t.Fatalf("down: %v", err)
		}
		if got := catalogue(t, s); got != "" {
			t.Fatalf("after every Down, the database still has\n%s", got)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		checkGolden(t, "schema."+string(d)+".golden", catalogue(t, s))
	})
}

// checkGolden compares got with testdata/name, or writes it there with
// -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (write it with -update)", err)
	}
	if got == string(want) {
		return
	}
	g, w := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		gl, wl := "(end)", "(end)"
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Fatalf("catalogue differs from %s at line %d:\n got: %s\nwant: %s", path, i+1, gl, wl)
		}
	}
}

// A catTable is one table of a catalogue: each list holds lines in the
// order the catalogue prints them.
type catTable struct {
	name    string
	kind    string   // table, view …
	options string   // how it is stored, when not the default
	columns []string // in the table's order
	keys    []string // constraints: primary and foreign keys, unique, check
	indexes []string
	rows    []string // the rows an empty database starts with
}

// catalogue describes the tables of s's database other than goose's and
// the engine's own: each table's columns (type, nullability, default), its
// constraints, its indexes and the rows the migrations put in it.
func catalogue(t *testing.T, s *store.Store) string {
	t.Helper()
	ctx := context.Background()
	var tables []*catTable
	var err error
	if s.Dialect() == store.SQLite {
		tables, err = sqliteCatalogue(ctx, s.DB())
	} else {
		tables, err = postgresCatalogue(ctx, s.DB())
	}
	if err == nil {
		for _, tb := range tables {
			if tb.rows, err = dumpRows(ctx, s.DB(), tb.name); err != nil {
				break
			}
		}
	}
	if err != nil {
		t.Fatalf("catalogue: %v", err)
	}
	slices.SortFunc(tables, func(a, b *catTable) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for _, tb := range tables {
		fmt.Fprintf(&b, "%s %s%s\n", tb.kind, tb.name, tb.options)
		for _, l := range tb.columns {
			fmt.Fprintf(&b, "\tcolumn %s\n", l)
		}
		for _, list := range [][]string{tb.keys, tb.indexes, tb.rows} {
			slices.Sort(list)
			for _, l := range list {
				fmt.Fprintf(&b, "\t%s\n", l)
			}
		}
	}
	return b.String()
}

// sqliteCatalogue reads the catalogue from SQLite's pragmas. CHECK
// constraints and the WHERE of partial indexes are only in the SQL text
// that sqlite_master keeps; they are cut out of it.
func sqliteCatalogue(ctx context.Context, db *sql.DB) ([]*catTable, error) {
	var tables []*catTable
	err := eachRow(ctx, db, `SELECT t.name, t.type, t.wr, t.strict, m.sql FROM pragma_table_list t
		JOIN sqlite_master m ON m.name = t.name
		WHERE t.schema = 'main' AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND t.name NOT LIKE 'goose\_%' ESCAPE '\'`,
		nil, func(r *sql.Rows) error {
			tb := &catTable{}
			var text string
			var wr, strict bool
			if err := r.Scan(&tb.name, &tb.kind, &wr, &strict, &text); err != nil {
				return err
			}
			if wr {
				tb.options += " without rowid"
			}
			if strict {
				tb.options += " strict"
			}
			for _, c := range sqlChecks(text) {
				tb.keys = append(tb.keys, "check "+c)
			}
			tables = append(tables, tb)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, tb := range tables {
		err := eachRow(ctx, db, `SELECT name, type, "notnull", COALESCE(dflt_value, 'NULL'), pk FROM pragma_table_info(?) ORDER BY cid`,
			[]any{tb.name}, func(r *sql.Rows) error {
				var name, typ, dflt string
				var notNull bool
				var pk int
				if err := r.Scan(&name, &typ, &notNull, &dflt, &pk); err != nil {
					return err
				}
				tb.columns = append(tb.columns, fmt.Sprintf("%s %s%s default %s", name, typ, notNullText(notNull), dflt))
				if pk > 0 {
					tb.keys = append(tb.keys, fmt.Sprintf("primary key %d: %s", pk, name))
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
		fks := map[int]*[4]string{} // by id: from, table, to, actions
		err = eachRow(ctx, db, `SELECT id, "table", "from", COALESCE("to", ''), on_update, on_delete, "match" FROM pragma_foreign_key_list(?) ORDER BY id, seq`,
			[]any{tb.name}, func(r *sql.Rows) error {
				var id int
				var table, from, to, onUpdate, onDelete, match string
				if err := r.Scan(&id, &table, &from, &to, &onUpdate, &onDelete, &match); err != nil {
					return err
				}
				fk := fks[id]
				if fk == nil {
					fk = &[4]string{"", table, "", fmt.Sprintf("on update %s on delete %s match %s", onUpdate, onDelete, match)}
					fks[id] = fk
				}
				fk[0] = strings.TrimPrefix(fk[0]+", "+from, ", ")
				fk[2] = strings.TrimPrefix(fk[2]+", "+to, ", ")
				return nil
			})
		if err != nil {
			return nil, err
		}
		for _, fk := range fks {
			tb.keys = append(tb.keys, fmt.Sprintf("foreign key (%s) references %s(%s) %s", fk[0], fk[1], fk[2], fk[3]))
		}
		if tb.indexes, err = sqliteIndexes(ctx, db, tb.name); err != nil {
			return nil, err
		}
	}
	return tables, nil
}

// sqliteIndexes describes the indexes of a SQLite table: name, origin
// (c: CREATE INDEX, u: UNIQUE, pk: PRIMARY KEY), the key's columns and the
// WHERE of a partial index.
func sqliteIndexes(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	type index struct {
		name, origin, text string
		unique, partial    bool
	}
	var idx []index
	err := eachRow(ctx, db, `SELECT l.name, l."unique", l.origin, l.partial, COALESCE(m.sql, '')
		FROM pragma_index_list(?) l LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name`,
		[]any{table}, func(r *sql.Rows) error {
			var i index
			if err := r.Scan(&i.name, &i.unique, &i.origin, &i.partial, &i.text); err != nil {
				return err
			}
			idx = append(idx, i)
			return nil
		})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, i := range idx {
		var cols []string
		err := eachRow(ctx, db, `SELECT COALESCE(name, '<expr>'), "desc", coll FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`,
			[]any{i.name}, func(r *sql.Rows) error {
				var name, coll string
				var desc bool
				if err := r.Scan(&name, &desc, &coll); err != nil {
					return err
				}
				if desc {
					name += " DESC"
				}
				if coll != "BINARY" {
					name += " COLLATE " + coll
				}
				cols = append(cols, name)
				return nil
			})
		if err != nil {
			return nil, err
		}
		l := fmt.Sprintf("index %s (%s) origin %s", i.name, strings.Join(cols, ", "), i.origin)
		if i.unique {
			l += " unique"
		}
		if i.partial {
			text := normalSQL(i.text)
			w := strings.LastIndex(strings.ToUpper(text), " WHERE ")
			if w < 0 {
				return nil, fmt.Errorf("partial index %s: no WHERE in %q", i.name, text)
			}
			l += " where " + text[w+len(" WHERE "):]
		}
		out = append(out, l)
	}
	return out, nil
}

// postgresCatalogue reads the catalogue of the connection's current schema
// from pg_catalog, with the schema's name taken out of the definitions.
func postgresCatalogue(ctx context.Context, db *sql.DB) ([]*catTable, error) {
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, err
	}
	unqualify := strings.NewReplacer(schema+".", "", `"`+schema+`".`, "")
	var tables []*catTable
	oids := map[*catTable]int64{}
	err := eachRow(ctx, db, `SELECT c.oid, c.relname, c.relkind, c.relpersistence, COALESCE(array_to_string(c.reloptions, ','), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relname NOT LIKE 'goose\_%'
			AND NOT c.relispartition`,
		[]any{schema}, func(r *sql.Rows) error {
			tb := &catTable{}
			var oid int64
			var persistence, options string
			if err := r.Scan(&oid, &tb.name, &tb.kind, &persistence, &options); err != nil {
				return err
			}
			tb.kind = map[string]string{"r": "table", "p": "partitioned table", "v": "view", "m": "materialized view", "f": "foreign table"}[tb.kind]
			if persistence != "p" {
				tb.options += " persistence " + persistence
			}
			if options != "" {
				tb.options += " with " + options
			}
			oids[tb] = oid
			tables = append(tables, tb)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for _, tb := range tables {
		oid := oids[tb]
		err := eachRow(ctx, db, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
				COALESCE(pg_get_expr(d.adbin, d.adrelid), 'NULL'), a.attidentity::text, a.attgenerated::text
			FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
			WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
			[]any{oid}, func(r *sql.Rows) error {
				var name, typ, dflt, identity, generated string
				var notNull bool
				if err := r.Scan(&name, &typ, &notNull, &dflt, &identity, &generated); err != nil {
					return err
				}
				l := fmt.Sprintf("%s %s%s default %s", name, typ, notNullText(notNull), unqualify.Replace(dflt))
				switch identity {
				case "a":
					l += " generated always as identity"
				case "d":
					l += " generated by default as identity"
				}
				if generated != "" {
					l += " generated " + generated
				}
				tb.columns = append(tb.columns, l)
				return nil
			})
		if err != nil {
			return nil, err
		}
		err = eachRow(ctx, db, `SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1
			UNION ALL SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = $2 AND tablename = $3`,
			[]any{oid, schema, tb.name}, func(r *sql.Rows) error {
				var what, name, def string
				if err := r.Scan(&what, &name, &def); err != nil {
					return err
				}
				l := fmt.Sprintf("%s %s %s", what, name, unqualify.Replace(def))
				if what == "index" {
					tb.indexes = append(tb.indexes, l)
				} else {
					tb.keys = append(tb.keys, l)
				}
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return tables, nil
}

// dumpRows returns the rows of table, one line each.
func dumpRows(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		l := "row"
		for _, v := range vals {
			switch v := v.(type) {
			case nil:
				l += " NULL"
			case []byte:
				l += fmt.Sprintf(" x'%x'", v)
			case string:
				l += fmt.Sprintf(" %q", v)
			default:
				l += fmt.Sprintf(" %v", v)
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// eachRow runs query with args and calls fn for each row.
func eachRow(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", strings.Fields(query)[1], err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func notNullText(notNull bool) string {
	if notNull {
		return " not null"
	}
	return ""
}

// normalSQL returns SQL text without its comments, its white space folded
// to single spaces.
func normalSQL(text string) string {
	var b strings.Builder
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\'':
			inString = !inString
		case !inString && c == '-' && strings.HasPrefix(text[i:], "--"):
			for i < len(text) && text[i] != '\n' {
				i++
			}
			c = ' '
		}
		b.WriteByte(c)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// sqlChecks returns the expressions of the CHECK constraints in the SQL
// text of a CREATE TABLE statement, in their order there.
func sqlChecks(text string) []string {
	text = normalSQL(text)
	upper := strings.ToUpper(text)
	var out []string
	for i := 0; ; {
		j := strings.Index(upper[i:], "CHECK")
		if j < 0 {
			return out
		}
		i += j + len("CHECK")
		if before := i - len("CHECK") - 1; before >= 0 && isIdentByte(text[before]) {
			continue
		}
		rest := strings.TrimLeft(text[i:], " ")
		if !strings.HasPrefix(rest, "(") {
			continue
		}
		depth, inString := 0, false
		for k := 0; k < len(rest); k++ {
			switch c := rest[k]; {
			case c == '\'':
				inString = !inString
			case inString:
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth == 0 {
					out = append(out, rest[:k+1])
					i = len(text) - len(rest) + k + 1
					k = len(rest)
				}
			}
		}
	}
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
