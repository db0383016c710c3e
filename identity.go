package foyer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Identity links a user to their account at an OpenID Connect provider:
// the provider's issuer URL and the subject it names the account by. The
// address the provider reports is not kept.
type Identity struct {
	Issuer  string
	Subject string
	UserID  int64
	// Provider is the ID of the configured provider that made the link
	// ("google"); it is informative, the issuer is what counts.
	Provider   string
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// PublicID names the link in forms and addresses: 32 hexadecimal digits
// of a SHA-256 of the issuer and the subject, so that a page never shows
// the subject and no two links share an ID.
func (i Identity) PublicID() string {
	h := sha256.Sum256([]byte(i.Issuer + "\x00" + i.Subject))
	return hex.EncodeToString(h[:16])
}

// IdentityService keeps the links between users and their accounts at
// OpenID Connect providers.
type IdentityService interface {
	// LinkIdentity links an account at a provider to a user and sets its
	// times. ECONFLICT when the account is linked already, or when the user
	// has another account at the same issuer; ENOTFOUND when the user does
	// not exist; EINVALID when the issuer or subject is empty.
	LinkIdentity(ctx context.Context, id *Identity) error
	// UserByIdentity returns the user linked to the account (issuer,
	// subject) and records the use; ENOTFOUND when none is.
	UserByIdentity(ctx context.Context, issuer, subject string) (*User, error)
	// Identities lists a user's linked accounts, by issuer.
	Identities(ctx context.Context, userID int64) ([]Identity, error)
	// UnlinkIdentity removes the user's link with that PublicID and returns
	// it. It never takes a user's last way to sign in: it returns ECONFLICT,
	// and removes nothing, when the user has no password and no other link
	// to an account at one of signInIssuers (the issuers of the providers
	// users can sign in with now). ENOTFOUND when the user has no such link,
	// also when it is another user's.
	UnlinkIdentity(ctx context.Context, userID int64, publicID string, signInIssuers []string) (Identity, error)
}
