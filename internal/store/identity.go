package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/foyerhq/foyer"
)

var _ foyer.IdentityService = (*Store)(nil)

// LinkIdentity links an account at an OpenID Connect provider to a user.
func (s *Store) LinkIdentity(ctx context.Context, id *foyer.Identity) error {
	return s.linkIdentity(ctx, s.db, id)
}

// linkIdentity links id to its user with q, which may be a transaction:
// the conflicts are looked for first, so that a transaction is not
// aborted by a violated constraint (PostgreSQL's would be).
func (s *Store) linkIdentity(ctx context.Context, q querier, id *foyer.Identity) error {
	if id.Issuer == "" || id.Subject == "" {
		return foyer.Errorf(foyer.EINVALID, "an identity needs an issuer and a subject")
	}
	var n int
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.LinkIdentity */
		SELECT COUNT(*) FROM identities WHERE issuer = ? AND subject = ?`), id.Issuer, id.Subject).Scan(&n)
	if err == nil && n > 0 {
		return foyer.Errorf(foyer.ECONFLICT, "this account at %s is linked to a user already", id.Issuer)
	}
	if err == nil {
		err = q.QueryRowContext(ctx, s.rebind(`/* Store.LinkIdentity */
			SELECT COUNT(*) FROM identities WHERE issuer = ? AND user_id = ?`), id.Issuer, id.UserID).Scan(&n)
	}
	if err == nil && n > 0 {
		return foyer.Errorf(foyer.ECONFLICT, "the user has another account at %s linked", id.Issuer)
	}
	if err != nil {
		return fmt.Errorf("store: link identity: %w", err)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	res, err := q.ExecContext(ctx, s.rebind(`/* Store.LinkIdentity */
		INSERT INTO identities (issuer, subject, user_id, provider, created_at, last_used_at)
		SELECT ?, ?, id, ?, ?, ? FROM users WHERE id = ?`),
		id.Issuer, id.Subject, id.Provider, ms(now), ms(now), id.UserID)
	if isUniqueViolation(err) { // linked meanwhile
		return foyer.Errorf(foyer.ECONFLICT, "this account at %s, or another of the user's there, is linked already", id.Issuer)
	}
	if err != nil {
		return fmt.Errorf("store: link identity: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no user %d", id.UserID)
	}
	id.CreatedAt, id.LastUsedAt = now, now
	return nil
}

// UserByIdentity returns the user linked to (issuer, subject) and records
// the use, or ENOTFOUND.
func (s *Store) UserByIdentity(ctx context.Context, issuer, subject string) (*foyer.User, error) {
	var userID int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.UserByIdentity */
		UPDATE identities SET last_used_at = ? WHERE issuer = ? AND subject = ? RETURNING user_id`),
		ms(s.now()), issuer, subject).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no user is linked to this account at %s", issuer)
	}
	if err != nil {
		return nil, fmt.Errorf("store: user by identity: %w", err)
	}
	return s.UserByID(ctx, userID)
}

// Identities lists a user's linked accounts, by issuer.
func (s *Store) Identities(ctx context.Context, userID int64) ([]foyer.Identity, error) {
	return s.identities(ctx, s.db, userID)
}

func (s *Store) identities(ctx context.Context, q querier, userID int64) ([]foyer.Identity, error) {
	rows, err := q.QueryContext(ctx, s.rebind(`/* Store.Identities */
		SELECT issuer, subject, provider, created_at, last_used_at FROM identities WHERE user_id = ? ORDER BY issuer`), userID)
	if err != nil {
		return nil, fmt.Errorf("store: identities: %w", err)
	}
	defer rows.Close()
	var out []foyer.Identity
	for rows.Next() {
		id := foyer.Identity{UserID: userID}
		var created, used int64
		if err := rows.Scan(&id.Issuer, &id.Subject, &id.Provider, &created, &used); err != nil {
			return nil, fmt.Errorf("store: identities: %w", err)
		}
		id.CreatedAt, id.LastUsedAt = fromMS(created), fromMS(used)
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: identities: %w", err)
	}
	return out, nil
}

// UnlinkIdentity removes the user's link with that public ID, unless it is
// the user's last way to sign in (ECONFLICT): no password, and no other
// link at one of signInIssuers. The check and the removal are one
// transaction under the user's row lock (on SQLite, the write lock every
// transaction takes), so two unlinks at once cannot both pass it.
func (s *Store) UnlinkIdentity(ctx context.Context, userID int64, publicID string, signInIssuers []string) (foyer.Identity, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return foyer.Identity{}, fmt.Errorf("store: unlink identity: %w", err)
	}
	defer tx.Rollback()
	id, err := s.unlinkIdentity(ctx, tx, userID, publicID, signInIssuers)
	if err != nil {
		return foyer.Identity{}, err
	}
	if err := tx.Commit(); err != nil {
		return foyer.Identity{}, fmt.Errorf("store: unlink identity: %w", err)
	}
	return id, nil
}

func (s *Store) unlinkIdentity(ctx context.Context, tx *sql.Tx, userID int64, publicID string, signInIssuers []string) (foyer.Identity, error) {
	notFound := foyer.Errorf(foyer.ENOTFOUND, "no such linked account")
	q := `/* Store.UnlinkIdentity */ SELECT password_hash FROM users WHERE id = ?`
	if s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var password string
	err := tx.QueryRowContext(ctx, s.rebind(q), userID).Scan(&password)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Identity{}, notFound
	}
	if err != nil {
		return foyer.Identity{}, fmt.Errorf("store: unlink identity: %w", err)
	}
	ids, err := s.identities(ctx, tx, userID)
	if err != nil {
		return foyer.Identity{}, err
	}
	i := slices.IndexFunc(ids, func(id foyer.Identity) bool { return id.PublicID() == publicID })
	if i < 0 {
		return foyer.Identity{}, notFound
	}
	target := ids[i]
	other := slices.ContainsFunc(ids, func(id foyer.Identity) bool {
		return id.PublicID() != publicID && slices.Contains(signInIssuers, id.Issuer)
	})
	if password == "" && !other {
		return foyer.Identity{}, foyer.Errorf(foyer.ECONFLICT, "this linked account is the user's only way to sign in")
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.UnlinkIdentity */
		DELETE FROM identities WHERE user_id = ? AND issuer = ? AND subject = ?`), userID, target.Issuer, target.Subject); err != nil {
		return foyer.Identity{}, fmt.Errorf("store: unlink identity: %w", err)
	}
	return target, nil
}
