package foyer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf8"
)

// AuditAction is what an audit log entry records.
type AuditAction string

// The recorded actions. An object type and ID say what each acted on.
const (
	AuditSignIn          AuditAction = "sign_in"           // a whole sign-in (password and code, or single sign-on)
	AuditSignInFailed    AuditAction = "sign_in_failed"    // a wrong password or code
	AuditPasswordChanged AuditAction = "password_changed"  // the user changed their password
	AuditTwoFactorOn     AuditAction = "2fa_on"            // the user turned two-factor authentication on
	AuditTwoFactorOff    AuditAction = "2fa_off"           // … off
	AuditRecoveryCodes   AuditAction = "2fa_recovery"      // … made new recovery codes
	AuditRequire2FA      AuditAction = "2fa_required"      // the workspace's requirement changed
	AuditInvite          AuditAction = "member_invited"    // an invitation was made
	AuditInviteRevoked   AuditAction = "invite_revoked"    // … revoked
	AuditJoined          AuditAction = "member_joined"     // an invitation was accepted
	AuditRoleChanged     AuditAction = "role_changed"      // a member's role
	AuditMemberRemoved   AuditAction = "member_removed"    // a member left the workspace
	AuditResetLink       AuditAction = "reset_link_made"   // an owner made a member's password reset link
	AuditSettings        AuditAction = "settings_changed"  // a workspace setting
	AuditSiteSettings    AuditAction = "site_changed"      // a site's settings, or a site added or deleted
	AuditExport          AuditAction = "export"            // a CSV export (feed, contacts, audit log)
	AuditContactViewed   AuditAction = "contact_viewed"    // a contact's profile was shown
	AuditContactImport   AuditAction = "contact_import"    // an import of contacts was started
	AuditContactCreated  AuditAction = "contact_created"   // a contact was added by hand
	AuditContactUpdated  AuditAction = "contact_updated"   // … edited
	AuditContactDeleted  AuditAction = "contact_deleted"   // … deleted
	AuditConsentChanged  AuditAction = "consent_changed"   // a contact's tracking consent, by a user
	AuditTokenCreated    AuditAction = "api_token_created" // an API token was made
	AuditTokenRevoked    AuditAction = "api_token_revoked" // … revoked
	AuditTokenUsed       AuditAction = "api_token_used"    // … used (once an hour at most per token)
	AuditRequestOpened   AuditAction = "request_opened"    // a data-subject request was recorded
	AuditRequestClosed   AuditAction = "request_closed"    // … carried out or rejected
	AuditOrgCorrected    AuditAction = "org_corrected"     // an organisation hidden, shown as a company, or its correction undone
)

// AuditActions lists the actions, in the order the audit page offers them.
var AuditActions = []AuditAction{
	AuditSignIn, AuditSignInFailed, AuditPasswordChanged, AuditTwoFactorOn, AuditTwoFactorOff, AuditRecoveryCodes, AuditRequire2FA,
	AuditInvite, AuditInviteRevoked, AuditJoined, AuditRoleChanged, AuditMemberRemoved, AuditResetLink,
	AuditSettings, AuditSiteSettings, AuditExport, AuditContactViewed, AuditContactImport,
	AuditContactCreated, AuditContactUpdated, AuditContactDeleted, AuditConsentChanged,
	AuditTokenCreated, AuditTokenRevoked, AuditTokenUsed, AuditRequestOpened, AuditRequestClosed, AuditOrgCorrected,
	AuditAutomationCreated, AuditAutomationChanged, AuditAutomationDeleted, AuditCampaignSent,
}

// Label is the action as the audit page names it.
func (a AuditAction) Label() string {
	s := strings.ReplaceAll(string(a), "_", " ")
	s = strings.Replace(s, "2fa", "two-factor", 1)
	s = strings.Replace(s, "api ", "API ", 1)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// The kinds of actor of an audit entry.
const (
	ActorUser   = "user"   // a signed-in user, or one signing in
	ActorToken  = "token"  // an API token
	ActorSystem = "system" // Foyer itself, or a command of the operator
	ActorNobody = "nobody" // a sign-in for an address without an account
	// A contact acting through a hosted form is ActorContact.
)

// AuditEntry is one entry of a workspace's audit log: who did what, when,
// to which object, from which browser. Entries are only appended, each
// sealed with a hash over its content and its workspace's previous entry's
// hash, as the consent history's are (ConsentEntry), and verified the same
// way (ChainVerifier). It holds no IP address: Network, when set, is a
// keyed hash of the client's /24 (IPv4) or /48 (IPv6) network, which tells
// two entries from one network apart from others without saying which.
//
// WorkspaceID 0 is the installation's own log: failed sign-ins for
// addresses without an account, which belong to no workspace. Their Actor
// is then a keyed hash of the address, never the address.
type AuditEntry struct {
	ID          int64
	WorkspaceID int64
	At          time.Time // millisecond precision, UTC
	ActorKind   string    // ActorUser, ActorToken, ActorSystem, ActorNobody or ActorContact
	ActorID     int64     // the user's or the token's ID; 0 for others
	Actor       string    // the user's name and email, or the token's name, at the time
	Action      AuditAction
	ObjectType  string // "contact", "user", "site", "token", "workspace", "export" …; "" for none
	ObjectID    string // the object's ID within its type
	Detail      string // what changed, in a few words (a new role, a setting's name, an invited address); never a contact's personal data
	UserAgent   string // cut to MaxUserAgent bytes
	Network     string // a keyed hash of the client's network, or ""
	PrevHash    [32]byte
	Hash        [32]byte
}

// MaxUserAgent is how much of a user agent an audit entry keeps.
const MaxUserAgent = 256

// auditEncodingVersion is the first byte of an entry's canonical encoding.
const auditEncodingVersion = 1

// Tidy rounds At to the millisecond in UTC and cuts the user agent and the
// detail to their bounds on a rune boundary, as the entry is stored.
func (e *AuditEntry) Tidy() {
	e.At = msUTC(e.At)
	e.UserAgent = cutRunes(e.UserAgent, MaxUserAgent)
	e.Detail = cutRunes(e.Detail, 512)
	e.Actor = cutRunes(e.Actor, 512)
}

// cutRunes cuts s to at most n bytes, on a rune boundary.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Seal sets PrevHash to prev (the hash of the workspace's previous entry,
// or the anchor retention left, zero for the first) and Hash. ID must be
// set: it is part of the hash. Call Tidy first.
func (e *AuditEntry) Seal(prev [32]byte) {
	e.PrevHash = prev
	e.Hash = sha256.Sum256(e.encode())
}

// Link is what a ChainVerifier checks of the entry.
func (e *AuditEntry) Link() ChainLink {
	return ChainLink{ID: e.ID, WorkspaceID: e.WorkspaceID, Sum: sha256.Sum256(e.encode()), PrevHash: e.PrevHash, Hash: e.Hash}
}

// encode is the entry's canonical encoding, everything but Hash: a version
// byte, integers as 8 bytes big endian, strings as a 4-byte length and
// their bytes, then PrevHash.
func (e *AuditEntry) encode() []byte {
	b := make([]byte, 0, 160+len(e.Actor)+len(e.Detail)+len(e.UserAgent))
	b = append(b, auditEncodingVersion)
	for _, n := range []int64{e.ID, e.WorkspaceID, e.At.UnixMilli(), e.ActorID} {
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	for _, s := range []string{e.ActorKind, e.Actor, string(e.Action), e.ObjectType, e.ObjectID, e.Detail, e.UserAgent, e.Network} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return append(b, e.PrevHash[:]...)
}

// AuditFilter selects entries of a workspace's log. Zero fields select
// everything.
type AuditFilter struct {
	Action     AuditAction
	ObjectType string
	ObjectID   string
	Actor      string    // a part of the actor's name or email, any case
	From, To   time.Time // At in [From, To)
	BeforeID   int64     // for the next page: entries older than this one
	Limit      int       // at most this many (1 to 1000; 100 when 0)
}

// AuditService keeps the audit log. Every method is scoped by the
// workspace; who may call it is the caller's to check.
//
// Recording policy: an action that changes something records its entry
// after it succeeded, and a failure to record is logged (slog, at error
// level) without undoing the action; a read of personal data (a contact's
// profile, an export) is recorded before the data is shown, and is refused
// when the entry cannot be stored.
type AuditService interface {
	// RecordAudit appends e to its workspace's log (0: the installation's)
	// and sets its ID, At (the store's clock) and hashes. EINVALID without
	// an action.
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// RecordTokenUse appends an AuditTokenUsed entry for the token unless
	// one for it was recorded in the same clock hour already; it reports
	// whether it did.
	RecordTokenUse(ctx context.Context, e *AuditEntry) (bool, error)
	// AuditLog returns the workspace's entries the filter selects, newest
	// first, and whether older ones follow.
	AuditLog(ctx context.Context, workspaceID int64, f AuditFilter) (entries []AuditEntry, more bool, err error)
	// VerifyAudit checks the workspace's whole log (0: the installation's)
	// against its hashes, its retention anchor and its head; nil when
	// intact.
	VerifyAudit(ctx context.Context, workspaceID int64) (*ChainBreak, error)
	// PruneAudit deletes the entries older than before, of every log, at
	// most batch in each transaction, and keeps each log verifiable: the
	// hash of the last entry deleted becomes the log's anchor. It returns
	// how many it deleted.
	PruneAudit(ctx context.Context, before time.Time, batch int) (int, error)
}

// AuditRetention is how long audit entries are kept by default.
const AuditRetention = 2 * 365 * 24 * time.Hour
