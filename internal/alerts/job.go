// Package alerts runs the alert job in the background of serve: every few
// minutes it checks each member's subscriptions to saved feeds, notes the
// companies that entered each feed since its last check, and mails them
// at once or in a daily or weekly digest at 08:00 in the member's time
// zone. Each email is written to the store before it is sent and marked
// sent after, so that a restart neither sends a company twice nor skips
// one.
package alerts

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/periodic"
)

// Store is what the job reads and writes: *store.Store.
type Store interface {
	FeedAlerts(ctx context.Context) ([]foyer.FeedAlert, error)
	Feed(ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error)
	RecordAlertCheck(ctx context.Context, alertID int64, found []foyer.AlertMatch, now time.Time) (int, error)
	TakeAlertDelivery(ctx context.Context, alertID int64, now time.Time) (*foyer.AlertDelivery, error)
	UnsentAlertDeliveries(ctx context.Context, alertID int64) ([]foyer.AlertDelivery, error)
	MarkAlertSent(ctx context.Context, deliveryID int64, now time.Time, listed int, failure error) error
}

// Mailer sends a plain-text message to one address; internal/mailer's
// SMTP relay is one.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Default timing of the job.
const (
	DefaultDelay    = 30 * time.Second
	DefaultInterval = 5 * time.Minute
	// MaxAttempts is how many times the job tries to send an email before
	// it leaves it unsent (the alert's next email still comes).
	MaxAttempts = 5
	// maxFeedPages bounds the pages of a feed one check reads.
	maxFeedPages = 20
)

// Job checks the subscriptions and mails them: Start, then Stop; or Run.
type Job struct {
	Store Store
	Mail  Mailer
	// Query is the store's query of a saved feed for a user at a time:
	// web.SavedFeedQuery.
	Query func(workspaceID int64, query string, userID int64, at time.Time) (foyer.FeedQuery, error)
	// CountryName names a country code in the emails (the code when nil).
	CountryName func(code string) string
	// BaseURL is the address users reach Foyer at, for the emails' links
	// (such as https://foyer.example.com); the links are paths when "".
	BaseURL string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	Log *slog.Logger // slog.Default() when nil
	// Delay is the wait before the first run (DefaultDelay when 0),
	// Interval between runs (DefaultInterval when 0).
	Delay, Interval time.Duration

	loop periodic.Loop
}

// Result counts what a run did.
type Result struct {
	Checked   int // subscriptions checked
	NewFound  int // companies new in their feeds
	Sent      int // emails sent
	Companies int // companies those emails listed
	Failed    int // emails that could not be sent
}

// Start runs the job in a goroutine until Stop: the first check after
// Delay, then one every Interval.
func (j *Job) Start() {
	j.loop.Start(cmp.Or(j.Delay, DefaultDelay), cmp.Or(j.Interval, DefaultInterval), func(ctx context.Context) {
		if _, err := j.Run(ctx); err != nil && ctx.Err() == nil {
			j.log().Error("feed alerts: run failed", "err", err)
		}
	})
}

// Stop ends the job and waits for its run to end.
func (j *Job) Stop() { j.loop.Stop() }

func (j *Job) log() *slog.Logger {
	if j.Log == nil {
		return slog.Default()
	}
	return j.Log
}

func (j *Job) now() time.Time {
	if j.Now == nil {
		return time.Now()
	}
	return j.Now()
}

// Run checks every subscription once: it sends the emails a previous run
// wrote but did not send, notes the companies new in the feed, and, when
// the subscription is due (at once, or at its digest's time), writes and
// sends the email of its new companies. An alert that fails is logged and
// the others go on; the error is that of reading the subscriptions.
func (j *Job) Run(ctx context.Context) (Result, error) {
	var res Result
	alerts, err := j.Store.FeedAlerts(ctx)
	if err != nil {
		return res, err
	}
	// Members on the same saved feed (with the same "assigned to me")
	// share one read of it in a run.
	feeds := map[foyer.FeedQuery][]foyer.AlertMatch{}
	for i := range alerts {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err := j.runAlert(ctx, &alerts[i], feeds, &res); err != nil {
			j.log().Warn("feed alerts: alert not checked", "alert", alerts[i].ID, "workspace", alerts[i].WorkspaceID, "err", err)
		}
	}
	return res, nil
}

// Due reports whether the alert a sends its email at now: at once, or
// when its digest's next 08:00 in the member's zone has come.
func Due(a *foyer.FeedAlert, now time.Time) bool {
	if a.Frequency == foyer.AlertImmediately {
		return true
	}
	return !now.Before(foyer.NextDigest(a.Frequency, Location(a.TimeZone), a.CutAt))
}

// locations caches the zones, by name.
var locations sync.Map

// Location is the zone of a user's setting, UTC for "" or an unknown one.
func Location(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, l)
	return l
}

func (j *Job) runAlert(ctx context.Context, a *foyer.FeedAlert, feeds map[foyer.FeedQuery][]foyer.AlertMatch, res *Result) error {
	now := j.now()
	// What a previous run wrote and did not send goes first.
	unsent, err := j.Store.UnsentAlertDeliveries(ctx, a.ID)
	if err != nil {
		return err
	}
	for i := range unsent {
		if unsent[i].Attempts < MaxAttempts {
			j.send(ctx, a, &unsent[i], res)
		}
	}
	found, err := j.matches(ctx, a, now, feeds)
	if err != nil {
		return err
	}
	n, err := j.Store.RecordAlertCheck(ctx, a.ID, found, now)
	if err != nil {
		return err
	}
	res.Checked++
	res.NewFound += n
	if a.CheckedAt.IsZero() || !Due(a, now) {
		return nil // the first check only learns what the feed holds
	}
	d, err := j.Store.TakeAlertDelivery(ctx, a.ID, now)
	if err != nil || d == nil {
		return err
	}
	j.send(ctx, a, d, res)
	return nil
}

// matches reads the companies of the alert's feed now, or takes them
// from feeds, the run's reads so far, by query.
func (j *Job) matches(ctx context.Context, a *foyer.FeedAlert, now time.Time, feeds map[foyer.FeedQuery][]foyer.AlertMatch) ([]foyer.AlertMatch, error) {
	q, err := j.Query(a.WorkspaceID, a.FeedQuery, a.UserID, now)
	if err != nil {
		return nil, fmt.Errorf("saved feed %d: %w", a.SavedFeedID, err)
	}
	q.WorkspaceID, q.Sort, q.Limit = a.WorkspaceID, foyer.SortRecent, foyer.MaxFeedPage
	if found, ok := feeds[q]; ok {
		return found, nil
	}
	out, err := j.readFeed(ctx, q)
	if err == nil {
		feeds[q] = out
	}
	return out, err
}

// readFeed reads every company of the query's feed, page by page.
func (j *Job) readFeed(ctx context.Context, q foyer.FeedQuery) ([]foyer.AlertMatch, error) {
	var out []foyer.AlertMatch
	for page := 0; page < maxFeedPages; page++ {
		q.Offset = page * foyer.MaxFeedPage
		rows, err := j.Store.Feed(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, foyer.AlertMatch{CompanyID: r.ID, Visits: r.Visits, Pageviews: r.Pageviews})
		}
		if len(rows) < foyer.MaxFeedPage {
			break
		}
	}
	return out, nil
}

// addressRE finds email addresses in a relay's answers.
var addressRE = regexp.MustCompile(`[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+`)

// send mails a delivery and records the outcome. A delivery whose
// companies are all hidden by now is recorded as sent, with nothing sent.
func (j *Job) send(ctx context.Context, a *foyer.FeedAlert, d *foyer.AlertDelivery, res *Result) {
	var err error
	if len(d.Companies) > 0 {
		subject, body := j.Compose(a, d)
		err = j.Mail.Send(ctx, a.Email, subject, body)
	}
	if err != nil {
		res.Failed++
		msg := addressRE.ReplaceAllString(err.Error(), "[address]")
		j.log().Warn("feed alerts: email not sent", "alert", a.ID, "delivery", d.ID, "err", msg)
		err = fmt.Errorf("%s", msg)
	} else if len(d.Companies) > 0 {
		res.Sent++
		res.Companies += len(d.Companies)
	}
	if merr := j.Store.MarkAlertSent(ctx, d.ID, j.now(), len(d.Companies), err); merr != nil {
		j.log().Error("feed alerts: delivery not recorded", "alert", a.ID, "delivery", d.ID, "err", merr)
	}
}
