package foyer

import "time"

// MaxConsentClockSkew is how far in the future a consent change's date may
// be: a date up to this much ahead of the server's clock is taken as now (the
// sender's clock runs fast); a later date is refused as invalid.
const MaxConsentClockSkew = 24 * time.Hour

// ConsentChange is a proposed change of a contact's tracking consent.
type ConsentChange struct {
	// Status is the new status; ConsentUnanswered means "clear the status",
	// which only SourceAdmin and SourceRequest may do. An import's blank
	// cell means "no information" and must not be passed as a change.
	Status ConsentStatus
	// At is when the contact gave the answer; zero when the source did not
	// say. Compared at millisecond precision, as stored.
	At     time.Time
	Source ConsentSource
	Actor  string // who made the change: a user, a token, "contact", "import 42"
	Reason string // free text kept in the history, e.g. a ticket number
}

// Action returns the history action the change records.
func (c ConsentChange) Action() ConsentAction {
	switch c.Status {
	case ConsentAccepted:
		return ActionAccepted
	case ConsentRefused:
		return ActionRefused
	}
	return ActionCleared
}

// ApplyConsent decides whether the change in replaces the stored consent of a
// contact, and returns the next state, whether it was applied and why, in
// plain words for the consent history (a change not applied is still
// recorded, with applied false and why). The rules:
//
//   - A dated change is applied only when its date is strictly newer than the
//     stored date; an equal date is "not newer" and not applied. So an import
//     never overwrites a more recent status, nor a more recent clearing.
//   - An undated change from an import or the API applies only to a contact
//     with no status, and is dated now.
//   - An undated change from a live source (a form, a user, a request, a mode
//     change) happens now, so it is dated now and follows the first rule.
//   - A stored status without a date (older data) gives way to any dated
//     change, but not to an undated import.
//   - A date up to MaxConsentClockSkew ahead of now is taken as now; a later
//     one is an EINVALID error, as are an unknown status or source.
//   - Clearing (Status ConsentUnanswered) is allowed only from SourceAdmin
//     and SourceRequest (EINVALID otherwise); it is dated now and leaves the
//     contact Unanswered, with the clearing's date as At.
//
// now is the server's clock; all dates are compared in milliseconds.
func ApplyConsent(stored ConsentState, in ConsentChange, now time.Time) (next ConsentState, applied bool, why string, err error) {
	now = msUTC(now)
	if !in.Status.Valid() {
		return stored, false, "", Errorf(EINVALID, "%q is not a consent status: use accepted or refused", string(in.Status))
	}
	if !in.Source.Valid() {
		return stored, false, "", Errorf(EINVALID, "%q is not a consent source", string(in.Source))
	}
	if in.Status == ConsentUnanswered {
		if in.Source != SourceAdmin && in.Source != SourceRequest {
			return stored, false, "", Errorf(EINVALID, "only an administrator or a data-subject request can clear a consent status")
		}
		in.At = time.Time{} // a clearing happens now
	}
	at := msUTC(in.At)
	if !in.At.IsZero() && at.After(now.Add(MaxConsentClockSkew)) {
		return stored, false, "", Errorf(EINVALID, "the consent date %s is in the future", at.Format(time.RFC3339))
	}
	if at.After(now) {
		at = now
	}
	if in.At.IsZero() {
		if !in.Source.live() {
			if stored.Status != ConsentUnanswered {
				return stored, false, "not applied: a change without a date only fills an unanswered status, and this contact has " + stored.Status.Label() + " since " + day(stored.At), nil
			}
			return ConsentState{Status: in.Status, At: now}, true, "applied: the contact had no status; dated now, as the change had no date", nil
		}
		at = now
	}
	if in.Status == ConsentUnanswered && stored.Status == ConsentUnanswered {
		return stored, false, "not applied: the contact already has no status", nil
	}
	storedAt := msUTC(stored.At)
	if !stored.At.IsZero() && !at.After(storedAt) {
		word := "older than"
		if at.Equal(storedAt) {
			word = "the same date as"
		}
		what := "the stored status (" + stored.Status.Label() + ")"
		if stored.Status == ConsentUnanswered {
			what = "the clearing of the status"
		}
		return stored, false, "not applied: not newer — " + word + " " + what + " of " + day(storedAt), nil
	}
	next = ConsentState{Status: in.Status, At: at}
	switch {
	case in.Status == ConsentUnanswered:
		return next, true, "applied: the status was cleared", nil
	case stored.Status == ConsentUnanswered && stored.At.IsZero():
		return next, true, "applied: the contact had no status", nil
	case stored.At.IsZero():
		return next, true, "applied: the stored status (" + stored.Status.Label() + ") has no date, so any dated change is newer", nil
	}
	return next, true, "applied: newer than the stored status (" + stored.Status.Label() + ") of " + day(storedAt), nil
}

// msUTC returns t in UTC at millisecond precision, as stored; zero stays zero.
func msUTC(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// day formats a stored date for a why-text.
func day(t time.Time) string {
	if t.IsZero() {
		return "an unknown date"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}
