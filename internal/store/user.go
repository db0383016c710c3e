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

var (
	_ foyer.UserService    = (*Store)(nil)
	_ foyer.SessionService = (*Store)(nil)
)

// CreateUser stores u and sets its ID and times.
func (s *Store) CreateUser(ctx context.Context, u *foyer.User) error {
	return s.createUser(ctx, s.db, u)
}

// querier runs statements on the database or in a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
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

const userColumns = `id, email, name, password_hash, created_at, password_changed_at, failed_logins, locked_until, totp_secret`

func scanUser(row *sql.Row, what string) (*foyer.User, error) {
	var u foyer.User
	var created, changed, locked int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created, &changed, &u.FailedLogins, &locked, &u.TOTPSecret)
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

// SetPassword replaces a user's password hash and revokes all the user's
// sessions, in one transaction.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string) error {
	return s.setPassword(ctx, userID, hash, nil)
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

// CreateSession stores a session under its token's hash, with a new
// random public ID; a.ID is ignored.
func (s *Store) CreateSession(ctx context.Context, tokenHash []byte, a foyer.AuthSession) error {
	if len(tokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a session token hash has 32 bytes")
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`/* Store.CreateSession */
		INSERT INTO auth_sessions (token_hash, user_id, created_at, expires_at, last_seen_at, second_factor, mfa_at_idp, public_id, device)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), tokenHash, a.UserID, ms(a.CreatedAt), ms(a.ExpiresAt), ms(a.CreatedAt),
		flag(a.SecondFactor), flag(a.MultiFactorAtIdP), newPublicID(), clipDevice(a.Device))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

// Session returns the live session of a token hash; EUNAUTHORIZED when
// there is none, it expired or it was revoked. It only reads: TouchSession
// records the visit.
func (s *Store) Session(ctx context.Context, tokenHash []byte) (*foyer.AuthSession, error) {
	now := ms(s.now())
	var a foyer.AuthSession
	var created, expires, seen, second, mfa int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Session */
		SELECT public_id, user_id, created_at, expires_at, last_seen_at, second_factor, mfa_at_idp, device FROM auth_sessions
		WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`), tokenHash, now).Scan(
		&a.ID, &a.UserID, &created, &expires, &seen, &second, &mfa, &a.Device)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.EUNAUTHORIZED, "not signed in, or the session ended")
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	a.CreatedAt, a.ExpiresAt, a.LastSeenAt, a.SecondFactor = fromMS(created), fromMS(expires), fromMS(seen), second != 0
	a.MultiFactorAtIdP = mfa != 0
	return &a, nil
}

// RevokeSession ends one session.
func (s *Store) RevokeSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RevokeSession */
		UPDATE auth_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL`),
		ms(s.now()), tokenHash); err != nil {
		return fmt.Errorf("store: revoke session: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every session of a user.
func (s *Store) RevokeUserSessions(ctx context.Context, userID int64) error {
	return s.revokeSessions(ctx, s.db, userID, nil)
}

// CreateAPIToken stores a token for a workspace.
func (s *Store) CreateAPIToken(ctx context.Context, tokenHash []byte, t foyer.APIToken) error {
	if t.Scope != foyer.ScopeRead && t.Scope != foyer.ScopeWrite {
		return foyer.Errorf(foyer.EINVALID, "scope %q: want read or write", t.Scope)
	}
	if len(tokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a token hash has 32 bytes")
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.CreateAPIToken */
		INSERT INTO api_tokens (token_hash, workspace_id, name, scope, created_at)
		SELECT ?, id, ?, ?, ? FROM workspaces WHERE id = ?`),
		tokenHash, strings.TrimSpace(t.Name), string(t.Scope), ms(s.now()), t.WorkspaceID)
	if err != nil {
		return fmt.Errorf("store: create token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", t.WorkspaceID)
	}
	return nil
}

// APIToken returns the live token of a hash. It only reads: TouchAPIToken
// records its use.
func (s *Store) APIToken(ctx context.Context, tokenHash []byte) (*foyer.APIToken, error) {
	var t foyer.APIToken
	var scope string
	var created, used int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.APIToken */
		SELECT id, workspace_id, name, scope, created_at, last_used_at FROM api_tokens
		WHERE token_hash = ? AND revoked_at IS NULL`), tokenHash).Scan(&t.ID, &t.WorkspaceID, &t.Name, &scope, &created, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.EUNAUTHORIZED, "unknown or revoked API token")
	}
	if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	t.Scope, t.CreatedAt = foyer.Scope(scope), fromMS(created)
	if used > 0 {
		t.LastUsedAt = fromMS(used)
	}
	return &t, nil
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

// ConfirmSecondFactor records that a session gave its second factor.
func (s *Store) ConfirmSecondFactor(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.ConfirmSecondFactor */
		UPDATE auth_sessions SET second_factor = 1 WHERE token_hash = ? AND revoked_at IS NULL`), tokenHash); err != nil {
		return fmt.Errorf("store: confirm second factor: %w", err)
	}
	return nil
}

// SetTOTP turns two-factor authentication on and replaces the recovery
// codes, in one transaction.
func (s *Store) SetTOTP(ctx context.Context, userID int64, secret string, recoveryHashes [][]byte) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: set totp: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, s.rebind(`/* Store.SetTOTP */ UPDATE users SET totp_secret = ?, totp_last_step = 0 WHERE id = ?`), secret, userID)
	if err != nil {
		return fmt.Errorf("store: set totp: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no user %d", userID)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.SetTOTP */ DELETE FROM recovery_codes WHERE user_id = ?`), userID); err != nil {
		return fmt.Errorf("store: set totp: %w", err)
	}
	for _, h := range recoveryHashes {
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.SetTOTP */
			INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`), userID, h); err != nil {
			return fmt.Errorf("store: set totp: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: set totp: %w", err)
	}
	return nil
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

// APITokens lists a workspace's tokens, newest first.
func (s *Store) APITokens(ctx context.Context, workspaceID int64) ([]foyer.APIToken, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.APITokens */
		SELECT id, name, scope, created_at, last_used_at, revoked_at IS NOT NULL FROM api_tokens
		WHERE workspace_id = ? ORDER BY id DESC`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	var out []foyer.APIToken
	for rows.Next() {
		t := foyer.APIToken{WorkspaceID: workspaceID}
		var scope string
		var created, used int64
		if err := rows.Scan(&t.ID, &t.Name, &scope, &created, &used, &t.Revoked); err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		t.Scope, t.CreatedAt = foyer.Scope(scope), fromMS(created)
		if used > 0 {
			t.LastUsedAt = fromMS(used)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeAPIToken ends a token of the workspace.
func (s *Store) RevokeAPIToken(ctx context.Context, workspaceID, id int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RevokeAPIToken */
		UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL`), ms(s.now()), id, workspaceID)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "token %d not found", id)
	}
	return nil
}
