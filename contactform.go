package foyer

import (
	"context"
	"time"
)

// ContactProfile is what a contact may change of itself on the hosted
// profile form: not its email, which names it, nor the workspace's own
// fields (CRM ID, attributes).
type ContactProfile struct {
	FirstName string
	LastName  string
	Role      string
	Phone     string
	Company   string
	Language  string // "en", "fr" or "" to follow the browser
}

// ContactForms is a workspace's settings of the hosted contact forms.
type ContactForms struct {
	// UnsubscribeOffersOptOut ends the unsubscribe form's confirmation with
	// a link to the behavioural-tracking opt-out form. On by default.
	UnsubscribeOffersOptOut bool
	// HasLogo says whether the workspace has a logo for the forms.
	HasLogo bool
}

// MaxLogoSize bounds a workspace's logo, in bytes.
const MaxLogoSize = 256 << 10

// ActorContact is the actor of the changes a contact makes itself, through
// a hosted form.
const ActorContact = "contact"

// ContactFormService is what the hosted contact forms need of storage,
// beside ContactService's Contact and RecordConsent.
type ContactFormService interface {
	// UpdateContactProfile replaces the profile fields of the workspace's
	// contact, re-sealed, and when consent is not nil records that change
	// too, all in one transaction, with ActorContact as the author; it
	// returns the contact as stored. ENOTFOUND for another workspace's
	// contact, EINVALID for a field over its size or an unknown language.
	UpdateContactProfile(ctx context.Context, workspaceID, id int64, p ContactProfile, consent *ConsentChange) (*Contact, error)
	// Unsubscribe records that the workspace's contact unsubscribed from
	// its emails, at the first time it did, and returns that time.
	// ENOTFOUND for another workspace's contact.
	Unsubscribe(ctx context.Context, workspaceID, id int64) (time.Time, error)
	// Unsubscribed returns when the workspace's contact unsubscribed from
	// its emails, the zero time when it has not; ENOTFOUND for another
	// workspace's contact.
	Unsubscribed(ctx context.Context, workspaceID, id int64) (time.Time, error)
	// ContactForms returns the workspace's settings of the hosted forms;
	// ENOTFOUND for no workspace.
	ContactForms(ctx context.Context, workspaceID int64) (ContactForms, error)
	// SetContactForms stores them (but HasLogo, which SetLogo changes);
	// ENOTFOUND for no workspace.
	SetContactForms(ctx context.Context, workspaceID int64, f ContactForms) error
	// SetLogo stores the workspace's logo of media type typ (image/png or
	// image/jpeg), or removes it when data is empty. EINVALID for another
	// type or over MaxLogoSize; ENOTFOUND for no workspace.
	SetLogo(ctx context.Context, workspaceID int64, data []byte, typ string) error
	// Logo returns the workspace's logo and its media type; ENOTFOUND when
	// it has none.
	Logo(ctx context.Context, workspaceID int64) ([]byte, string, error)
}
