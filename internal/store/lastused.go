package store

import (
	"context"
	"fmt"
	"time"
)

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

// TouchAPIToken records that the token of a hash was used at at, unless
// it was used later already. An unknown or revoked token is no error.
func (s *Store) TouchAPIToken(ctx context.Context, tokenHash []byte, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.TouchAPIToken */
		UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ? AND last_used_at < ? AND revoked_at IS NULL`),
		ms(at), tokenHash, ms(at)); err != nil {
		return fmt.Errorf("store: touch token: %w", err)
	}
	return nil
}
