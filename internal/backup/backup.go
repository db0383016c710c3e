// Package backup makes, checks and restores Foyer's encrypted backups:
// an online snapshot of the database (SQLite's VACUUM INTO, or pg_dump
// -Fc in one snapshot on PostgreSQL), encrypted in authenticated chunks
// under a key derived from the master key, with a manifest of what it
// holds (schema version, row counts, the dump's SHA-256). Verify restores
// a backup into a scratch location and checks it against its manifest;
// Restore puts one in place of a database. Scheduler takes hourly, daily
// and weekly backups in serve, each kept to its own number.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/vault"
)

// Key is the key that encrypts backups under the master key m: derived from
// the key file itself, so that a backup opens with the key file alone, the
// database lost (a database's root secret, which a rotation keeps, lives
// in the database). Backups taken before a rotation of the master key need
// the old key file. For a database never rotated it is the key
// Keyring.Derive(Purpose) gives.
func Key(m *vault.MasterKey) []byte { return m.Derive(Purpose) }

// dialectOf returns the dialect a DSN names, as the store reads it.
func dialectOf(dsn string) (string, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return "sqlite", nil
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return "postgres", nil
	}
	return "", foyer.Errorf(foyer.EINVALID, "database: want sqlite:PATH or postgres://…")
}

// sqlitePath is the file of a "sqlite:PATH" DSN.
func sqlitePath(dsn string) string {
	p, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite:"), "?")
	return p
}

// Create writes a backup of the database at dsn to path, which must not
// exist, while the database stays in use. now stamps the manifest. A
// partial file is removed on failure.
func Create(ctx context.Context, dsn, path string, key []byte, now time.Time) (*Manifest, error) {
	d, err := dialectOf(dsn)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w, err := newWriter(f, key)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	m := &Manifest{Format: FormatVersion, Created: now.UTC(), Dialect: d, Foyer: foyer.Version}
	if d == "sqlite" {
		err = dumpSQLite(ctx, sqlitePath(dsn), filepath.Dir(path), m, w)
	} else {
		err = dumpPostgres(ctx, dsn, m, w)
	}
	if err != nil {
		return nil, err
	}
	sum, size, chunks, err := w.finish()
	if err != nil {
		return nil, fmt.Errorf("backup: write: %w", err)
	}
	m.SHA256, m.Size, m.Chunks = fmt.Sprintf("%x", sum), size, chunks
	mb, err := jsonOf(m)
	if err == nil {
		err = w.writeManifest(mb)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if _, serr := os.Stat(path); serr == nil {
			err = foyer.Errorf(foyer.ECONFLICT, "backup: %s exists", path)
		} else {
			err = os.Rename(tmp, path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("backup: write %s: %w", path, err)
	}
	ok = true
	return m, nil
}

// VerifyOptions tune Verify.
type VerifyOptions struct {
	// Postgres is a DSN of the PostgreSQL server to restore a PostgreSQL
	// backup into, in a scratch database created and dropped by Verify
	// (its user needs CREATEDB); unused for SQLite backups.
	Postgres string
	// ScratchDir holds a SQLite backup's scratch copy, in a directory of
	// its own readable by its owner only; the backup's directory when "".
	ScratchDir string
	// Now stamps the .verified note; time.Now when nil.
	Now func() time.Time
}

// Verify restores the backup at path into a scratch location and checks
// it: every chunk and the manifest authenticate under key, the dump's
// SHA-256 is the manifest's, the database passes its integrity check, and
// its schema version and row counts are the manifest's. It returns the
// manifest, and leaves a note that list reads. Its errors wrap
// ErrWrongKey, ErrTruncated, ErrCorrupt or ErrNotBackup for a file that
// does not decrypt, and name the difference for one that does not match.
func Verify(ctx context.Context, path string, key []byte, opt VerifyOptions) (*Manifest, error) {
	m, _, err := ReadManifest(path, key)
	if err != nil {
		return nil, err
	}
	if m.Dialect == "sqlite" {
		err = verifySQLite(ctx, path, key, opt.ScratchDir, m)
	} else {
		err = verifyPostgres(ctx, path, key, opt.Postgres, m)
	}
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", filepath.Base(path), err)
	}
	now := time.Now
	if opt.Now != nil {
		now = opt.Now
	}
	if err := markVerified(path, m, now()); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// Restore replaces the database at dsn by the backup at path. It refuses
// (ECONFLICT) a database that holds tables unless force; it restores into
// a new file or one transaction, checks the result against the manifest,
// then replays the erasure ledger (replayErasures: the entries of ledger,
// which the caller gathers from the ledger file and the database being
// replaced) before the database is put in place (SQLite) or the command
// returns (PostgreSQL). No server may be running on the database
// meanwhile.
func Restore(ctx context.Context, path, dsn string, key []byte, force bool, ledger []foyer.Erasure) (*Manifest, error) {
	d, err := dialectOf(dsn)
	if err != nil {
		return nil, err
	}
	m, _, err := ReadManifest(path, key)
	if err != nil {
		return nil, err
	}
	if m.Dialect != d {
		return nil, foyer.Errorf(foyer.EINVALID, "backup %s is of a %s database, not %s", filepath.Base(path), m.Dialect, d)
	}
	if d == "sqlite" {
		err = restoreSQLite(ctx, path, sqlitePath(dsn), key, force, m, ledger)
	} else {
		err = restorePostgres(ctx, path, dsn, key, force, m, ledger)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// replayErasures applies the erasure ledger to a database just restored,
// before anything opens it for use, so that a contact erased after the
// backup was taken does not come back with it: the database is brought to
// the current schema (an older backup may predate the ledger's table),
// then every erased contact still in it is erased again and the ledger
// entries it lacks are added (store.ReplayErasures). dsn names the
// restored database.
func replayErasures(ctx context.Context, dsn string, ledger []foyer.Erasure) error {
	if len(ledger) == 0 {
		return nil
	}
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return err
	}
	_, err = st.ReplayErasures(ctx, ledger)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

// decryptTo decrypts the backup at path into w.
func decryptTo(path string, key []byte, w io.Writer) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decrypt(f, key, w)
}

// errVerify marks a backup that decrypts but does not match its manifest.
var errVerify = errors.New("does not match its manifest")

func jsonOf(m *Manifest) ([]byte, error) { return json.Marshal(m) }
