package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
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
