package backup

import (
	"compress/flate"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/foyerhq/foyer"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// openSQLite opens the SQLite file at path, which must exist.
func openSQLite(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("backup: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// dumpSQLite snapshots the live database at path with VACUUM INTO (one
// read transaction: consistent while others write), into a private
// directory under scratch, reads the snapshot's schema version and row
// counts into m, and writes the snapshot to w.
func dumpSQLite(ctx context.Context, path, scratch string, m *Manifest, w io.Writer) error {
	dir, err := os.MkdirTemp(scratch, ".snapshot-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(dir)
	snap := filepath.Join(dir, "snapshot.db")
	db, err := openSQLite(path)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", snap)
	db.Close()
	if err != nil {
		return fmt.Errorf("backup: snapshot %s: %w", path, err)
	}
	sdb, err := openSQLite(snap)
	if err != nil {
		return err
	}
	m.SchemaVersion, m.Tables, err = inspect(ctx, sdb, "sqlite", "")
	sdb.Close()
	if err != nil {
		return err
	}
	f, err := os.Open(snap)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	// A database file compresses several times over; PostgreSQL's custom
	// format is compressed already.
	m.Compression = "deflate"
	zw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := io.Copy(zw, f); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("backup: write: %w", err)
	}
	return nil
}

// checkSQLite runs the integrity check on the SQLite file at path, then
// compares its schema version and row counts with m.
func checkSQLite(ctx context.Context, path string, m *Manifest) error {
	db, err := openSQLite(path)
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check(1)").Scan(&res); err != nil {
		return fmt.Errorf("%w: integrity check: %v", ErrCorrupt, err)
	}
	if res != "ok" {
		return fmt.Errorf("%w: integrity check: %s", ErrCorrupt, res)
	}
	return checkDB(ctx, db, "sqlite", "", m)
}

// checkDB compares the schema version and row counts of db with m.
func checkDB(ctx context.Context, db *sql.DB, dialect, schema string, m *Manifest) error {
	v, counts, err := inspect(ctx, db, dialect, schema)
	if err != nil {
		return err
	}
	if v != m.SchemaVersion {
		return fmt.Errorf("%w: schema version %d, the manifest %d", errVerify, v, m.SchemaVersion)
	}
	if err := m.checkCounts(counts); err != nil {
		return fmt.Errorf("%w: %v", errVerify, err)
	}
	return nil
}

// verifySQLite decrypts the backup into a private scratch directory (in
// scratch, else beside the backup) and checks the database there.
func verifySQLite(ctx context.Context, path string, key []byte, scratch string, m *Manifest) error {
	if scratch == "" {
		scratch = filepath.Dir(path) // not a shared /tmp: the copy is the plain database
	}
	dir, err := os.MkdirTemp(scratch, "foyer-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db := filepath.Join(dir, "foyer.db")
	if err := decryptFile(path, key, db, m); err != nil {
		return err
	}
	return checkSQLite(ctx, db, m)
}

// decryptFile decrypts (and decompresses) the backup at path into a new
// file out, and checks that its manifest is m (the one read through the
// footer).
func decryptFile(path string, key []byte, out string, m *Manifest) error {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	var got *Manifest
	switch m.Compression {
	case "":
		got, err = decryptTo(path, key, f)
	case "deflate":
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			zr := flate.NewReader(pr)
			_, err := io.Copy(f, zr)
			if err == nil {
				_, err = io.Copy(io.Discard, pr) // the rest of the stream, authenticated too
			}
			pr.CloseWithError(err)
			done <- err
		}()
		got, err = decryptTo(path, key, pw)
		pw.CloseWithError(err)
		if zerr := <-done; zerr != nil && (err == nil || err == zerr) {
			err = fmt.Errorf("%w: decompress: %v", ErrCorrupt, zerr)
		}
	default:
		err = fmt.Errorf("backup: compression %q, this Foyer knows deflate", m.Compression)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && got.SHA256 != m.SHA256 {
		err = fmt.Errorf("%w: two manifests", ErrCorrupt)
	}
	return err
}

// restoreSQLite decrypts the backup beside target, checks it, replays
// the erasure ledger on it, and only then renames it over target
// (removing target's WAL files, which belong to the old database).
func restoreSQLite(ctx context.Context, path, target string, key []byte, force bool, m *Manifest, ledger []foyer.Erasure) error {
	st, err := os.Stat(target)
	switch {
	case err == nil && st.Size() > 0 && !force:
		return foyer.Errorf(foyer.ECONFLICT, "the database %s exists: restore replaces it only with --force (stop foyer serve first)", target)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o750); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := target + ".restoring"
	os.Remove(tmp)
	defer os.Remove(tmp)
	if err := decryptFile(path, key, tmp, m); err != nil {
		return fmt.Errorf("backup %s: %w", filepath.Base(path), err)
	}
	if err := checkSQLite(ctx, tmp, m); err != nil {
		return fmt.Errorf("backup %s: %w", filepath.Base(path), err)
	}
	if err := replayErasures(ctx, "sqlite:"+tmp, ledger); err != nil {
		return fmt.Errorf("backup: replay the erasure ledger: %w", err)
	}
	for _, ext := range []string{"-wal", "-shm", "-journal"} {
		if err := os.Remove(target + ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
