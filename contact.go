package foyer

import (
	"context"
	"time"
)

// Contact is a person a workspace already knows: created by a user, an
// import or the API, never by tracking. Its personal fields (email, names,
// role, phone, attributes) are stored sealed (see internal/vault).
type Contact struct {
	ID          int64
	WorkspaceID int64
	Email       string // normalised: trimmed, lower case
	FirstName   string
	LastName    string
	Role        string // job title
	Phone       string
	Company     string            // the company as the customer wrote it
	Language    string            // the language of the hosted forms, "en" or "fr"; "" to follow the browser
	CRMID       string            // the contact's ID in the customer's CRM
	CompanyID   int64             // the Foyer company of its email's domain, 0 when none
	Attrs       map[string]string // custom attributes, at most MaxContactAttrs
	// Consent is its behavioural-tracking consent and that status's date;
	// MayTrack decides from it.
	Consent   ConsentState
	CreatedAt time.Time
	UpdatedAt time.Time
	// ReviewSince is when the retention job flagged the contact as
	// inactive, for review; zero when it is not flagged.
	ReviewSince time.Time
}

// MaxContactAttrs bounds a contact's custom attributes.
const MaxContactAttrs = 50

// MaxContactField bounds each of a contact's text fields, in bytes.
const MaxContactField = 4 << 10

// ContactQuery selects a page of a workspace's contacts.
type ContactQuery struct {
	// Text holds whole words, all of which a contact must have among the
	// words of its names, its email, the email's domain and its company;
	// an address (with an @) matches the whole address. "" for all.
	Text    string
	Consent *ConsentStatus // nil for all; &ConsentUnanswered for no status
	// Review keeps the contacts the retention job flagged as inactive.
	Review bool
	Limit  int // 1 to 500; 0 for 50
	Offset int
	// BeforeID, when not 0, keeps the contacts of smaller IDs: the next
	// page after a page that ended at BeforeID, which contacts added or
	// deleted meanwhile do not shift (an export's paging).
	BeforeID int64
}

// ContactChange is a recorded change of a contact: who did what, to which
// fields (their names, never their values).
type ContactChange struct {
	At     time.Time
	Actor  string
	Action string // created, updated, deleted
	Fields []string
}

// ContactService keeps a workspace's contacts and their tracking consent.
// Every method is scoped by the workspace: another workspace's contact is
// ENOTFOUND. actor names who makes a change ("user 12", "token 3").
type ContactService interface {
	CreateContact(ctx context.Context, c *Contact, actor string) error
	// CreateContactWithConsent creates c and applies change (when not
	// nil) in one transaction, answering as RecordConsent does.
	CreateContactWithConsent(ctx context.Context, c *Contact, actor string, change *ConsentChange) (next ConsentState, applied bool, why string, err error)
	Contact(ctx context.Context, workspaceID, id int64) (*Contact, error)
	ContactByEmail(ctx context.Context, workspaceID int64, email string) (*Contact, error)
	SearchContacts(ctx context.Context, workspaceID int64, q ContactQuery) ([]*Contact, error)
	UpdateContact(ctx context.Context, c *Contact, actor string) error
	// EditContact lets edit change the stored contact and applies change
	// (when not nil), in one transaction that two edits take in turn.
	EditContact(ctx context.Context, workspaceID, id int64, actor string, edit func(*Contact) error, change *ConsentChange) (c *Contact, changed bool, consent *ConsentResult, err error)
	// DeleteContact erases the contact (EraseContact) with no request ID.
	DeleteContact(ctx context.Context, workspaceID, id int64, actor string) error
	// EraseContact erases a contact of the workspace: its row goes with
	// its sealed fields and its wrapped data key (so nothing sealed under
	// it opens again), its search terms, tokens and browser links; its
	// identified visits stay as anonymous visits, so every aggregate stays
	// right; its consent history and record of changes stay, as they hold
	// no personal field. An entry of the erasure ledger records it (no
	// personal data: the email's keyed hash), which a restore replays.
	EraseContact(ctx context.Context, workspaceID, id int64, actor, requestID string) (*Erasure, error)
	// PriorErasure returns the latest erasure of a contact with the same
	// email before the contact was created, ENOTFOUND when there is none.
	PriorErasure(ctx context.Context, workspaceID, contactID int64) (*Erasure, error)
	ContactChanges(ctx context.Context, workspaceID, contactID int64, limit int) ([]ContactChange, error)
	RecordConsent(ctx context.Context, workspaceID, contactID int64, in ConsentChange) (next ConsentState, applied bool, why string, err error)
	ConsentHistory(ctx context.Context, workspaceID, contactID int64) ([]ConsentEntry, error)
	WorkspaceConsentHistory(ctx context.Context, workspaceID, afterID int64, limit int) ([]ConsentEntry, error)
	VerifyConsent(ctx context.Context, workspaceID int64) (*ChainBreak, error)
	TrackingMode(ctx context.Context, workspaceID int64) (TrackingMode, error)
	SetTrackingMode(ctx context.Context, workspaceID int64, mode TrackingMode, actor, reason string) (changed bool, err error)
}

// Erasure is an entry of the erasure ledger: that a contact was erased,
// when, by whom and on which request. It holds no personal data: the
// email only as the keyed hash contacts are found by, which cannot be
// read back without the master key.
type Erasure struct {
	ID          int64
	WorkspaceID int64
	ContactID   int64
	EmailHash   []byte
	At          time.Time
	RequestID   string
	Actor       string
}

// ConsentResult is what became of a consent change: the contact's
// resulting state, whether the change was applied, and why.
type ConsentResult struct {
	State   ConsentState
	Applied bool
	Why     string
}
