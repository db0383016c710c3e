package foyer

import "time"

// ConsentStatus is a contact's answer about behavioural tracking, modelled on
// Dialog Insight's hasTrackingConsent: accepted, refused, or no answer ("").
type ConsentStatus string

// Consent statuses. The zero value is Unanswered.
const (
	ConsentUnanswered ConsentStatus = ""
	ConsentAccepted   ConsentStatus = "accepted"
	ConsentRefused    ConsentStatus = "refused"
)

// Valid reports whether s is one of the three statuses.
func (s ConsentStatus) Valid() bool {
	return s == ConsentUnanswered || s == ConsentAccepted || s == ConsentRefused
}

// Label returns the status as shown to users: "Accepted", "Refused" or
// "Unanswered" ("Unknown" for a value that is not a status).
func (s ConsentStatus) Label() string {
	switch s {
	case ConsentAccepted:
		return "Accepted"
	case ConsentRefused:
		return "Refused"
	case ConsentUnanswered:
		return "Unanswered"
	}
	return "Unknown"
}

// TrackingMode is a workspace's contact-tracking consent mode (not to be
// confused with a site's ConsentMode, which governs the visitor cookie).
type TrackingMode string

// Consent modes. Opt-out is the default; the empty mode means opt-out.
const (
	TrackingOptOut TrackingMode = "opt-out"
	TrackingOptIn  TrackingMode = "opt-in"
)

// Valid reports whether m is a mode; "" counts as the default, opt-out.
func (m TrackingMode) Valid() bool {
	return m == "" || m == TrackingOptOut || m == TrackingOptIn
}

// ConsentSource says where a consent change came from.
type ConsentSource string

// Consent sources.
const (
	SourceImport          ConsentSource = "import"           // a CSV import; dated by the file
	SourceAPI             ConsentSource = "api"              // the REST API; dated by the caller
	SourceForm            ConsentSource = "form"             // a hosted opt-in or profile form
	SourceOptOutForm      ConsentSource = "optout-form"      // the behavioural-tracking opt-out form
	SourceUnsubscribeForm ConsentSource = "unsubscribe-form" // the link from the general opt-out form
	SourceAdmin           ConsentSource = "admin"            // a user of the workspace, by hand
	SourceMode            ConsentSource = "mode"             // a change of the workspace's mode
	SourceRequest         ConsentSource = "request"          // a data-subject request
)

// Valid reports whether s is one of the sources above.
func (s ConsentSource) Valid() bool {
	switch s {
	case SourceImport, SourceAPI, SourceForm, SourceOptOutForm,
		SourceUnsubscribeForm, SourceAdmin, SourceMode, SourceRequest:
		return true
	}
	return false
}

// live reports whether a change from s happens at the moment it is received
// (a form, a user's click, a request), rather than reporting an earlier answer
// with a date of its own (an import, the API).
func (s ConsentSource) live() bool { return s != SourceImport && s != SourceAPI }

// ConsentAction is what a consent-history entry did to the status.
type ConsentAction string

// Consent actions.
const (
	ActionAccepted ConsentAction = "accepted"
	ActionRefused  ConsentAction = "refused"
	ActionCleared  ConsentAction = "cleared"
	// A change of the workspace's TrackingMode: an entry of no contact.
	ActionModeOptIn  ConsentAction = "mode-opt-in"
	ActionModeOptOut ConsentAction = "mode-opt-out"
)

// ModeAction is the history action of a switch to mode.
func ModeAction(mode TrackingMode) ConsentAction {
	if mode == TrackingOptIn {
		return ActionModeOptIn
	}
	return ActionModeOptOut
}

// Label returns the mode as shown to users.
func (m TrackingMode) Label() string {
	if m == TrackingOptIn {
		return "Opt-in"
	}
	return "Opt-out"
}

// ConsentState is a contact's current tracking consent, as Dialog Insight's
// hasTrackingConsent and dtTrackingConsent: a status and the date it was
// given. At is zero when no status was ever given; after a status is cleared
// it is the date of the clearing.
type ConsentState struct {
	Status ConsentStatus
	At     time.Time
}

// MayTrack reports whether a contact with consent c may be tracked now in a
// workspace running in mode. It is the ONLY place that decides this: the
// collector, email opens and clicks, segments, scoring and automations all
// call MayTrack and never test a status themselves.
//
// The rule, which docs/consent.md repeats and a test checks both against:
//
//	| mode              | Accepted | Refused     | Unanswered  |
//	| ----------------- | -------- | ----------- | ----------- |
//	| opt-out (default) | tracked  | not tracked | tracked     |
//	| opt-in            | tracked  | not tracked | not tracked |
//
// It fails closed: an unknown mode is treated as opt-in, and an unknown
// status is never trackable.
func MayTrack(mode TrackingMode, c ConsentState) bool {
	switch c.Status {
	case ConsentAccepted:
		return true
	case ConsentUnanswered:
		return mode == TrackingOptOut || mode == ""
	}
	return false
}
