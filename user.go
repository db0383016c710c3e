package foyer

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is what a user may do in a workspace.
type Role string

// The roles, from most to least trusted.
const (
	RoleOwner   Role = "owner"   // everything, including users, deletion and legal settings
	RoleAdmin   Role = "admin"   // settings, sites, imports
	RoleAnalyst Role = "analyst" // read all, export
	RoleViewer  Role = "viewer"  // read the feed, no personal data export
)

var roleRank = map[Role]int{RoleViewer: 1, RoleAnalyst: 2, RoleAdmin: 3, RoleOwner: 4}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return roleRank[r] > 0 }

// AtLeast reports whether r may do what min may.
func (r Role) AtLeast(min Role) bool { return r.Valid() && roleRank[r] >= roleRank[min] }

// ParseRole returns the role named s, or EINVALID.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", Errorf(EINVALID, "role %q: want owner, admin, analyst or viewer", s)
	}
	return r, nil
}

// User is a person who signs in to Foyer.
type User struct {
	ID    int64
	Email string // lower case; unique across the installation
	Name  string
	// PasswordHash is an argon2id hash in PHC form; "" for a user who only
	// signs in with single sign-on.
	PasswordHash      string
	CreatedAt         time.Time
	PasswordChangedAt time.Time
	// FailedLogins counts failed sign-ins in a row; LockedUntil is set when
	// they reached the limit.
	FailedLogins int
	LockedUntil  time.Time
	// TOTPSecret is the base32 secret of the user's authenticator app; ""
	// without two-factor authentication.
	TOTPSecret string
	// TimeZone is the IANA name of the zone the user reads times of day
	// in, such as Europe/Berlin; "" until the user chose one (UTC).
	TimeZone string
}

// ParseTimeZone checks an IANA time zone name and returns it trimmed;
// EINVALID for one that is not known. "UTC" is one; "Local" is not.
func ParseTimeZone(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "Local" || len(s) > 64 {
		return "", Errorf(EINVALID, "choose a time zone")
	}
	if _, err := time.LoadLocation(s); err != nil {
		return "", Errorf(EINVALID, "%q is not a time zone we know, such as Europe/Berlin", s)
	}
	return s, nil
}

// NormalizeEmail checks an address and returns it trimmed and lower-cased.
func NormalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return "", Errorf(EINVALID, "email %q is not an address such as ana@example.com", s)
	}
	return s, nil
}

// Membership is a user's role in a workspace.
type Membership struct {
	WorkspaceID   int64
	WorkspaceName string // filled by Memberships
	Require2FA    bool   // the workspace requires two-factor authentication; filled by Memberships
	UserID        int64
	Role          Role
}

// UserService keeps users and their workspace roles.
type UserService interface {
	// CreateUser stores u and sets its ID and times. ECONFLICT when the
	// email is taken, EINVALID for a bad email.
	CreateUser(ctx context.Context, u *User) error
	// UserByEmail returns the user with that email, or ENOTFOUND.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UserByID returns the user, or ENOTFOUND.
	UserByID(ctx context.Context, id int64) (*User, error)
	// SetPassword replaces a user's password hash, revokes every one of
	// the user's sessions and spends the user's reset links.
	SetPassword(ctx context.Context, userID int64, hash string) error
	// ChangePassword replaces a user's password hash and revokes every
	// session of the user but the one of keepTokenHash, in one
	// transaction. ENOTFOUND for an unknown user.
	ChangePassword(ctx context.Context, userID int64, hash string, keepTokenHash []byte) error
	// SetMembership gives a user a role in a workspace, or changes it.
	// ENOTFOUND when either does not exist.
	SetMembership(ctx context.Context, m Membership) error
	// ChangeRole gives a member of a workspace another role, checking in
	// the same transaction that the workspace keeps an owner. ENOTFOUND
	// when the user is not a member, EINVALID for an unknown role,
	// ECONFLICT when it would demote the workspace's last owner.
	ChangeRole(ctx context.Context, workspaceID, userID int64, role Role) error
	// RemoveMember ends a user's membership of a workspace, the
	// workspace's companies assigned to them (they are then assigned to
	// nobody), and the password reset links the workspace made for them, checking in the
	// same transaction that the workspace keeps an owner; the user's
	// sessions and other memberships stay. ENOTFOUND when the user is not a
	// member, ECONFLICT when they are the workspace's last owner.
	RemoveMember(ctx context.Context, workspaceID, userID int64) error
	// Memberships returns a user's workspaces and roles, by workspace ID.
	Memberships(ctx context.Context, userID int64) ([]Membership, error)
	// Role returns a user's role in a workspace, or ENOTFOUND when the user
	// is not a member.
	Role(ctx context.Context, workspaceID, userID int64) (Role, error)
	// LoginFailed counts a failed sign-in and returns how many failed in a
	// row; lockFor > 0 locks the account until now+lockFor.
	LoginFailed(ctx context.Context, userID int64, lockAfter int, lockFor time.Duration) (failures int, lockedUntil time.Time, err error)
	// LoginSucceeded clears the count of failed sign-ins.
	LoginSucceeded(ctx context.Context, userID int64) error
	// SetTOTP turns two-factor authentication on with the secret, takes
	// step as the last time step used (the code that turned it on, so that
	// it does not also sign in; 0: none), and replaces the user's recovery
	// codes by these hashes, in one transaction.
	SetTOTP(ctx context.Context, userID int64, secret string, step int64, recoveryHashes [][]byte) error
	// UseTOTPStep records that a code of the user's authenticator was
	// accepted at a time step; ECONFLICT when one of that step or a later
	// one was accepted before (a replayed code).
	UseTOTPStep(ctx context.Context, userID, step int64) error
	// UseRecoveryCode spends one of the user's recovery codes; ENOTFOUND
	// when it is not one, or was used.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte) error
	// ReplaceRecoveryCodes gives the user new recovery codes; the old ones
	// stop working. ECONFLICT when two-factor authentication is off,
	// ENOTFOUND when there is no such user.
	ReplaceRecoveryCodes(ctx context.Context, userID int64, recoveryHashes [][]byte) error
	// ClearTOTP turns two-factor authentication off: the secret, the last
	// time step used and the recovery codes are gone. EFORBIDDEN while a
	// workspace of the user requires it, ENOTFOUND when there is no such
	// user.
	ClearTOTP(ctx context.Context, userID int64) error
	// SetTimeZone stores the zone a user reads times in, checked by
	// ParseTimeZone. EINVALID for an unknown zone (nothing is stored),
	// ENOTFOUND for an unknown user.
	SetTimeZone(ctx context.Context, userID int64, zone string) error
	// SetRequire2FA says whether a workspace requires two-factor
	// authentication of its members.
	SetRequire2FA(ctx context.Context, workspaceID int64, require bool) error
}

// AuthSession is a signed-in browser. Only a hash of its token is stored.
type AuthSession struct {
	// ID names the session on the account page and in its forms: random,
	// set by CreateSession, unrelated to the token.
	ID         string
	UserID     int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
	// SecondFactor is set once the session gave its second factor, or when
	// it was created for a user who has none.
	SecondFactor bool
	// MultiFactorAtIdP is set when the session began with a single sign-on
	// whose identity provider reported multi-factor authentication; it
	// stands in for a second factor of Foyer's own.
	MultiFactorAtIdP bool
	// Device is a coarse label of the browser, such as "Firefox on Linux";
	// "" when unknown. Never an address.
	Device string
}

// SessionService keeps signed-in sessions, by the SHA-256 of their token.
type SessionService interface {
	// CreateSession stores a session for the token hash.
	CreateSession(ctx context.Context, tokenHash []byte, s AuthSession) error
	// Session returns the live session of a token hash; EUNAUTHORIZED when
	// there is none, it expired or it was revoked. It only reads, so that a
	// page waits on no write.
	Session(ctx context.Context, tokenHash []byte) (*AuthSession, error)
	// TouchSession records that the session of a token hash was seen at
	// at, unless it was seen later already; nothing for an unknown hash.
	TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error
	// RevokeSession ends one session.
	RevokeSession(ctx context.Context, tokenHash []byte) error
	// RevokeUserSessions ends every session of a user.
	RevokeUserSessions(ctx context.Context, userID int64) error
	// ConfirmSecondFactor records that a session gave its second factor.
	ConfirmSecondFactor(ctx context.Context, tokenHash []byte) error
	// Sessions returns a user's live sessions (neither revoked nor
	// expired), the most recently seen first.
	Sessions(ctx context.Context, userID int64) ([]AuthSession, error)
	// RevokeUserSession ends the live session with that ID if it is the
	// user's; ENOTFOUND otherwise (another user's, ended, or unknown).
	RevokeUserSession(ctx context.Context, userID int64, id string) error
	// RevokeOtherSessions ends every session of a user but the one of
	// keepTokenHash.
	RevokeOtherSessions(ctx context.Context, userID int64, keepTokenHash []byte) error
}

// Scope is what an API token may do.
type Scope string

// The scopes.
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
)

// APIToken is a workspace's token for scripts. Only a hash of it is kept.
type APIToken struct {
	ID          int64
	WorkspaceID int64
	Name        string
	Scope       Scope
	CreatedAt   time.Time
	LastUsedAt  time.Time // zero when never used
	Revoked     bool
}

// TokenService keeps API tokens, by the SHA-256 of the token.
type TokenService interface {
	// CreateAPIToken stores a token. EINVALID for an unknown scope,
	// ENOTFOUND for an unknown workspace.
	CreateAPIToken(ctx context.Context, tokenHash []byte, t APIToken) error
	// APIToken returns the live token of a hash; EUNAUTHORIZED when there
	// is none or it was revoked. It only reads, so that a call waits on no
	// write.
	APIToken(ctx context.Context, tokenHash []byte) (*APIToken, error)
	// TouchAPIToken records that the token of a hash was used at at,
	// unless it was used later already; nothing for an unknown hash.
	TouchAPIToken(ctx context.Context, tokenHash []byte, at time.Time) error
	// APITokens lists a workspace's tokens, newest first.
	APITokens(ctx context.Context, workspaceID int64) ([]APIToken, error)
	// RevokeAPIToken ends a token of the workspace; ENOTFOUND for another
	// workspace's.
	RevokeAPIToken(ctx context.Context, workspaceID, id int64) error
}

// LinkKind says what a one-time link does.
type LinkKind string

// The link kinds.
const (
	LinkInvite LinkKind = "invite" // join a workspace
	LinkReset  LinkKind = "reset"  // set a new password
)

// AuthLink is a one-time link an admin hands over, or a reset link a user
// asked for. Only a hash of its token is kept.
type AuthLink struct {
	Kind        LinkKind
	WorkspaceID int64  // 0 for a reset link the user asked for
	Email       string // invite
	Role        Role   // invite
	UserID      int64  // reset
	CreatedBy   int64
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// LinkService keeps one-time links.
type LinkService interface {
	// CreateLink stores a link under its token's hash.
	CreateLink(ctx context.Context, tokenHash []byte, l AuthLink) error
	// Link returns an unused, unexpired link; ENOTFOUND otherwise.
	Link(ctx context.Context, tokenHash []byte) (*AuthLink, error)
	// UseLink marks a link used; ENOTFOUND when it was used or expired
	// meanwhile, so that a link works once.
	UseLink(ctx context.Context, tokenHash []byte) error
	// AcceptInvite spends an invitation and makes u a member of its
	// workspace in the invited role, in one transaction, and returns the
	// membership. A u without an ID is created with the invited address
	// (ECONFLICT when a user has it); one with an ID must have the
	// invited address (EFORBIDDEN otherwise). An identity, when not nil,
	// is linked to u in the same transaction (ECONFLICT when it, or
	// another of u's at its issuer, is linked). ENOTFOUND when the
	// invitation is unknown, used or expired; ECONFLICT too when u is the
	// workspace's last owner and the invitation is for another role.
	AcceptInvite(ctx context.Context, tokenHash []byte, u *User, id *Identity) (*Membership, error)
	// ResetPassword spends a reset link and sets its user's password hash,
	// ending the user's sessions and other reset links and lifting a lock,
	// in one transaction; it returns the user's ID. ENOTFOUND when the
	// link is unknown, used or expired.
	ResetPassword(ctx context.Context, tokenHash []byte, hash string) (int64, error)
	// Members returns a workspace's users and roles, by email.
	Members(ctx context.Context, workspaceID int64) ([]Member, error)
	// Invitations returns a workspace's pending invitations (unused and
	// unexpired), newest first.
	Invitations(ctx context.Context, workspaceID int64) ([]Invitation, error)
	// RevokeInvitation spends a pending invitation of the workspace, so
	// that its link works no more; ENOTFOUND for an unknown, used or
	// expired one, or another workspace's.
	RevokeInvitation(ctx context.Context, workspaceID int64, id string) error
}

// Invitation is a pending invitation as a workspace's member list shows
// it.
type Invitation struct {
	// ID names the invitation in the members page's forms: the hex of
	// its token's hash, from which the token cannot be found.
	ID        string
	Email     string
	Role      Role
	InvitedBy string // the inviter's email; "" when the user is gone
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SetupService creates an installation's first owner from a one-time
// link, so that a new installation needs no command line to start.
type SetupService interface {
	// HasUsers reports whether any user exists.
	HasUsers(ctx context.Context) (bool, error)
	// CreateSetupLink stores a link to create the first owner under its
	// token's hash; ECONFLICT once a user exists.
	CreateSetupLink(ctx context.Context, tokenHash []byte, expires time.Time) error
	// SetupLink returns the names of the existing workspaces (a first
	// owner may take one, such as the demo's), oldest first, when the link
	// is known and unexpired and no user exists yet; ENOTFOUND otherwise.
	SetupLink(ctx context.Context, tokenHash []byte) (workspaces []string, err error)
	// CompleteSetup creates u and makes u the owner of a workspace, and
	// spends every setup link, in one transaction; it sets u's and w's IDs.
	// With w.ID set, the workspace is that existing one (the demo's), renamed
	// to w.Name; otherwise it is the one named w.Name, created unless it
	// exists. ENOTFOUND when the link is unknown or expired or a user exists
	// (another sign-up won), EINVALID for a bad email or an empty workspace
	// name, ECONFLICT when renaming to another workspace's name.
	CompleteSetup(ctx context.Context, tokenHash []byte, u *User, w *Workspace) error
}

// Member is a user as a workspace's member list shows them.
type Member struct {
	User User
	Role Role
	// Elsewhere is set when the user belongs to another workspace too:
	// then no owner of this one may reset their password.
	Elsewhere bool
}
