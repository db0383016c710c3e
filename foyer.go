// Package foyer holds Foyer's domain: the types every other package speaks in,
// the service interfaces that storage and the collector implement, and the
// error codes that travel from storage to the HTTP answer. It does no I/O.
package foyer

import (
	"time"
)

// Version is the build's version, set with -ldflags "-X github.com/foyerhq/foyer.Version=…".
var Version = "dev"

// Workspace is one customer of a Foyer installation. No data ever crosses
// from one workspace to another.
type Workspace struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Site is a website that carries the tracker. Its public Key is what the
// tracker's data-site attribute names.
type Site struct {
	ID          int64
	WorkspaceID int64
	Key         string
	Name        string
	// Hostnames lists the hostnames whose pages may send events, without
	// port; "*.example.com" allows every subdomain of example.com.
	Hostnames []string
	// HonorGPC makes the collector drop requests that carry Sec-GPC: 1 or
	// DNT: 1; when it is off, the snippet carries data-gpc="ignore".
	HonorGPC bool
	// Consent says whether the site tracks before a visitor consents.
	// ValidateSite makes "" ConsentNone.
	Consent ConsentMode
	// ExcludedPaths are path patterns (see MatchPath) whose events the
	// collector drops before anything of them is stored.
	ExcludedPaths []string
	// KeepParams names the query parameters that stored page URLs keep
	// (see ValidateKeepParams), in lower case. Every other parameter is
	// dropped before anything is stored, except the UTM ones, which are
	// taken into the visit's source; a kept parameter's value is still
	// dropped when it looks like an identifier.
	KeepParams []string
	// Identify holds the person-identification features, all off by default.
	Identify  Identification
	CreatedAt time.Time
}

// ConsentMode says when the tracker may send and the collector may store
// a visitor's events.
type ConsentMode string

// The consent modes. Their names are stored: never rename.
const (
	// ConsentNone tracks without asking. It is only for first-party
	// analytics where the operator's legal basis allows it.
	ConsentNone ConsentMode = "none"
	// ConsentRequired sends and stores nothing until the page calls
	// foyer.consent(true): the snippet carries data-consent="required", the
	// tracker then flags every batch with "consent": true, and the
	// collector refuses a batch of the site without that flag.
	ConsentRequired ConsentMode = "required"
)

// Identification holds a site's person-identification features (Persona
// Insights, see PersonaService): linking a visit to an existing contact of
// the workspace, never creating one. All are off by default, and none
// works while the workspace has Persona Insights off, nor for a contact
// MayTrack refuses.
type Identification struct {
	// Forms links visits to contacts from tracked form submissions: an
	// email field that matches a known contact. MarkedForms limits it to
	// the forms marked data-foyer-form.
	Forms       bool
	MarkedForms bool
	// EmailLinks links visits to contacts from the identifiers (the email,
	// or Foyer's token fy_t) in the links of tracked emails. Params names
	// the landing URL's parameters of the email, first name and last name,
	// in that order; nil for the defaults, DefaultIdentifyParams.
	EmailLinks bool
	Params     []string
	// HubSpot links visits to contacts through HubSpot's user token (the
	// hubspotutk cookie), which the workspace's HubSpot connector resolves.
	HubSpot bool
}

// DefaultIdentifyParams are the landing URL's parameters of the email,
// first name and last name in the links of tracked emails.
var DefaultIdentifyParams = []string{"fy_email", "fy_fn", "fy_ln"}

// TokenParam is the landing URL's parameter of Foyer's contact token.
const TokenParam = "fy_t"

// IdentifyParams returns the site's parameters of the email, first name
// and last name (see Identification.Params).
func (s *Site) IdentifyParams() []string {
	if len(s.Identify.Params) == 3 {
		return s.Identify.Params
	}
	return DefaultIdentifyParams
}

// EventKind says what a visitor did.
type EventKind int8

// The event kinds. Their numbers are stored: never renumber.
const (
	KindPageview   EventKind = 1
	KindEngagement EventKind = 2
	KindOutbound   EventKind = 3
)

var kindNames = map[EventKind]string{
	KindPageview:   "pageview",
	KindEngagement: "engagement",
	KindOutbound:   "outbound",
}

// String returns the kind's name as the collector protocol spells it.
func (k EventKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	if k == KindIdentify {
		return "identify" // never stored: ParseEventKind does not take it
	}
	return "unknown"
}

// ParseEventKind returns the kind named s, or EINVALID.
func ParseEventKind(s string) (EventKind, error) {
	for k, name := range kindNames {
		if name == s {
			return k, nil
		}
	}
	return 0, Errorf(EINVALID, "unknown event type %q", s)
}

// UTM holds a visit's campaign parameters.
type UTM struct {
	Source, Medium, Campaign, Term, Content string
}

// IsZero reports whether no parameter is set.
func (u UTM) IsZero() bool { return u == UTM{} }

// Hit is one validated, sanitised event on its way to storage: no IP
// address, no identifiers in its URLs. The collector builds hits; the store
// turns them into visitors, visits and events.
type Hit struct {
	SiteID     int64
	VisitorUID string
	Time       time.Time
	Kind       EventKind
	Host       string // the page's hostname, lower case, no port
	Path       string // path and kept query, identifiers removed
	Title      string
	Referrer   string // external referrer: scheme://host/path, or ""
	UTM        UTM
	EngagedMS  int64
	Target     string // outbound link, identifiers removed
	Origin     Origin // what the IP address resolved to; the address itself is gone
	// ContactID and Via, of a KindIdentify hit only, are the contact its
	// visitor is linked to from this hit on, and how it was recognised.
	ContactID int64
	Via       IdentifyVia
}

// Batch is one accepted request's hits with the ID the collector gave it,
// which a queue carries to the workers and the store records, so that a
// redelivered batch is stored once.
type Batch struct {
	ID   string // at most MaxBatchID bytes
	Hits []Hit
}

// MaxBatchID bounds a batch ID's length.
const MaxBatchID = 64

// BatchIDKeep is how long the store remembers a stored batch's ID: far
// longer than any queue's redelivery of a message whose acknowledgement
// was lost.
const BatchIDKeep = 7 * 24 * time.Hour

// StoredEvent is an event as read back from storage, with its visit's
// attributes joined in. It is what exports and the API show.
type StoredEvent struct {
	ID          int64     `json:"id"`
	Time        time.Time `json:"time"`
	Type        string    `json:"type"`
	VisitID     int64     `json:"visit_id"`
	VisitorUID  string    `json:"visitor"`
	Host        string    `json:"host"`
	Path        string    `json:"path"`
	Title       string    `json:"title,omitempty"`
	EngagedMS   int64     `json:"engaged_ms,omitempty"`
	Target      string    `json:"target,omitempty"`
	Referrer    string    `json:"referrer,omitempty"`
	UTMSource   string    `json:"utm_source,omitempty"`
	UTMMedium   string    `json:"utm_medium,omitempty"`
	UTMCampaign string    `json:"utm_campaign,omitempty"`
	UTMTerm     string    `json:"utm_term,omitempty"`
	UTMContent  string    `json:"utm_content,omitempty"`
	Country     string    `json:"country,omitempty"`
	City        string    `json:"city,omitempty"`
	// OrgType is the type of the organisation behind the visit's network
	// ("" when no IP data answered); Company and CompanyDomain name it
	// when it is shown as a company.
	OrgType       string `json:"org_type,omitempty"`
	Company       string `json:"company,omitempty"`
	CompanyDomain string `json:"company_domain,omitempty"`
}
