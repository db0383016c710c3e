package foyer

import "time"

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
}

// MaxContactAttrs bounds a contact's custom attributes.
const MaxContactAttrs = 50

// MaxContactField bounds each of a contact's text fields, in bytes.
const MaxContactField = 4 << 10
