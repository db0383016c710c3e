package foyer

import (
	"context"
	"time"
)

// Retention is how long a workspace keeps what it collects (see the
// README's "Retention"): raw events for EventDays, after which only the
// roll-ups (the feed's and the sites' numbers) remain; identification
// links (a browser's link to a contact, and a visit's) for LinkDays; and a
// contact inactive for ReviewMonths is flagged for review, never deleted.
type Retention struct {
	EventDays    int
	LinkDays     int
	ReviewMonths int
}

// DefaultRetention is a new workspace's retention: 13 months of raw
// events and links (a year and a month to compare with), and contacts
// flagged after two years without activity.
var DefaultRetention = Retention{EventDays: 395, LinkDays: 395, ReviewMonths: 24}

// The bounds of a retention setting.
const (
	MinRetentionDays   = 30
	MaxRetentionDays   = 3650
	MinReviewMonths    = 1
	MaxReviewMonths    = 120
	retentionDaysRange = "from 30 to 3,650"
)

// Validate returns EINVALID unless every setting is within its bounds.
func (r Retention) Validate() error {
	switch {
	case r.EventDays < MinRetentionDays || r.EventDays > MaxRetentionDays:
		return Errorf(EINVALID, "raw events: keep them %s days, not %d", retentionDaysRange, r.EventDays)
	case r.LinkDays < MinRetentionDays || r.LinkDays > MaxRetentionDays:
		return Errorf(EINVALID, "identification links: keep them %s days, not %d", retentionDaysRange, r.LinkDays)
	case r.ReviewMonths < MinReviewMonths || r.ReviewMonths > MaxReviewMonths:
		return Errorf(EINVALID, "inactive contacts: flag them after 1 to 120 months, not %d", r.ReviewMonths)
	}
	return nil
}

// RetentionKind names what a retention run removed or flagged.
type RetentionKind string

// What a retention run acts on.
const (
	// RetentionEvents: raw events older than EventDays, deleted (their
	// visits stay, with their counters, and every roll-up stays).
	RetentionEvents RetentionKind = "events"
	// RetentionLinks: browsers' links to contacts made more than LinkDays
	// ago, deleted (the browser's next visits are anonymous).
	RetentionLinks RetentionKind = "links"
	// RetentionVisits: visits that started more than LinkDays ago,
	// unlinked from their contact (they stay as anonymous visits).
	RetentionVisits RetentionKind = "visits"
	// RetentionReview: contacts inactive for ReviewMonths, flagged for
	// review.
	RetentionReview RetentionKind = "review"
)

// Label is how the settings page names the kind.
func (k RetentionKind) Label() string {
	switch k {
	case RetentionEvents:
		return "raw events deleted"
	case RetentionLinks:
		return "browser links deleted"
	case RetentionVisits:
		return "visits unlinked from their contact"
	case RetentionReview:
		return "inactive contacts flagged for review"
	}
	return string(k)
}

// RetentionRun records what one run of the retention job did in a
// workspace, for one kind: how many rows, and the cutoff (what was older
// went).
type RetentionRun struct {
	At          time.Time
	WorkspaceID int64
	Kind        RetentionKind
	Removed     int64
	Cutoff      time.Time
}

// RetentionService keeps the workspaces' retention settings and the
// record of what the retention job did. Every method is scoped by the
// workspace.
type RetentionService interface {
	// Retention returns the workspace's settings; ENOTFOUND when it does
	// not exist.
	Retention(ctx context.Context, workspaceID int64) (Retention, error)
	// SetRetention stores the workspace's settings: EINVALID unless they
	// validate, ENOTFOUND when it does not exist.
	SetRetention(ctx context.Context, workspaceID int64, r Retention) error
	// RetentionRuns returns the workspace's latest records, newest first.
	RetentionRuns(ctx context.Context, workspaceID int64, limit int) ([]RetentionRun, error)
	// ContactsToReview counts the workspace's contacts flagged as inactive.
	ContactsToReview(ctx context.Context, workspaceID int64) (int64, error)
	// KeepContact records that a user reviewed a contact flagged as
	// inactive and keeps it: the flag goes, the contact counts as active
	// from now (its next flag comes after the workspace's months again),
	// and its changes record it. ENOTFOUND when the workspace has no such
	// contact; nothing happens to a contact not flagged.
	KeepContact(ctx context.Context, workspaceID, contactID int64, actor string) error
}
