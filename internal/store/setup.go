package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

var _ foyer.SetupService = (*Store)(nil)

// errSetupLink is the answer to every setup link that cannot create the
// first owner, whichever the reason, so that it tells a guesser nothing.
var errSetupLink = foyer.Errorf(foyer.ENOTFOUND, "this setup link is unknown or expired, or the first owner exists")

// HasUsers reports whether any user exists.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	return s.hasUsers(ctx, s.db)
}

func (s *Store) hasUsers(ctx context.Context, q querier) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `/* Store.HasUsers */ SELECT COUNT(*) FROM (SELECT 1 FROM users LIMIT 1) u`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: has users: %w", err)
	}
	return n > 0, nil
}

// CreateSetupLink stores a link to create the first owner, and forgets
// the expired ones.
func (s *Store) CreateSetupLink(ctx context.Context, tokenHash []byte, expires time.Time) error {
	if len(tokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a setup token hash has 32 bytes")
	}
	return s.setupTx(ctx, "create setup link", func(tx *sql.Tx) error {
		if has, err := s.hasUsers(ctx, tx); err != nil || has {
			if err == nil {
				err = foyer.Errorf(foyer.ECONFLICT, "this installation has users: add more with an invitation or `foyer user add`")
			}
			return err
		}
		now := ms(s.now())
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.CreateSetupLink */
			DELETE FROM setup_links WHERE expires_at <= ?`), now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.rebind(`/* Store.CreateSetupLink */
			INSERT INTO setup_links (token_hash, created_at, expires_at) VALUES (?, ?, ?)`),
			tokenHash, now, ms(expires))
		return err
	})
}

// SetupLink returns the existing workspaces' names, oldest first, when
// the link can create the first owner.
func (s *Store) SetupLink(ctx context.Context, tokenHash []byte) ([]string, error) {
	if err := s.setupLinkValid(ctx, s.db, tokenHash); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `/* Store.SetupLink */ SELECT name FROM workspaces ORDER BY id LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("store: setup link: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("store: setup link: %w", err)
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// setupLinkValid answers errSetupLink unless the link is known and
// unexpired and no user exists.
func (s *Store) setupLinkValid(ctx context.Context, q querier, tokenHash []byte) error {
	var n int
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.setupLinkValid */
		SELECT COUNT(*) FROM setup_links WHERE token_hash = ? AND expires_at > ?
			AND NOT EXISTS (SELECT 1 FROM users)`), tokenHash, ms(s.now())).Scan(&n)
	if err != nil {
		return fmt.Errorf("store: setup link: %w", err)
	}
	if n == 0 {
		return errSetupLink
	}
	return nil
}

// CompleteSetup creates the first owner and their workspace and spends
// every setup link, in one transaction. Two sign-ups at once cannot both
// win: SQLite's transactions here take the write lock as they begin, and
// on PostgreSQL the transaction takes an advisory lock first.
func (s *Store) CompleteSetup(ctx context.Context, tokenHash []byte, u *foyer.User, w *foyer.Workspace) error {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return foyer.Errorf(foyer.EINVALID, "workspace name is required")
	}
	return s.setupTx(ctx, "complete setup", func(tx *sql.Tx) error {
		if err := s.setupLinkValid(ctx, tx, tokenHash); err != nil {
			return err
		}
		if err := s.createUser(ctx, tx, u); err != nil {
			return err
		}
		if w.ID != 0 {
			if err := s.renameWorkspace(ctx, tx, w); err != nil {
				return err
			}
		} else {
			found, err := s.workspaceWhere(ctx, tx, "name", w.Name, "named "+w.Name)
			switch foyer.ErrorCode(err) {
			case foyer.ENOTFOUND:
				err = s.createWorkspace(ctx, tx, w)
			case "":
				*w = *found
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.CompleteSetup */
			INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)`),
			w.ID, u.ID, string(foyer.RoleOwner), ms(s.now())); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `/* Store.CompleteSetup */ DELETE FROM setup_links`)
		return err
	})
}

// renameWorkspace gives the existing workspace w.ID the name w.Name and
// reads it back into w: ENOTFOUND without it, ECONFLICT when another
// workspace has the name.
func (s *Store) renameWorkspace(ctx context.Context, tx *sql.Tx, w *foyer.Workspace) error {
	res, err := tx.ExecContext(ctx, s.rebind(`/* Store.renameWorkspace */
		UPDATE workspaces SET name = ? WHERE id = ?`), w.Name, w.ID)
	if isUniqueViolation(err) {
		return foyer.Errorf(foyer.ECONFLICT, "a workspace named %q exists", w.Name)
	}
	if err != nil {
		return fmt.Errorf("store: rename workspace %d: %w", w.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err == nil {
			err = foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", w.ID)
		}
		return err
	}
	found, err := s.workspaceWhere(ctx, tx, "id", w.ID, fmt.Sprint(w.ID))
	if err != nil {
		return err
	}
	*w = *found
	return nil
}

// setupTx runs f in a transaction that no other setup transaction runs
// beside.
func (s *Store) setupTx(ctx context.Context, what string, f func(tx *sql.Tx) error) error {
	return s.inTx(ctx, what, func(tx *sql.Tx) error {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7101)`); err != nil {
				return err
			}
		}
		return f(tx)
	})
}
