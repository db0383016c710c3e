package foyer

import (
	"context"
	"time"
)

// Persona Insights links visits to contacts the workspace already has,
// from the identifiers a visitor's browser sends: an email typed into a
// tracked form, the email or Foyer's token in the link of a tracked email,
// or the HubSpot user token. It never creates a contact, it never works
// backwards (the visits before the identification stay anonymous), and it
// links only a contact that MayTrack allows. Identifiers that match no
// such contact are dropped in memory: nothing of them is stored.

// IdentifyVia says how a visitor was recognised. Its numbers are stored:
// never renumber.
type IdentifyVia int8

// The ways a visitor is recognised.
const (
	ViaForm      IdentifyVia = 1 // an email field of a tracked form
	ViaEmailLink IdentifyVia = 2 // the email in the link of a tracked email
	ViaToken     IdentifyVia = 3 // Foyer's token (fy_t) in the link of a tracked email
	ViaHubSpot   IdentifyVia = 4 // the HubSpot user token (hubspotutk cookie)
)

var viaNames = [...]string{ViaForm: "form", ViaEmailLink: "email_link", ViaToken: "token", ViaHubSpot: "hubspot"}

var viaLabels = [...]string{ViaForm: "Form", ViaEmailLink: "Email link", ViaToken: "Email token", ViaHubSpot: "HubSpot"}

// String returns the way's name as the collector protocol spells it.
func (v IdentifyVia) String() string {
	if v > 0 && int(v) < len(viaNames) {
		return viaNames[v]
	}
	return "unknown"
}

// Label returns the way as shown to users.
func (v IdentifyVia) Label() string {
	if v > 0 && int(v) < len(viaLabels) {
		return viaLabels[v]
	}
	return "Unknown"
}

// ParseIdentifyVia returns the way named s, or EINVALID.
func ParseIdentifyVia(s string) (IdentifyVia, error) {
	for v, name := range viaNames {
		if name != "" && name == s {
			return IdentifyVia(v), nil
		}
	}
	return 0, Errorf(EINVALID, "unknown identification source: use form, email_link, token or hubspot")
}

// KindIdentify is a Hit that links its visitor to a contact (Hit.ContactID)
// from the hit's time on. It is never stored as an event.
const KindIdentify EventKind = 4

// Identifiers is what one identification event of a browser carries. It
// lives in memory only, in the collector, until matched or dropped.
type Identifiers struct {
	Via                 IdentifyVia
	Email               string
	FirstName, LastName string // never match alone: kept for nothing but the protocol
	Token               string
	HubSpotUTK          string
}

// PersonaBasis is the legal basis a workspace recorded when it switched
// Persona Insights on. Its values are stored: never rename.
type PersonaBasis string

// The legal bases. PersonaOff is none: Persona Insights is off.
const (
	PersonaOff                PersonaBasis = ""
	PersonaLegitimateInterest PersonaBasis = "legitimate_interest"
	PersonaConsent            PersonaBasis = "consent"
)

// Label returns the basis as shown to users.
func (b PersonaBasis) Label() string {
	switch b {
	case PersonaLegitimateInterest:
		return "Legitimate interest"
	case PersonaConsent:
		return "Consent"
	}
	return "Off"
}

// ParsePersonaBasis returns the basis named s ("" is PersonaOff), or EINVALID.
func ParsePersonaBasis(s string) (PersonaBasis, error) {
	switch b := PersonaBasis(s); b {
	case PersonaOff, PersonaLegitimateInterest, PersonaConsent:
		return b, nil
	}
	return "", Errorf(EINVALID, "unknown legal basis %q: choose legitimate_interest or consent", s)
}

// PersonaSettings are a workspace's Persona Insights settings.
type PersonaSettings struct {
	Basis PersonaBasis // PersonaOff when off
	// By and At say who switched it on or off last, and when.
	By string
	At time.Time
	// HubSpot says whether a HubSpot private app token is stored;
	// HubSpotError is the connector's last failure ("" when its last call
	// worked), at HubSpotCheckedAt.
	HubSpot          bool
	HubSpotError     string
	HubSpotCheckedAt time.Time
}

// On reports whether Persona Insights is on.
func (p PersonaSettings) On() bool { return p.Basis != PersonaOff }

// VisitPerson is the contact a visit is linked to, as a visit timeline
// shows it.
type VisitPerson struct {
	ContactID    int64
	Name         string // first and last name, or the email when it has none
	Role         string
	Via          IdentifyVia
	IdentifiedAt time.Time // from when the visit is the contact's
}

// IdentifiedVisit is a visit linked to a contact, with the pages from its
// identification on.
type IdentifiedVisit struct {
	Visit
	Via          IdentifyVia
	IdentifiedAt time.Time
	CompanyID    int64
	CompanyName  string
	SiteName     string
}

// ActivityVisit is one visit of the workspace's activity stream.
type ActivityVisit struct {
	Visit
	SiteName    string
	CompanyID   int64 // 0: no company (a carrier, a host or unknown)
	CompanyName string
	OrgType     OrgType
}

// ActivityQuery selects a page of the activity stream, newest first.
type ActivityQuery struct {
	WorkspaceID int64
	Identified  bool  // only visits linked to a contact
	BeforeID    int64 // visits older than this one; 0 for the newest
	Limit       int   // 1 to 200; 0 for 50
}

// ContactToken is a token for the links of tracked emails: fy_t=Token in a
// landing URL identifies the contact until Expires.
type ContactToken struct {
	Token     string
	ContactID int64
	Expires   time.Time
}

// DefaultTokenLife is how long a contact token works when not told.
const DefaultTokenLife = 90 * 24 * time.Hour

// PersonaService links visits to contacts (see Persona Insights above) and
// keeps the workspace's settings for it. Every method is scoped by the
// workspace: another workspace's contact or visit is ENOTFOUND.
type PersonaService interface {
	PersonaSettings(ctx context.Context, workspaceID int64) (PersonaSettings, error)
	// SetPersonaBasis switches Persona Insights on with the legal basis,
	// or off with PersonaOff.
	SetPersonaBasis(ctx context.Context, workspaceID int64, basis PersonaBasis, actor string) error

	// MatchIdentifiers returns the contact of the workspace that ids name
	// and that may be tracked now, or 0: by the token, else by the email
	// (names never match). It writes nothing. Persona Insights off matches
	// nobody.
	MatchIdentifiers(ctx context.Context, workspaceID int64, ids *Identifiers) (int64, error)
	// MatchCRM returns the trackable contact of the workspace with that
	// CRM ID, else the one with that email, or 0, as MatchIdentifiers.
	MatchCRM(ctx context.Context, workspaceID int64, crmID, email string) (int64, error)

	// CreateContactToken makes a token that identifies the contact in the
	// links of tracked emails, for life (DefaultTokenLife when 0).
	CreateContactToken(ctx context.Context, workspaceID, contactID int64, life time.Duration, actor string) (*ContactToken, error)

	// ContactVisits returns up to limit of the contact's identified
	// visits, newest first, older than beforeID when not 0, with the
	// pages from each one's identification on.
	ContactVisits(ctx context.Context, workspaceID, contactID int64, beforeID int64, limit int) ([]IdentifiedVisit, error)
	// UnlinkVisit makes one identified visit of the contact anonymous again
	// (ENOTFOUND when the visit is not the contact's); UnlinkContact
	// all of a contact's, and forgets the browsers linked to it, so that
	// its next visits are anonymous until it is identified again. Both
	// record the change; UnlinkContact returns how many visits it unlinked.
	UnlinkVisit(ctx context.Context, workspaceID, contactID, visitID int64, actor string) error
	UnlinkContact(ctx context.Context, workspaceID, contactID int64, actor string) (int, error)

	// CompanyContacts lists the workspace's contacts at the company (by
	// their email's domain), at most limit.
	CompanyContacts(ctx context.Context, workspaceID, companyID int64, limit int) ([]*Contact, error)
	// Activity returns the latest visits of the workspace across
	// companies, identified and anonymous.
	Activity(ctx context.Context, q ActivityQuery) ([]ActivityVisit, error)

	// SetHubSpotToken stores the workspace's HubSpot private app token,
	// sealed; "" removes it. HubSpotToken returns it ("" when none).
	SetHubSpotToken(ctx context.Context, workspaceID int64, token, actor string) error
	HubSpotToken(ctx context.Context, workspaceID int64) (string, error)
	// SetHubSpotStatus records the connector's last call: errText "" when
	// it worked.
	SetHubSpotStatus(ctx context.Context, workspaceID int64, errText string) error
}
