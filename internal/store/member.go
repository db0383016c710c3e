package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// ChangeRole gives a member of a workspace another role; ECONFLICT when it
// would demote the workspace's last owner. The check and the change are
// one transaction.
func (s *Store) ChangeRole(ctx context.Context, workspaceID, userID int64, role foyer.Role) error {
	if !role.Valid() {
		return foyer.Errorf(foyer.EINVALID, "role %q: want owner, admin, analyst or viewer", role)
	}
	return s.inTx(ctx, "change role", func(tx *sql.Tx) error {
		current, err := s.ownerStays(ctx, tx, workspaceID, userID, role)
		if err != nil || current == role {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.ChangeRole */
			UPDATE memberships SET role = ? WHERE workspace_id = ? AND user_id = ?`), string(role), workspaceID, userID)
		return err
	})
}

// RemoveMember ends a user's membership of a workspace and the reset links
// the workspace made for them; ECONFLICT when they are its last owner. The
// user's sessions stay: they may belong to another workspace.
func (s *Store) RemoveMember(ctx context.Context, workspaceID, userID int64) error {
	return s.inTx(ctx, "remove member", func(tx *sql.Tx) error {
		if _, err := s.ownerStays(ctx, tx, workspaceID, userID, ""); err != nil {
			return err
		}
		// The member's companies in the workspace (company_assignees) go
		// with the membership: their key to it cascades.
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RemoveMember */
			DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`), workspaceID, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.rebind(`/* Store.RemoveMember */
			UPDATE auth_links SET used_at = ? WHERE workspace_id = ? AND user_id = ? AND kind = 'reset' AND used_at IS NULL`),
			ms(s.now()), workspaceID, userID)
		return err
	})
}

// ownerStays locks the workspace's memberships (lockedRole) and returns
// the member's role; ECONFLICT when giving them role ("": removing them)
// would leave the workspace without an owner, ENOTFOUND when the user is
// not a member.
func (s *Store) ownerStays(ctx context.Context, tx *sql.Tx, workspaceID, userID int64, role foyer.Role) (foyer.Role, error) {
	current, err := s.lockedRole(ctx, tx, workspaceID, userID)
	if err != nil || current != foyer.RoleOwner || role == foyer.RoleOwner {
		return current, err
	}
	what := "demoted"
	if role == "" {
		what = "removed"
	}
	return current, s.keepsAnOwner(ctx, tx, workspaceID, what)
}

// lockedRole locks the workspace's memberships against other changes of
// them until tx ends, and returns the user's role in it; ENOTFOUND when the
// user is not a member. On SQLite the transaction holds the write lock
// already (_txlock=immediate); on PostgreSQL the workspace's row is locked.
func (s *Store) lockedRole(ctx context.Context, tx *sql.Tx, workspaceID, userID int64) (foyer.Role, error) {
	if s.dialect == Postgres {
		var id int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.lockedRole */
			SELECT id FROM workspaces WHERE id = ? FOR UPDATE`), workspaceID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return "", foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
		}
		if err != nil {
			return "", err
		}
	}
	var role string
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.lockedRole */
		SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`), workspaceID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", foyer.Errorf(foyer.ENOTFOUND, "user %d is not a member of workspace %d", userID, workspaceID)
	}
	return foyer.Role(role), err
}

// keepsAnOwner returns ECONFLICT unless the workspace has another owner
// than the one to be demoted or removed.
func (s *Store) keepsAnOwner(ctx context.Context, tx *sql.Tx, workspaceID int64, what string) error {
	var owners int
	if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.keepsAnOwner */
		SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = 'owner'`), workspaceID).Scan(&owners); err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if owners <= 1 {
		return foyer.Errorf(foyer.ECONFLICT, "the workspace's last owner cannot be %s: make another member owner first", what)
	}
	return nil
}
