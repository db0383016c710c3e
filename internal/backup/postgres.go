package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"strings"

	"github.com/foyerhq/foyer"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// errNoClient says that PostgreSQL's client programs are missing.
var errNoClient = foyer.Errorf(foyer.EINVALID, "PostgreSQL backups need pg_dump and pg_restore (Debian's postgresql-client), not found in PATH")

// libpqURI returns the DSN as pg_dump and pg_restore read it (without
// pgx's search_path parameter, which libpq refuses), and the schema that
// search_path names ("" when none).
func libpqURI(dsn string) (string, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", foyer.Errorf(foyer.EINVALID, "database: not a postgres:// URL")
	}
	q := u.Query()
	schema, _, _ := strings.Cut(q.Get("search_path"), ",")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), strings.TrimSpace(schema), nil
}

// withDatabase returns dsn naming database name instead of its own.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}

// withSearchPath returns dsn with search_path set to schema.
func withSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// runPG runs a PostgreSQL client program, its error carrying what it said.
func runPG(cmd *exec.Cmd) error {
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = msg[:2000] + "…"
		}
		return fmt.Errorf("%s: %w: %s", cmd.Args[0], err, msg)
	}
	return nil
}

// dumpPostgres dumps the DSN's schema with pg_dump -Fc into w, in the
// snapshot of a repeatable-read transaction that also reads the schema
// version and row counts into m: the counts are those of the dump, however
// busy the database.
func dumpPostgres(ctx context.Context, dsn string, m *Manifest, w io.Writer) error {
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		return errNoClient
	}
	uri, _, err := libpqURI(dsn)
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("backup: begin: %w", err)
	}
	defer tx.Rollback()
	var snapshot string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot(), current_schema()").Scan(&snapshot, &m.Schema); err != nil {
		return fmt.Errorf("backup: export a snapshot: %w", err)
	}
	if m.SchemaVersion, m.Tables, err = inspect(ctx, tx, "postgres", m.Schema); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, pgDump, "--format=custom", "--snapshot="+snapshot,
		"--schema="+quoteIdent("", m.Schema), "--dbname="+uri)
	cmd.Stdout = w
	if err := runPG(cmd); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// pgRestore restores the backup at path into the database of uri (a libpq
// URI) with pg_restore, in one transaction, after dropping schema there.
func pgRestore(ctx context.Context, db *sql.DB, uri, path string, key []byte, m *Manifest) error {
	pgRestore, err := exec.LookPath("pg_restore")
	if err != nil {
		return errNoClient
	}
	// The dump creates its schema (public too).
	if _, err := db.ExecContext(ctx, "DROP SCHEMA IF EXISTS "+quoteIdent("", m.Schema)+" CASCADE"); err != nil {
		return fmt.Errorf("drop schema %s: %w", m.Schema, err)
	}
	pr, pw := io.Pipe()
	cmd := exec.CommandContext(ctx, pgRestore, "--single-transaction", "--exit-on-error", "--no-owner", "--dbname="+uri)
	cmd.Stdin = pr
	done := make(chan error, 1)
	go func() {
		got, err := decryptTo(path, key, pw)
		if err == nil && got.SHA256 != m.SHA256 {
			err = fmt.Errorf("%w: two manifests", ErrCorrupt)
		}
		pw.CloseWithError(err)
		done <- err
	}()
	rerr := runPG(cmd)
	pr.CloseWithError(errors.New("pg_restore ended"))
	if derr := <-done; derr != nil {
		return derr // the cause, rather than pg_restore's view of the cut input
	}
	return rerr
}

// verifyPostgres restores the backup into a scratch database on the server
// of dsn, checks it and drops it.
func verifyPostgres(ctx context.Context, path string, key []byte, dsn string, m *Manifest) error {
	if dsn == "" {
		return foyer.Errorf(foyer.EINVALID, "verifying a PostgreSQL backup needs a PostgreSQL server (--db) to restore it into")
	}
	if _, err := exec.LookPath("pg_restore"); err != nil {
		return errNoClient
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "foyer_verify_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return fmt.Errorf("create the scratch database: %w", err)
	}
	defer admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	uri, _, err := libpqURI(withDatabase(dsn, name))
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", withSearchPath(uri, m.Schema))
	if err != nil {
		return err
	}
	defer db.Close()
	if err := pgRestore(ctx, db, uri, path, key, m); err != nil {
		return err
	}
	return checkDB(ctx, db, "postgres", m.Schema, m)
}

// restorePostgres restores the backup into the schema of dsn (its
// search_path, else public), which must be the schema the backup holds.
func restorePostgres(ctx context.Context, path, dsn string, key []byte, force bool, m *Manifest, ledger []foyer.Erasure) error {
	uri, schema, err := libpqURI(dsn)
	if err != nil {
		return err
	}
	if schema == "" {
		schema = "public"
	}
	if schema != m.Schema {
		return foyer.Errorf(foyer.EINVALID, "backup %s holds schema %q: name it in the database URL (search_path=%s)", path, m.Schema, m.Schema)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1", schema).Scan(&n); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if n > 0 && !force {
		return foyer.Errorf(foyer.ECONFLICT, "schema %s of the database holds %d tables: restore replaces them only with --force (stop foyer serve first)", schema, n)
	}
	// Read the whole backup once before anything is dropped.
	if _, err := decryptTo(path, key, io.Discard); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	if err := pgRestore(ctx, db, uri, path, key, m); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	if err := checkDB(ctx, db, "postgres", schema, m); err != nil {
		return fmt.Errorf("backup %s: %w", path, err)
	}
	if err := replayErasures(ctx, dsn, ledger); err != nil {
		return fmt.Errorf("backup: replay the erasure ledger: %w", err)
	}
	return nil
}
