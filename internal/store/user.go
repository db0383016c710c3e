package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

var _ foyer.UserService = (*Store)(nil)

// CreateUser stores u and sets its ID and times.
func (s *Store) CreateUser(ctx context.Context, u *foyer.User) error {
	return s.createUser(ctx, s.db, u)
}

func (s *Store) createUser(ctx context.Context, q querier, u *foyer.User) error {
	email, err := foyer.NormalizeEmail(u.Email)
	if err != nil {
		return err
	}
	u.Email, u.Name = email, strings.TrimSpace(u.Name)
	u.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	u.PasswordChangedAt = u.CreatedAt
	err = q.QueryRowContext(ctx, s.rebind(`/* Store.CreateUser */
		INSERT INTO users (email, name, password_hash, created_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`),
		u.Email, u.Name, u.PasswordHash, ms(u.CreatedAt), ms(u.PasswordChangedAt)).Scan(&u.ID)
	if isUniqueViolation(err) {
		return foyer.Errorf(foyer.ECONFLICT, "a user with email %q exists", u.Email)
	}
	if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

const userColumns = `id, email, name, password_hash, created_at, password_changed_at, failed_logins, locked_until, totp_secret, time_zone`

func scanUser(row *sql.Row, what string) (*foyer.User, error) {
	var u foyer.User
	var created, changed, locked int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created, &changed, &u.FailedLogins, &locked, &u.TOTPSecret, &u.TimeZone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no user %s", what)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user %s: %w", what, err)
	}
	u.CreatedAt, u.PasswordChangedAt = fromMS(created), fromMS(changed)
	if locked > 0 {
		u.LockedUntil = fromMS(locked)
	}
	return &u, nil
}

// UserByEmail returns the user with that email, or ENOTFOUND. Its errors
// do not hold the address, so that a log of them names nobody.
func (s *Store) UserByEmail(ctx context.Context, email string) (*foyer.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	return scanUser(s.db.QueryRowContext(ctx, s.rebind(`/* Store.UserByEmail */
		SELECT `+userColumns+` FROM users WHERE email = ?`), email), "by email")
}

// UserByID returns the user, or ENOTFOUND.
func (s *Store) UserByID(ctx context.Context, id int64) (*foyer.User, error) {
	return scanUser(s.db.QueryRowContext(ctx, s.rebind(`/* Store.UserByID */
		SELECT `+userColumns+` FROM users WHERE id = ?`), id), fmt.Sprintf("%d", id))
}

// SetTimeZone stores the zone a user reads times in.
func (s *Store) SetTimeZone(ctx context.Context, userID int64, zone string) error {
	zone, err := foyer.ParseTimeZone(zone)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetTimeZone */
		UPDATE users SET time_zone = ? WHERE id = ?`), zone, userID)
	if err != nil {
		return fmt.Errorf("store: set time zone: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set time zone: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
	}
	return nil
}

// SetPassword replaces a user's password hash and revokes all the user's
// sessions, in one transaction.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.setPassword(ctx, userID, hash, nil)
}

// setPassword replaces a user's password hash and revokes the user's
// sessions but the one of keep (none when keep is nil), in one transaction.
func (s *Store) setPassword(ctx context.Context, userID int64, hash string, keep []byte) error {
	return s.inTx(ctx, "set password", func(tx *sql.Tx) error {
		return s.setPasswordTx(ctx, tx, userID, hash, keep)
	})
}

// setPasswordTx replaces a user's password hash, revokes the user's
// sessions but the one of keep, and spends the user's reset links.
func (s *Store) setPasswordTx(ctx context.Context, tx *sql.Tx, userID int64, hash string, keep []byte) error {
	res, err := tx.ExecContext(ctx, s.rebind(`/* Store.setPassword */
		UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`), hash, ms(s.now()), userID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
	}
	if err := s.revokeSessions(ctx, tx, userID, keep); err != nil {
		return err
	}
	return s.spendResetLinks(ctx, tx, userID)
}

// ChangePassword replaces a user's password hash and revokes every
// session of the user but the one of keepTokenHash, in one transaction.
func (s *Store) ChangePassword(ctx context.Context, userID int64, hash string, keepTokenHash []byte) error {
	if len(keepTokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a session token hash has 32 bytes")
	}
	return s.setPassword(ctx, userID, hash, keepTokenHash)
}

// SetMembership gives a user a role in a workspace, or changes it.
func (s *Store) SetMembership(ctx context.Context, m foyer.Membership) error {
	return s.setMembership(ctx, s.db, m)
}

func (s *Store) setMembership(ctx context.Context, q querier, m foyer.Membership) error {
	if !m.Role.Valid() {
		return foyer.Errorf(foyer.EINVALID, "role %q: want owner, admin, analyst or viewer", m.Role)
	}
	res, err := q.ExecContext(ctx, s.rebind(`/* Store.SetMembership */
		INSERT INTO memberships (workspace_id, user_id, role, created_at)
		SELECT w.id, u.id, ?, ? FROM workspaces w, users u WHERE w.id = ? AND u.id = ?
		ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`),
		string(m.Role), ms(s.now()), m.WorkspaceID, m.UserID)
	if err != nil {
		return fmt.Errorf("store: set membership: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d or no user %d", m.WorkspaceID, m.UserID)
	}
	return nil
}

// Memberships returns a user's workspaces and roles, by workspace ID.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]foyer.Membership, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Memberships */
		SELECT m.workspace_id, w.name, w.require_2fa, m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.user_id = ? ORDER BY w.name, m.workspace_id`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: memberships: %w", err)
	}
	defer rows.Close()
	var out []foyer.Membership
	for rows.Next() {
		m := foyer.Membership{UserID: userID}
		var role string
		var require int64
		if err := rows.Scan(&m.WorkspaceID, &m.WorkspaceName, &require, &role); err != nil {
			return nil, fmt.Errorf("store: memberships: %w", err)
		}
		m.Role, m.Require2FA = foyer.Role(role), require != 0
		out = append(out, m)
	}
	return out, rows.Err()
}

// Role returns a user's role in a workspace, or ENOTFOUND.
func (s *Store) Role(ctx context.Context, workspaceID, userID int64) (foyer.Role, error) {
	var role string
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Role */
		SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`), workspaceID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", foyer.Errorf(foyer.ENOTFOUND, "not a member of workspace %d", workspaceID)
	}
	if err != nil {
		return "", fmt.Errorf("store: role: %w", err)
	}
	return foyer.Role(role), nil
}

// LoginFailed counts a failed sign-in; at lockAfter failures in a row the
// account is locked until now+lockFor.
func (s *Store) LoginFailed(ctx context.Context, userID int64, lockAfter int, lockFor time.Duration) (int, time.Time, error) {
	now := s.now()
	var failures int
	var locked int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.LoginFailed */
		UPDATE users SET failed_logins = failed_logins + 1,
			locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END
		WHERE id = ? RETURNING failed_logins, locked_until`),
		lockAfter, ms(now.Add(lockFor)), userID).Scan(&failures, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("store: login failed: %w", err)
	}
	var until time.Time
	if locked > 0 {
		until = fromMS(locked)
	}
	return failures, until, nil
}

// LoginSucceeded clears the count of failed sign-ins and any lock.
func (s *Store) LoginSucceeded(ctx context.Context, userID int64) error {
	return s.loginSucceeded(ctx, s.db, userID)
}

func (s *Store) loginSucceeded(ctx context.Context, q querier, userID int64) error {
	if _, err := q.ExecContext(ctx, s.rebind(`/* Store.LoginSucceeded */
		UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = ?`), userID); err != nil {
		return fmt.Errorf("store: login succeeded: %w", err)
	}
	return nil
}

// Members returns a workspace's users and roles, by email.
func (s *Store) Members(ctx context.Context, workspaceID int64) ([]foyer.Member, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Members */
		SELECT u.id, u.email, u.name, m.role,
			CASE WHEN EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = m.user_id AND o.workspace_id <> m.workspace_id)
				THEN 1 ELSE 0 END
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? ORDER BY u.email`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	var out []foyer.Member
	for rows.Next() {
		var m foyer.Member
		var role string
		var elsewhere int64
		if err := rows.Scan(&m.User.ID, &m.User.Email, &m.User.Name, &role, &elsewhere); err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		m.Role, m.Elsewhere = foyer.Role(role), elsewhere != 0
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetTOTP turns two-factor authentication on, with step as the last time
// step used, and replaces the recovery codes, in one transaction.
func (s *Store) SetTOTP(ctx context.Context, userID int64, secret string, step int64, recoveryHashes [][]byte) error {
	return s.inTx(ctx, "set totp", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.SetTOTP */ UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE id = ?`), secret, step, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
		}
		return s.replaceRecoveryCodes(ctx, tx, userID, recoveryHashes)
	})
}

// replaceRecoveryCodes deletes the user's recovery codes, spent or not,
// and stores the new ones.
func (s *Store) replaceRecoveryCodes(ctx context.Context, tx *sql.Tx, userID int64, hashes [][]byte) error {
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.replaceRecoveryCodes */ DELETE FROM recovery_codes WHERE user_id = ?`), userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.replaceRecoveryCodes */
			INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceRecoveryCodes gives the user new recovery codes, in one
// transaction: the old ones, spent or not, stop working. ENOTFOUND when
// there is no such user, ECONFLICT when its two-factor authentication is
// off.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error {
	return s.inTx(ctx, "replace recovery codes", func(tx *sql.Tx) error {
		var secret string
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.ReplaceRecoveryCodes */ SELECT totp_secret FROM users WHERE id = ?`), userID).Scan(&secret)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
		}
		if err != nil {
			return err
		}
		if secret == "" {
			return foyer.Errorf(foyer.ECONFLICT, "two-factor authentication is off")
		}
		return s.replaceRecoveryCodes(ctx, tx, userID, hashes)
	})
}

// ClearTOTP turns the user's two-factor authentication off, in one
// transaction: the secret, the last time step used and the recovery codes
// are gone. EFORBIDDEN while a workspace of the user requires it,
// ENOTFOUND when there is no such user.
func (s *Store) ClearTOTP(ctx context.Context, userID int64) error {
	return s.inTx(ctx, "clear totp", func(tx *sql.Tx) error {
		var required int
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.ClearTOTP */
			SELECT COUNT(*) FROM memberships m JOIN workspaces w ON w.id = m.workspace_id
			WHERE m.user_id = ? AND w.require_2fa = ?`), userID, flag(true)).Scan(&required)
		if err != nil {
			return err
		}
		if required > 0 {
			return foyer.Errorf(foyer.EFORBIDDEN, "a workspace you are in requires two-factor authentication")
		}
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.ClearTOTP */ UPDATE users SET totp_secret = '', totp_last_step = 0 WHERE id = ?`), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
		}
		return s.replaceRecoveryCodes(ctx, tx, userID, nil)
	})
}

// UseTOTPStep records that a code of the user's authenticator was
// accepted at a time step (30 s since the epoch); ECONFLICT when a code of
// that step or a later one was accepted before, so that a code works once.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.UseTOTPStep */
		UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`), step, userID, step)
	if err != nil {
		return fmt.Errorf("store: totp step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ECONFLICT, "this code was used already")
	}
	return nil
}

// UseRecoveryCode spends one recovery code, once.
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, hash []byte) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.UseRecoveryCode */
		UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`), ms(s.now()), userID, hash)
	if err != nil {
		return fmt.Errorf("store: recovery code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "not a recovery code, or a used one")
	}
	return nil
}

// SetRequire2FA says whether a workspace requires two-factor
// authentication of its members.
func (s *Store) SetRequire2FA(ctx context.Context, workspaceID int64, require bool) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetRequire2FA */ UPDATE workspaces SET require_2fa = ? WHERE id = ?`), flag(require), workspaceID)
	if err != nil {
		return fmt.Errorf("store: require 2fa: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	return nil
}
