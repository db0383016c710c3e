package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

var _ foyer.SessionService = (*Store)(nil)

// newPublicID returns a random session ID for the account page's forms:
// 128 bits in hex, unrelated to the session's token.
func newPublicID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// maxDevice bounds a session's device label, in bytes.
const maxDevice = 64

// clipDevice keeps a device label short and valid UTF-8.
func clipDevice(s string) string {
	return cutUTF8(strings.ToValidUTF8(strings.TrimSpace(s), ""), maxDevice)
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

// Recording when sessions and API tokens were last used. Session and
// APIToken only read, so that a page or an API call never waits on a
// write lock; the web layer records a use with these, at most once a
// minute, outside the request.

// TouchSession records that the session of a token hash was seen at at,
// unless it was seen later already. An unknown, revoked or expired
// session is no error: there is nothing to record.
func (s *Store) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.TouchSession */
		UPDATE auth_sessions SET last_seen_at = ? WHERE token_hash = ? AND last_seen_at < ? AND revoked_at IS NULL`),
		ms(at), tokenHash, ms(at)); err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
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

// ConfirmSecondFactor records that a session gave its second factor.
func (s *Store) ConfirmSecondFactor(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.ConfirmSecondFactor */
		UPDATE auth_sessions SET second_factor = 1 WHERE token_hash = ? AND revoked_at IS NULL`), tokenHash); err != nil {
		return fmt.Errorf("store: confirm second factor: %w", err)
	}
	return nil
}

// Sessions returns a user's live sessions, the most recently seen first.
func (s *Store) Sessions(ctx context.Context, userID int64) ([]foyer.AuthSession, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Sessions */
		SELECT public_id, created_at, expires_at, last_seen_at, second_factor, device FROM auth_sessions
		WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
		ORDER BY last_seen_at DESC, created_at DESC, public_id`), userID, ms(s.now()))
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	defer rows.Close()
	var out []foyer.AuthSession
	for rows.Next() {
		a := foyer.AuthSession{UserID: userID}
		var created, expires, seen, second int64
		if err := rows.Scan(&a.ID, &created, &expires, &seen, &second, &a.Device); err != nil {
			return nil, fmt.Errorf("store: sessions: %w", err)
		}
		a.CreatedAt, a.ExpiresAt, a.LastSeenAt, a.SecondFactor = fromMS(created), fromMS(expires), fromMS(seen), second != 0
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	return out, nil
}

// RevokeUserSession ends the user's live session with that public ID;
// ENOTFOUND when there is none of the user's.
func (s *Store) RevokeUserSession(ctx context.Context, userID int64, id string) error {
	now := ms(s.now())
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RevokeUserSession */
		UPDATE auth_sessions SET revoked_at = ?
		WHERE public_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ? AND public_id <> ''`),
		now, id, userID, now)
	if err != nil {
		return fmt.Errorf("store: revoke session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no such session")
	}
	return nil
}

// RevokeOtherSessions ends every session of a user but the one of
// keepTokenHash.
func (s *Store) RevokeOtherSessions(ctx context.Context, userID int64, keepTokenHash []byte) error {
	if len(keepTokenHash) != 32 {
		return foyer.Errorf(foyer.EINVALID, "a session token hash has 32 bytes")
	}
	return s.revokeSessions(ctx, s.db, userID, keepTokenHash)
}

// revokeSessions ends every live session of a user but the one of keep
// (none when keep is nil).
func (s *Store) revokeSessions(ctx context.Context, q querier, userID int64, keep []byte) error {
	query, args := `/* Store.revokeSessions */ UPDATE auth_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`,
		[]any{ms(s.now()), userID}
	if keep != nil {
		query, args = query+` AND token_hash <> ?`, append(args, keep)
	}
	if _, err := q.ExecContext(ctx, s.rebind(query), args...); err != nil {
		return fmt.Errorf("store: revoke sessions: %w", err)
	}
	return nil
}
