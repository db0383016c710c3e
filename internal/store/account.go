package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

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
	s = strings.ToValidUTF8(strings.TrimSpace(s), "")
	for len(s) > maxDevice {
		_, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
	}
	return s
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
