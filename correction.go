package foyer

import (
	"context"
	"time"
)

// HideKind is what a workspace's admin says an organisation is, instead of
// a company to show in its feed.
type HideKind string

// The kinds of correction. The first four say the IP data classified the
// organisation wrongly; the last two are the workspace's own choice.
const (
	HideISP        HideKind = "isp"        // a carrier: an ISP or a mobile network
	HideHosting    HideKind = "hosting"    // a hosting or cloud network
	HideVPN        HideKind = "vpn"        // a VPN or proxy service
	HideOther      HideKind = "other"      // not a company, for another reason
	HideOwn        HideKind = "own"        // the workspace's own company
	HideCompetitor HideKind = "competitor" // a competitor

	// ShowCompany is not a hiding: it says an organisation the IP data
	// left out of the feed (a carrier, a host, of unknown type) is
	// a company to show. CorrectionService.ShowOrg makes it.
	ShowCompany HideKind = "company"
)

// HideKinds lists the kinds in the order the pages offer them.
var HideKinds = []HideKind{HideISP, HideHosting, HideVPN, HideOther, HideOwn, HideCompetitor}

// Valid reports whether k is one of HideKinds.
func (k HideKind) Valid() bool {
	switch k {
	case HideISP, HideHosting, HideVPN, HideOther, HideOwn, HideCompetitor:
		return true
	}
	return false
}

// Label is the kind as the pages name it.
func (k HideKind) Label() string {
	switch k {
	case HideISP:
		return "Carrier (ISP or mobile)"
	case HideHosting:
		return "Hosting or cloud"
	case HideVPN:
		return "VPN or proxy"
	case HideOther:
		return "Not a company"
	case HideOwn:
		return "Our own company"
	case HideCompetitor:
		return "A competitor"
	case ShowCompany:
		return "A company"
	}
	return string(k)
}

// Classification is the organisation type that a correction of kind k says
// the IP data should give, as an operator's classify.tsv writes it (VPNs
// are hosting there; "other" is unknown), and false for the workspace's own
// choices (own, competitor), which say nothing of the organisation's type.
func (k HideKind) Classification() (OrgType, bool) {
	switch k {
	case HideISP:
		return OrgISP, true
	case HideHosting, HideVPN:
		return OrgHosting, true
	case HideOther:
		return OrgUnknown, true
	case ShowCompany:
		return OrgBusiness, true
	}
	return "", false
}

// HideableTypes are the organisation types a workspace may leave out of
// its feed as a whole. Business cannot be: it is what the feed is for.
var HideableTypes = []OrgType{OrgEducation, OrgGovernment, OrgNonprofit}

// OrgOverride is a workspace's correction of an organisation: it is not a
// company to show, but Kind (or, with ShowCompany, it is one after all). It is keyed by the organisation's key, so it
// holds for visits before and after it was made.
type OrgOverride struct {
	WorkspaceID int64
	// OrgKey identifies the organisation: "domain:example.com" or
	// "org:ASN:name", as companies are keyed.
	OrgKey string
	Kind   HideKind
	Name   string // the company's name, or the domain hidden before a visit
	// CreatedBy is the member who made it (0 once the account is gone),
	// CreatedByName their name or email when they did.
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	// CompanyID is the workspace's company of the organisation, 0 while
	// none visited; ASN is that company's AS number, 0 when unknown.
	CompanyID int64
	ASN       uint32
}

// LeftOutOrg is an organisation behind visits of a workspace that the IP
// data does not make a company's, so the feed leaves it out: a carrier, a
// hosting network or one of unknown type.
type LeftOutOrg struct {
	ID     int64 // the workspace's, for ShowOrg
	Name   string
	Domain string
	ASN    uint32
	Type   OrgType // what the IP data says it is
	// Visits counts its visits to the workspace's sites since the time
	// asked; LastAt is when the latest began.
	Visits int64
	LastAt time.Time
}

// CorrectionService keeps a workspace's corrections of its feed: the
// organisations it hides, and the organisation types it leaves out. The
// feed (FeedService.Feed) applies both at once, to past visits too.
// Every method is scoped by the workspace; who may call it is the caller's
// to check.
type CorrectionService interface {
	// HideCompany hides a company of the workspace's organisation as kind,
	// made by the user, and returns the override; a second correction of
	// the same organisation replaces the first. ENOTFOUND when the company
	// is not the workspace's, EINVALID for an unknown kind.
	HideCompany(ctx context.Context, workspaceID, companyID int64, kind HideKind, by *User) (*OrgOverride, error)
	// HideDomain hides the organisation of a domain (any address of it:
	// its registrable domain is kept, lower case) as kind, whether it has
	// visited or not. EINVALID for a domain that is not one, or a kind
	// that is unknown.
	HideDomain(ctx context.Context, workspaceID int64, domain string, kind HideKind, by *User) (*OrgOverride, error)
	// Unhide removes the override of an organisation, which shows again
	// in the feed with its past visits; of a ShowCompany override, the
	// organisation leaves the feed again, with the visits that came in as
	// its. ENOTFOUND when there is none.
	Unhide(ctx context.Context, workspaceID int64, orgKey string) error
	// OrgOverrides lists the workspace's overrides, newest first.
	OrgOverrides(ctx context.Context, workspaceID int64) ([]OrgOverride, error)
	// CompanyOverride returns the override that hides a company of the
	// workspace, or ENOTFOUND when none does (or the company is not the
	// workspace's).
	CompanyOverride(ctx context.Context, workspaceID, companyID int64) (*OrgOverride, error)
	// HiddenTypes returns the organisation types the workspace's feed
	// leaves out, in the order of HideableTypes.
	HiddenTypes(ctx context.Context, workspaceID int64) ([]OrgType, error)
	// SetHiddenTypes sets them; EINVALID for a type not in HideableTypes.
	SetHiddenTypes(ctx context.Context, workspaceID int64, types []OrgType) error
	// LeftOut lists the organisations the IP data kept out of the
	// workspace's feed that visited since the time, most visits first, at
	// most limit of them; those the workspace said are companies are not.
	LeftOut(ctx context.Context, workspaceID int64, since time.Time, limit int) ([]LeftOutOrg, error)
	// ShowOrg says an organisation of LeftOut is a company: the workspace's
	// feed shows it at once, with its past visits, and its later visits
	// are a company's. Unhide takes it back. ENOTFOUND when the
	// organisation is not the workspace's.
	ShowOrg(ctx context.Context, workspaceID, orgID int64, by *User) (*OrgOverride, error)
}
