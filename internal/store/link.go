package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

var _ foyer.LinkService = (*Store)(nil)

// errLinkGone is the answer to a link that is unknown, used or expired,
// whichever it is.
var errLinkGone = foyer.Errorf(foyer.ENOTFOUND, "this link is unknown, used or expired")

// CreateLink stores a one-time link. A reset link without a workspace is
// one its user asked for.
func (s *Store) CreateLink(ctx context.Context, tokenHash []byte, l foyer.AuthLink) error {
	if l.Kind != foyer.LinkInvite && l.Kind != foyer.LinkReset {
		return foyer.Errorf(foyer.EINVALID, "link kind %q", l.Kind)
	}
	if len(tokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a link token hash has 32 bytes")
	}
	if l.Kind == foyer.LinkInvite {
		email, err := foyer.NormalizeEmail(l.Email)
		if err != nil {
			return err
		}
		if !l.Role.Valid() {
			return foyer.Errorf(foyer.EINVALID, "role %q: want owner, admin, analyst or viewer", l.Role)
		}
		if l.WorkspaceID == 0 {
			return foyer.Errorf(foyer.EINVALID, "an invitation is to a workspace")
		}
		l.Email = email
	}
	if l.Kind == foyer.LinkReset && l.UserID == 0 {
		return foyer.Errorf(foyer.EINVALID, "a reset link is for a user")
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`/* Store.CreateLink */
		INSERT INTO auth_links (token_hash, kind, workspace_id, email, role, user_id, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		tokenHash, string(l.Kind), nullID(l.WorkspaceID), l.Email, string(l.Role), nullID(l.UserID), nullID(l.CreatedBy),
		ms(s.now()), ms(l.ExpiresAt))
	if err != nil {
		return fmt.Errorf("store: create link: %w", err)
	}
	return nil
}

// nullID is an ID column's value: NULL for 0.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Link returns an unused, unexpired link, or ENOTFOUND.
func (s *Store) Link(ctx context.Context, tokenHash []byte) (*foyer.AuthLink, error) {
	var l foyer.AuthLink
	var kind, role string
	var ws, user, by sql.NullInt64
	var created, expires int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Link */
		SELECT kind, workspace_id, email, role, user_id, created_by, created_at, expires_at FROM auth_links
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), tokenHash, ms(s.now())).Scan(
		&kind, &ws, &l.Email, &role, &user, &by, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLinkGone
	}
	if err != nil {
		return nil, fmt.Errorf("store: link: %w", err)
	}
	l.Kind, l.Role, l.WorkspaceID, l.UserID, l.CreatedBy = foyer.LinkKind(kind), foyer.Role(role), ws.Int64, user.Int64, by.Int64
	l.CreatedAt, l.ExpiresAt = fromMS(created), fromMS(expires)
	return &l, nil
}

// UseLink marks a link used, once.
func (s *Store) UseLink(ctx context.Context, tokenHash []byte) error {
	now := ms(s.now())
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.UseLink */
		UPDATE auth_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`), now, tokenHash, now)
	if err != nil {
		return fmt.Errorf("store: use link: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errLinkGone
	}
	return nil
}

// spendLink marks a standing link of the kind used and returns it;
// errLinkGone when there is none.
func (s *Store) spendLink(ctx context.Context, q querier, tokenHash []byte, kind foyer.LinkKind) (*foyer.AuthLink, error) {
	now := ms(s.now())
	l := foyer.AuthLink{Kind: kind}
	var ws, user sql.NullInt64
	var role string
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.spendLink */
		UPDATE auth_links SET used_at = ? WHERE token_hash = ? AND kind = ? AND used_at IS NULL AND expires_at > ?
		RETURNING workspace_id, email, role, user_id`), now, tokenHash, string(kind), now).Scan(&ws, &l.Email, &role, &user)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errLinkGone
	}
	if err != nil {
		return nil, err
	}
	l.WorkspaceID, l.Role, l.UserID = ws.Int64, foyer.Role(role), user.Int64
	return &l, nil
}

// AcceptInvite spends an invitation and makes u a member of its
// workspace in the invited role, in one transaction. A u without an ID
// is created with the invited address; one with an ID must have it. An
// identity at a single sign-on provider, when not nil, is linked to u in
// the same transaction.
func (s *Store) AcceptInvite(ctx context.Context, tokenHash []byte, u *foyer.User, id *foyer.Identity) (*foyer.Membership, error) {
	var m *foyer.Membership
	err := s.inTx(ctx, "accept invitation", func(tx *sql.Tx) error {
		l, err := s.spendLink(ctx, tx, tokenHash, foyer.LinkInvite)
		if err != nil {
			return err
		}
		if u.ID == 0 {
			u.Email = l.Email
			if err := s.createUser(ctx, tx, u); err != nil {
				return err
			}
		} else if u.Email != l.Email {
			return foyer.Errorf(foyer.EFORBIDDEN, "this invitation is for another address")
		}
		if id != nil {
			id.UserID = u.ID
			if err := s.linkIdentity(ctx, tx, id); err != nil {
				return err
			}
		}
		// A member who accepts an invitation takes its role: never the
		// workspace's last owner's demotion.
		if _, err := s.ownerStays(ctx, tx, l.WorkspaceID, u.ID, l.Role); err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
			return err
		}
		m = &foyer.Membership{WorkspaceID: l.WorkspaceID, UserID: u.ID, Role: l.Role}
		return s.setMembership(ctx, tx, *m)
	})
	return m, err
}

// ResetPassword spends a reset link and gives its user the password hash:
// every session of the user ends, every other reset link of the user is
// spent, and a lock-out is lifted, in one transaction. It returns the
// user's ID.
func (s *Store) ResetPassword(ctx context.Context, tokenHash []byte, hash string) (int64, error) {
	var userID int64
	err := s.inTx(ctx, "reset password", func(tx *sql.Tx) error {
		l, err := s.spendLink(ctx, tx, tokenHash, foyer.LinkReset)
		if err != nil {
			return err
		}
		userID = l.UserID
		if err := s.setPasswordTx(ctx, tx, userID, hash, nil); err != nil {
			return err
		}
		return s.loginSucceeded(ctx, tx, userID)
	})
	return userID, err
}

// spendResetLinks marks every outstanding reset link of a user used: a
// new password, by whatever path, ends them.
func (s *Store) spendResetLinks(ctx context.Context, q querier, userID int64) error {
	_, err := q.ExecContext(ctx, s.rebind(`/* Store.spendResetLinks */
		UPDATE auth_links SET used_at = ? WHERE user_id = ? AND kind = 'reset' AND used_at IS NULL`), ms(s.now()), userID)
	return err
}

// inTx runs f in a transaction and commits it when f succeeds. Errors of
// f with a code pass as they are; others are wrapped with what.
func (s *Store) inTx(ctx context.Context, what string, f func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	defer tx.Rollback()
	if err := f(tx); err != nil {
		if foyer.ErrorCode(err) != foyer.EINTERNAL {
			return err
		}
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	return nil
}
