package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/vault"
)

// MasterKeyCheck returns the check value of the master key this database
// is bound to, or "" when none is yet.
func (s *Store) MasterKeyCheck(ctx context.Context) (string, error) {
	var check string
	err := s.db.QueryRowContext(ctx, `/* Store.MasterKeyCheck */ SELECT key_check FROM master_key WHERE id = 1`).Scan(&check)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: master key: %w", err)
	}
	return check, nil
}

// BindMasterKey binds the database to the master key of check when it is
// bound to none (first reports that), and refuses another key's check with
// EINVALID: what that key sealed would not open. Two starts at once bind
// one key; the other is refused if it is another.
func (s *Store) BindMasterKey(ctx context.Context, check string) (first bool, err error) {
	if check == "" {
		return false, foyer.Errorf(foyer.EINVALID, "a master key check is required")
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.BindMasterKey */
		INSERT INTO master_key (id, key_check, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`), check, ms(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: master key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: master key: %w", err)
	}
	stored, err := s.MasterKeyCheck(ctx)
	if err != nil {
		return false, err
	}
	if stored != check {
		return false, foyer.Errorf(foyer.EINVALID, "this database's personal fields are sealed under another master key "+
			"(check %.8s…; the key file gives %.8s…): start Foyer with the key file it was first started with", stored, check)
	}
	return n == 1, nil
}

// OpenKeyring returns the keyring of this database under the master key m,
// binding the database to m when it is bound to none. The root comes from
// master_key (the key's own for a database never rotated); during a
// rotation from m, the keyring opens the data keys already rewrapped under
// the new key too. EINVALID for another master key, naming what to do.
func (s *Store) OpenKeyring(ctx context.Context, m *vault.MasterKey) (*vault.Keyring, error) {
	st, err := s.keyState(ctx, s.db)
	if err != nil {
		return nil, err
	}
	switch {
	case st.check == "":
		if _, err := s.BindMasterKey(ctx, m.Check()); err != nil {
			return nil, err
		}
		return vault.NewKeyring(m, m.OwnRoot())
	case st.check == m.Check():
		root := m.OwnRoot()
		if st.root != nil {
			if root, err = m.OpenRoot(st.root); err != nil {
				return nil, foyer.Errorf(foyer.EINVALID, "this database's root key does not open under its master key (check %.8s…): "+
					"the database is damaged; restore it from a backup", st.check)
			}
		}
		k, err := vault.NewKeyring(m, root)
		if err != nil {
			return nil, err
		}
		if st.newCheck != "" {
			nm, err := k.OpenMaster(st.newKEK, st.newCheck)
			if err != nil {
				return nil, fmt.Errorf("store: the master key being rotated to: %w", err)
			}
			k.Add(nm)
		}
		return k, nil
	case st.newCheck == m.Check():
		return nil, foyer.Errorf(foyer.EINVALID, "this key file holds the master key that a rotation under way moves the database to "+
			"(check %.8s…), but the data keys are not all rewrapped yet: start with the old key file (check %.8s…), and run "+
			"foyer keys rotate again to finish the rotation", st.newCheck, st.check)
	}
	return nil, foyer.Errorf(foyer.EINVALID, "this database's personal fields are sealed under another master key "+
		"(check %.8s…; the key file gives %.8s…): start Foyer with the key file it was first started with, or the one it was last rotated to",
		st.check, m.Check())
}

// keyState is what the database says of its master keys.
type keyState struct {
	check    string // the bound master key's; "" when none
	root     []byte // wrapped under it; nil: its own
	newCheck string // of a rotation under way; "" when none
	newKEK   []byte // the new key's KEK, wrapped under the bound key
}

// keyState reads the database's master keys through q; on PostgreSQL,
// with lock (" FOR SHARE OF m" or " FOR UPDATE OF m") on master_key's row.
func (s *Store) keyState(ctx context.Context, q querier, lock ...string) (keyState, error) {
	var st keyState
	var newCheck sql.NullString
	l := ""
	if s.dialect == Postgres && len(lock) > 0 {
		l = lock[0]
	}
	err := q.QueryRowContext(ctx, `/* Store.keyState */
		SELECT m.key_check, m.root, r.new_check, r.new_kek FROM master_key m LEFT JOIN key_rotation r ON r.id = 1 WHERE m.id = 1`+l).
		Scan(&st.check, &st.root, &newCheck, &st.newKEK)
	if errors.Is(err, sql.ErrNoRows) {
		return keyState{}, nil
	}
	if err != nil {
		return st, fmt.Errorf("store: master key: %w", err)
	}
	st.newCheck = newCheck.String
	return st, nil
}

// UseKeyFile names the master key file that the store reads again when
// it meets a data key wrapped under a master key it does not hold: after
// a rotation that a running server did not see, the file replaced by the
// new key's.
func (s *Store) UseKeyFile(path string) { s.keyFile = path }

// refreshKeys adds to the keyring the master keys the database names that
// it lacks: a rotation's new key, opened with the old one, or the bound
// key from the key file.
func (s *Store) refreshKeys(ctx context.Context, q querier) (keyState, error) {
	st, err := s.keyState(ctx, q)
	if err != nil {
		return st, err
	}
	if st.newCheck != "" && s.keys.Master(st.newCheck) == nil {
		if m, err := s.keys.OpenMaster(st.newKEK, st.newCheck); err == nil {
			s.keys.Add(m)
		}
	}
	if st.check != "" && s.keys.Master(st.check) == nil && s.keyFile != "" {
		if m, err := vault.LoadMaster(s.keyFile); err == nil && m.Check() == st.check {
			s.keys.Add(m)
		}
	}
	return st, nil
}

// dataKey unwraps a contact's data key, first adding the master keys
// the database names when it is wrapped under one the keyring lacks.
func (s *Store) dataKey(ctx context.Context, q querier, wrapped []byte, aad string) (*vault.DataKey, error) {
	dk, err := s.keys.DataKey(wrapped, aad)
	if errors.Is(err, vault.ErrUnknownMaster) {
		if _, rerr := s.refreshKeys(ctx, q); rerr != nil {
			return nil, rerr
		}
		dk, err = s.keys.DataKey(wrapped, aad)
	}
	return dk, err
}

// newDataKey makes the data key of a new contact, read in the transaction
// q: wrapped under the new master key of a rotation under way, else under
// the bound one. On PostgreSQL the master key's row stays share-locked
// until q ends, so that a rotation does not end between.
func (s *Store) newDataKey(ctx context.Context, q querier, aad string) (*vault.DataKey, []byte, error) {
	tc, _ := q.(*txCache)
	if tc != nil && tc.wrapUnder != nil {
		return s.keys.NewDataKeyUnder(tc.wrapUnder, aad)
	}
	m, err := s.wrapUnder(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	if m == nil {
		return s.keys.NewDataKey(aad) // a database bound to no key yet (tests)
	}
	if tc != nil {
		tc.wrapUnder = m
	}
	return s.keys.NewDataKeyUnder(m, aad)
}

// wrapUnder is the master key that new data keys are wrapped under, read
// through q; nil for a database bound to none.
func (s *Store) wrapUnder(ctx context.Context, q querier) (*vault.MasterKey, error) {
	st, err := s.keyState(ctx, q, " FOR SHARE OF m")
	if err != nil {
		return nil, err
	}
	want := st.check
	if st.newCheck != "" {
		want = st.newCheck
	}
	if want == "" {
		return nil, nil
	}
	m := s.keys.Master(want)
	if m == nil {
		if _, err := s.refreshKeys(ctx, q); err != nil {
			return nil, err
		}
		if m = s.keys.Master(want); m == nil {
			return nil, fmt.Errorf("store: the database is bound to master key %.8s…, which this process does not hold: "+
				"restart it with that key's file", want)
		}
	}
	return m, nil
}

// RefreshKeys adds to the keyring the master keys that the database names
// and it lacks: the new key of a rotation under way (sealed under the old
// one), or the bound key from the key file (UseKeyFile). It returns the
// check of the master key the database is bound to.
func (s *Store) RefreshKeys(ctx context.Context) (bound string, err error) {
	if s.keys == nil {
		return "", errNoKeys
	}
	st, err := s.refreshKeys(ctx, s.db)
	return st.check, err
}
