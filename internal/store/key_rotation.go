package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/vault"
)

// KeyRotation is the progress of a rotation of the master key.
type KeyRotation struct {
	OldCheck, NewCheck string
	// LastID is the last contact whose data key the rewrap reached:
	// every contact up to it is done.
	LastID int64
	// EndID is the last contact when the rotation began: the rewrap
	// stops there, as contacts made after are made under the new key.
	EndID int64
	// Rewrapped counts the data keys rewrapped so far.
	Rewrapped int64
	// Left counts the contacts after LastID (KeyRotationState only).
	Left      int64
	StartedAt time.Time
}

// KeyRotationState returns the rotation under way, with how many contacts
// are left, or ENOTFOUND when there is none.
func (s *Store) KeyRotationState(ctx context.Context) (*KeyRotation, error) {
	r, err := s.keyRotation(ctx, s.db, "")
	if err != nil {
		return nil, err
	}
	err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.KeyRotationState */ SELECT COUNT(*) FROM contacts WHERE id > ? AND id <= ?`), r.LastID, r.EndID).Scan(&r.Left)
	if err != nil {
		return nil, fmt.Errorf("store: key rotation: %w", err)
	}
	return r, nil
}

// keyRotation reads the rotation row through q, with lock on PostgreSQL.
func (s *Store) keyRotation(ctx context.Context, q querier, lock string) (*KeyRotation, error) {
	var r KeyRotation
	var started int64
	if s.dialect != Postgres {
		lock = ""
	}
	err := q.QueryRowContext(ctx, `/* Store.keyRotation */
		SELECT old_check, new_check, last_id, end_id, rewrapped, started_at FROM key_rotation WHERE id = 1`+lock).
		Scan(&r.OldCheck, &r.NewCheck, &r.LastID, &r.EndID, &r.Rewrapped, &started)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no rotation of the master key is under way")
	}
	if err != nil {
		return nil, fmt.Errorf("store: key rotation: %w", err)
	}
	r.StartedAt = fromMS(started)
	return &r, nil
}

// BeginKeyRotation starts a rotation of the master key to m, or resumes
// the one to m under way: from then on the store wraps new data keys under
// m, and so does any process that holds the old key, which the database
// keeps m's key-encryption key under until the rotation ends. The store's
// keyring must be the database's (OpenKeyring). EINVALID for a database
// bound to no key or already to m; ECONFLICT when a rotation to another
// key is under way.
func (s *Store) BeginKeyRotation(ctx context.Context, m *vault.MasterKey) (*KeyRotation, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	err := s.inTx(ctx, "begin key rotation", func(tx *sql.Tx) error {
		st, err := s.keyState(ctx, tx, " FOR UPDATE OF m")
		if err != nil {
			return err
		}
		switch {
		case st.check == "":
			return foyer.Errorf(foyer.EINVALID, "this database is bound to no master key yet: there is nothing to rotate")
		case st.check == m.Check():
			return foyer.Errorf(foyer.EINVALID, "this database is bound to the new master key (check %.8s…) already", m.Check())
		case s.keys.Master(st.check) == nil:
			return foyer.Errorf(foyer.EINVALID, "this process does not hold the database's master key (check %.8s…)", st.check)
		case st.newCheck == m.Check():
			return nil // resumed
		case st.newCheck != "":
			return foyer.Errorf(foyer.ECONFLICT, "a rotation to another master key (check %.8s…) is under way: run foyer keys rotate "+
				"with that key's file as --new-key-file to finish it first", st.newCheck)
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.BeginKeyRotation */
			INSERT INTO key_rotation (id, old_check, new_check, new_kek, new_root, end_id, started_at)
			SELECT 1, ?, ?, ?, ?, COALESCE(MAX(id), 0), ? FROM contacts`),
			st.check, m.Check(), s.keys.SealMaster(m), s.keys.SealRoot(m), ms(s.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	s.keys.UseForNew(m)
	return s.KeyRotationState(ctx)
}

// RewrapKeys rewraps, under the new master key of the rotation under way,
// the data keys of at most n contacts after the last it reached, up to
// the last contact when the rotation began, and
// records how far it got in the same transaction, so that a crash loses
// nothing and the next call goes on. It reports whether contacts were
// left after these. ENOTFOUND when no rotation is under way.
func (s *Store) RewrapKeys(ctx context.Context, n int) (r *KeyRotation, more bool, err error) {
	if s.keys == nil {
		return nil, false, errNoKeys
	}
	err = s.inTx(ctx, "rewrap keys", func(tx *sql.Tx) error {
		if r, err = s.keyRotation(ctx, tx, " FOR UPDATE"); err != nil {
			return err
		}
		m := s.keys.Master(r.NewCheck)
		if m == nil {
			return foyer.Errorf(foyer.EINVALID, "this process does not hold the master key being rotated to (check %.8s…)", r.NewCheck)
		}
		rows, err := s.rewrapRows(ctx, tx, m, `id > ? AND id <= ? ORDER BY id LIMIT ?`, r.LastID, r.EndID, n)
		if err != nil {
			return err
		}
		done := 0
		for _, w := range rows {
			if w.rewrapped {
				done++
			}
			r.LastID = w.id
		}
		more = len(rows) == n && r.LastID < r.EndID
		r.Rewrapped += int64(done)
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.RewrapKeys */
			UPDATE key_rotation SET last_id = ?, rewrapped = ? WHERE id = 1`), r.LastID, r.Rewrapped)
		return err
	})
	return r, more, err
}

// rewrapRow is a contact whose data key rewrapRows read.
type rewrapRow struct {
	id        int64
	rewrapped bool // false: it was under the new key already
}

// rewrapRows rewraps under m the data keys of the contacts that where
// (with args) selects, in tx.
func (s *Store) rewrapRows(ctx context.Context, tx *sql.Tx, m *vault.MasterKey, where string, args ...any) ([]rewrapRow, error) {
	type row struct {
		id, ws  int64
		keyID   string
		wrapped []byte
	}
	q, err := tx.QueryContext(ctx, s.rebind(`/* Store.rewrapRows */ SELECT id, workspace_id, key_id, data_key FROM contacts WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	var list []row
	for q.Next() {
		var r row
		if err := q.Scan(&r.id, &r.ws, &r.keyID, &r.wrapped); err != nil {
			q.Close()
			return nil, err
		}
		list = append(list, r)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return nil, err
	}
	out := make([]rewrapRow, len(list))
	prefix := m.Prefix()
	var set []any // contact ID, new wrapped key, …
	for i, r := range list {
		out[i].id = r.id
		if bytes.HasPrefix(r.wrapped, prefix) {
			continue
		}
		aad := contactOwner(r.ws, r.keyID)
		if _, err := s.keys.DataKey(r.wrapped, aad); errors.Is(err, vault.ErrUnknownMaster) {
			if _, err := s.refreshKeys(ctx, tx); err != nil {
				return nil, err
			}
		}
		w, err := s.keys.Rewrap(r.wrapped, aad, m)
		if err != nil {
			return nil, foyer.Errorf(foyer.EINVALID, "contact %d: its data key does not open under the old master key: %v", r.id, err)
		}
		set = append(set, r.id, w)
		out[i].rewrapped = true
	}
	return out, s.setDataKeys(ctx, tx, set)
}

// setDataKeys writes contacts' data keys, given as pairs of a contact ID
// and its wrapped key, a few hundred a statement.
func (s *Store) setDataKeys(ctx context.Context, tx *sql.Tx, set []any) error {
	row := "(?, ?)"
	if s.dialect == Postgres { // VALUES' parameters have no type of their own there
		row = "(CAST(? AS bigint), CAST(? AS bytea))"
	}
	for len(set) > 0 {
		n := min(len(set), 2*250)
		_, err := tx.ExecContext(ctx, s.rebind(`/* Store.setDataKeys */
			UPDATE contacts SET data_key = v.column2 FROM (VALUES `+strings.Repeat(row+", ", n/2-1)+row+`) AS v
			WHERE contacts.id = v.column1`), set[:n]...)
		if err != nil {
			return err
		}
		set = set[n:]
	}
	return nil
}

// FinishKeyRotation ends the rotation under way once the rewrap reached
// the last contact: it rewraps the data keys still under the old key (of
// contacts another process made meanwhile under it), then, in one
// transaction that no contact can be made during, binds the database to
// the new key and its root, and forgets the old key's row. It returns how
// many late data keys it rewrapped. ENOTFOUND when no rotation is under
// way; EINVALID while the rewrap has contacts left.
func (s *Store) FinishKeyRotation(ctx context.Context) (late int, err error) {
	r, err := s.keyRotation(ctx, s.db, "")
	if err != nil {
		return 0, err
	}
	m := s.keys.Master(r.NewCheck)
	if m == nil {
		return 0, foyer.Errorf(foyer.EINVALID, "this process does not hold the master key being rotated to (check %.8s…)", r.NewCheck)
	}
	notUnder := `substr(data_key, 1, 5) <> ?`
	for {
		var rows []rewrapRow
		err := s.inTx(ctx, "finish key rotation", func(tx *sql.Tx) error {
			rows, err = s.rewrapRows(ctx, tx, m, notUnder+` ORDER BY id LIMIT 500`, m.Prefix())
			return err
		})
		if err != nil {
			return late, err
		}
		late += len(rows)
		if len(rows) > 0 {
			continue
		}
		done := false
		err = s.inTx(ctx, "finish key rotation", func(tx *sql.Tx) error {
			// The master key's row locked: a contact being made, which
			// share-locks it, is committed before this reads on.
			st, err := s.keyState(ctx, tx, " FOR UPDATE OF m")
			if err != nil {
				return err
			}
			if st.newCheck != m.Check() {
				return foyer.Errorf(foyer.ECONFLICT, "the rotation to master key %.8s… ended or changed meanwhile", m.Check())
			}
			var left int64
			if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.FinishKeyRotation */ SELECT COUNT(*) FROM contacts WHERE `+notUnder), m.Prefix()).Scan(&left); err != nil {
				return err
			}
			if left > 0 {
				return nil // made meanwhile: rewrap them first
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.FinishKeyRotation */
				UPDATE master_key SET key_check = (SELECT new_check FROM key_rotation WHERE id = 1),
					root = (SELECT new_root FROM key_rotation WHERE id = 1) WHERE id = 1`)); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `/* Store.FinishKeyRotation */ DELETE FROM key_rotation`)
			done = err == nil
			return err
		})
		if err != nil || done {
			return late, err
		}
	}
}
