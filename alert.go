package foyer

import (
	"context"
	"time"
)

// AlertFrequency says when a member hears of the companies that enter a
// saved feed they subscribed to.
type AlertFrequency string

// The frequencies of an alert.
const (
	AlertImmediately AlertFrequency = "immediately" // at the job's next check, every few minutes
	AlertDaily       AlertFrequency = "daily"       // a digest at 08:00 in the member's time zone
	AlertWeekly      AlertFrequency = "weekly"      // a digest on Mondays at 08:00 in the member's time zone
)

// Valid reports whether f is one of the frequencies.
func (f AlertFrequency) Valid() bool {
	return f == AlertImmediately || f == AlertDaily || f == AlertWeekly
}

// Label is how a page names the frequency.
func (f AlertFrequency) Label() string {
	switch f {
	case AlertImmediately:
		return "Immediately"
	case AlertDaily:
		return "Daily"
	case AlertWeekly:
		return "Weekly"
	}
	return "Off"
}

// DigestHour is the local hour at which digests go out.
const DigestHour = 8

// NextDigest returns the first time after after at which a digest of
// frequency f is due in the zone loc: 08:00 local on the next day (daily)
// or the next Monday (weekly). It builds the time with time.Date in loc,
// so that a digest stays at 08:00 local across a change of daylight
// saving time. For AlertImmediately it returns after itself.
func NextDigest(f AlertFrequency, loc *time.Location, after time.Time) time.Time {
	if f == AlertImmediately {
		return after
	}
	if loc == nil {
		loc = time.UTC
	}
	local := after.In(loc)
	y, m, d := local.Date()
	next := time.Date(y, m, d, DigestHour, 0, 0, 0, loc)
	for !next.After(after) || (f == AlertWeekly && next.Weekday() != time.Monday) {
		d++
		next = time.Date(y, m, d, DigestHour, 0, 0, 0, loc)
	}
	return next
}

// FeedAlert is a member's subscription to one of the workspace's saved
// feeds.
type FeedAlert struct {
	ID          int64
	WorkspaceID int64
	UserID      int64
	SavedFeedID int64
	Frequency   AlertFrequency
	CreatedAt   time.Time
	// CheckedAt is the job's last check of the feed (zero: none yet).
	CheckedAt time.Time
	// CutAt closed the last digest: the next is due at NextDigest of it.
	CutAt time.Time
	// LastSentAt and LastSentCount tell of the last email sent (zero:
	// none).
	LastSentAt    time.Time
	LastSentCount int
	// Read with the alert: the feed's name and query string, the
	// workspace's name, and the member's address, time zone and role.
	FeedName, FeedQuery string
	WorkspaceName       string
	Email, TimeZone     string
	Role                Role
}

// AlertCompany is a company as an alert lists it: the company, and its
// visits and page views in the feed's period when last seen there.
type AlertCompany struct {
	Company
	Visits, Pageviews int64
}

// AlertDelivery is one email of an alert: the companies it lists, new in
// the feed since the alert's last email.
type AlertDelivery struct {
	ID        int64
	AlertID   int64
	CreatedAt time.Time
	SentAt    time.Time // zero until sent
	Attempts  int
	Companies []AlertCompany
}

// AlertMatch is a company that a check found in an alert's feed.
type AlertMatch struct {
	CompanyID         int64
	Visits, Pageviews int64
}

// AlertService keeps the members' subscriptions to saved feeds and what
// the alert job found and sent.
type AlertService interface {
	// SetFeedAlert subscribes a member to one of the workspace's saved
	// feeds, or changes the frequency of the subscription, and sets a's ID
	// and times. EINVALID for a bad frequency, ENOTFOUND when the workspace
	// has no such saved feed or the user is not its member.
	SetFeedAlert(ctx context.Context, a *FeedAlert) error
	// DeleteFeedAlert ends a member's subscription to a saved feed;
	// ENOTFOUND when there is none.
	DeleteFeedAlert(ctx context.Context, workspaceID, userID, savedFeedID int64) error
	// FeedAlert returns a member's subscription to a saved feed, or
	// ENOTFOUND.
	FeedAlert(ctx context.Context, workspaceID, userID, savedFeedID int64) (*FeedAlert, error)
	// UserFeedAlerts returns a user's subscriptions in the workspaces they
	// are a member of, by workspace and feed name.
	UserFeedAlerts(ctx context.Context, userID int64) ([]FeedAlert, error)
	// FeedAlerts returns every subscription of a member, for the job.
	FeedAlerts(ctx context.Context) ([]FeedAlert, error)
	// RecordAlertCheck notes the companies a check at now found in an
	// alert's feed and returns how many it had not seen. The first check
	// of an alert takes them as known, not new. ENOTFOUND when the alert is
	// gone.
	RecordAlertCheck(ctx context.Context, alertID int64, found []AlertMatch, now time.Time) (int, error)
	// TakeAlertDelivery writes, in one transaction, the email that lists
	// the alert's new companies that no email listed yet and are not
	// hidden, and moves the alert's cut to now. It returns nil (and still
	// moves the cut) when there is none.
	TakeAlertDelivery(ctx context.Context, alertID int64, now time.Time) (*AlertDelivery, error)
	// UnsentAlertDeliveries returns the alert's emails written but not yet
	// sent, oldest first.
	UnsentAlertDeliveries(ctx context.Context, alertID int64) ([]AlertDelivery, error)
	// MarkAlertSent records that a delivery was sent at now listing listed
	// companies (0: every one of them was hidden since, and nothing was
	// sent, which leaves the alert's last email as it was), or, with a
	// non-nil failure, that an attempt failed.
	MarkAlertSent(ctx context.Context, deliveryID int64, now time.Time, listed int, failure error) error
}
