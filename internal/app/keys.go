package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/vault"
)

// DefaultKeyFile is where the master key is kept when --key-file is not
// given: beside an SQLite database, else in ./foyer-data.
func DefaultKeyFile(db string) string {
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
		path, _, _ = strings.Cut(path, "?")
		return filepath.Join(filepath.Dir(path), "master.key")
	}
	return filepath.Join("foyer-data", "master.key")
}

// LedgerFile is where the erasure ledger's file lives: beside the master
// key, apart from the database and its backups.
func LedgerFile(keyFile string) string {
	return filepath.Join(filepath.Dir(keyFile), "erasures.ledger")
}

// ReplayLedger applies the ledger file to the database, so that a
// database restored from a backup taken before an erasure (by Foyer, or
// by copying files) never shows an erased contact again.
func ReplayLedger(ctx context.Context, st *store.Store, path string, log *slog.Logger) error {
	entries, err := store.ReadLedgerFile(path)
	if err != nil {
		return err
	}
	n, err := st.ReplayErasures(ctx, entries)
	if err != nil {
		return err
	}
	if n > 0 {
		if log == nil {
			log = slog.Default()
		}
		log.Warn("erased contacts were in the database, as after a restore of an older backup: erased again from the ledger",
			"contacts", n, "ledger", path)
	}
	return nil
}

// OpenKeys reads the master key at path and returns the database's
// keyring under it (store.OpenKeyring), binding the database to it when
// it is bound to none. A missing file is created, loudly, only for a
// database bound to no key yet; a database bound to another key is
// refused, and nothing changes. The store reads the file again when it
// meets a data key wrapped under a key it lacks (store.UseKeyFile). log,
// slog.Default when nil, says that a key was created.
func OpenKeys(ctx context.Context, st *store.Store, path string, log *slog.Logger) (*vault.Keyring, error) {
	m, err := vault.LoadMaster(path)
	created := false
	if errors.Is(err, vault.ErrNoKeyFile) {
		check, cerr := st.MasterKeyCheck(ctx)
		if cerr != nil {
			return nil, cerr
		}
		if check != "" {
			return nil, foyer.Errorf(foyer.EINVALID, "no master key file at %s, but this database's personal fields are sealed "+
				"under a master key (check %.8s…): start Foyer with --key-file naming that key's file; without it they cannot be read", path, check)
		}
		m, err = vault.CreateMaster(path)
		created = true
	}
	if err != nil {
		return nil, foyer.Errorf(foyer.EINVALID, "%v", err)
	}
	keys, err := st.OpenKeyring(ctx, m)
	if err != nil {
		return nil, err
	}
	st.UseKeyFile(path)
	if created {
		if log == nil {
			log = slog.Default()
		}
		log.Warn(fmt.Sprintf("created a new master key at %s: it encrypts contacts' personal data. BACK IT UP NOW, apart from "+
			"the database: without it nothing it sealed can be read, and with it and a copy of the database anyone can", path),
			"key_file", path, "key_check", keys.Check()[:8])
	}
	return keys, nil
}
