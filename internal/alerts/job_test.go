package alerts_test

import (
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/alerts"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/web"
)

// start is the tests' first time: a Wednesday, 09:30 UTC, before the
// United States' and Europe's change to summer time.
var start = time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)

// fixture is a store with two workspaces, a saved feed of the first, and
// a relay the job mails through.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	clock    *testutil.Clock
	st       *store.Store
	relay    *testutil.SMTPServer
	acme     *foyer.Workspace
	initech  *foyer.Workspace
	site     *foyer.Site
	isite    *foyer.Site
	feed     *foyer.SavedFeed
	visitors int
}

func newFixture(t *testing.T, d store.Dialect) *fixture {
	f := &fixture{t: t, ctx: context.Background(), clock: testutil.NewClock(start)}
	f.st = testutil.NewStore(t, d, store.Options{Now: f.clock.Now})
	f.relay = testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	f.acme, f.site = testutil.NewSite(t, f.st, "Acme", "acme", "www.example.com")
	f.initech, f.isite = testutil.NewSite(t, f.st, "Initech", "initech", "www.example.com")
	f.feed = &foyer.SavedFeed{WorkspaceID: f.acme.ID, Name: "German visitors", Query: "country=DE&days=7"}
	if err := f.st.SaveFeed(f.ctx, f.feed); err != nil {
		t.Fatal(err)
	}
	return f
}

// member creates a user of the workspace with a time zone, subscribed to
// the saved feed at freq ("": not subscribed).
func (f *fixture) member(email, zone string, role foyer.Role, freq foyer.AlertFrequency) *foyer.User {
	f.t.Helper()
	u := &foyer.User{Email: email, Name: email}
	if err := f.st.CreateUser(f.ctx, u); err != nil {
		f.t.Fatal(err)
	}
	if zone != "" {
		if err := f.st.SetTimeZone(f.ctx, u.ID, zone); err != nil {
			f.t.Fatal(err)
		}
	}
	if err := f.st.SetMembership(f.ctx, foyer.Membership{WorkspaceID: f.acme.ID, UserID: u.ID, Role: role}); err != nil {
		f.t.Fatal(err)
	}
	if freq != "" {
		if err := f.st.SetFeedAlert(f.ctx, &foyer.FeedAlert{WorkspaceID: f.acme.ID, UserID: u.ID, SavedFeedID: f.feed.ID, Frequency: freq}); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

// visit records a visit of the company now, on site, and rolls it up.
func (f *fixture) visit(site *foyer.Site, name, country string) int64 {
	f.t.Helper()
	f.visitors++
	visitor := "visitor-" + strconv.Itoa(f.visitors) + "-0000000000000"
	o := foyer.Origin{Country: country, Org: foyer.Org{Name: name, Domain: strings.ToLower(name) + ".example",
		Type: foyer.OrgBusiness, Industry: "Manufacturing"}}
	hits := []foyer.Hit{
		{SiteID: site.ID, VisitorUID: visitor, Time: f.clock.Now(), Kind: foyer.KindPageview, Host: "www.example.com", Path: "/", Origin: o},
		{SiteID: site.ID, VisitorUID: visitor, Time: f.clock.Now().Add(time.Second), Kind: foyer.KindPageview, Host: "www.example.com", Path: "/pricing", Origin: o},
	}
	if err := f.st.Append(f.ctx, hits); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.st.RollupAll(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	rows, err := f.st.Feed(f.ctx, foyer.FeedQuery{WorkspaceID: site.WorkspaceID, From: f.clock.Now().AddDate(0, 0, -1), To: f.clock.Now(), Search: name})
	if err != nil || len(rows) != 1 {
		f.t.Fatalf("%s in the feed: %+v, %v", name, rows, err)
	}
	return rows[0].ID
}

func (f *fixture) job(m alerts.Mailer) *alerts.Job {
	if m == nil {
		var err error
		if m, err = mailer.New(mailer.Config{Addr: f.relay.Addr, From: "Foyer <foyer@acme.example>", NoStartTLS: true}); err != nil {
			f.t.Fatal(err)
		}
	}
	return &alerts.Job{Store: f.st, Mail: m, Query: web.SavedFeedQuery, CountryName: web.CountryName,
		BaseURL: "https://foyer.acme.example", Now: f.clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// run runs the job once and returns the messages it sent.
func (f *fixture) run(j *alerts.Job) []mail {
	f.t.Helper()
	before := len(f.relay.Messages())
	if _, err := j.Run(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	var out []mail
	for _, m := range f.relay.Messages()[before:] {
		out = append(out, decode(f.t, m))
	}
	return out
}

// mail is a message the relay received, decoded.
type mail struct {
	To            string
	Subject, Body string
}

func decode(t *testing.T, m testutil.SMTPMessage) mail {
	t.Helper()
	head, body, ok := strings.Cut(m.Data, "\r\n\r\n")
	if !ok {
		t.Fatalf("no body in %q", m.Data)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	out := mail{To: strings.Join(m.To, ","), Body: strings.ReplaceAll(string(text), "\r\n", "\n")}
	for _, l := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(l, "Subject: "); ok {
			out.Subject = v
		}
	}
	return out
}

// TestAlertJob: an alert mails a company new in its feed once, at once or
// in the member's digest; nothing when nothing is new; never a hidden
// company, another workspace's, or to a member who left.
func TestAlertJob(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, d)
			f.visit(f.site, "Globex", "DE") // in the feed before anyone subscribed
			ann := f.member("ann@acme.example", "Europe/Paris", foyer.RoleOwner, foyer.AlertImmediately)
			f.member("bob@acme.example", "America/New_York", foyer.RoleViewer, foyer.AlertDaily)
			f.member("cat@acme.example", "Asia/Tokyo", foyer.RoleOwner, "")
			j := f.job(nil)

			if got := f.run(j); len(got) != 0 {
				t.Fatalf("the first run (it learns the feed) sent %+v", got)
			}
			f.clock.Add(5 * time.Minute)
			if got := f.run(j); len(got) != 0 {
				t.Fatalf("nothing new, yet %+v", got)
			}
			f.clock.Add(time.Minute)
			hooli := f.visit(f.site, "Hooli", "DE")
			umbrella := f.visit(f.site, "Umbrella", "DE")
			f.visit(f.site, "Oscorp", "US")    // not in the feed: it filters on Germany
			f.visit(f.isite, "Initrode", "DE") // another workspace's
			if _, err := f.st.HideCompany(f.ctx, f.acme.ID, umbrella, foyer.HideOwn, ann); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(4 * time.Minute)
			got := f.run(j)
			if len(got) != 1 || got[0].To != "ann@acme.example" {
				t.Fatalf("after Hooli's visit: %+v, want one email to Ann", got)
			}
			m := got[0]
			if !strings.Contains(m.Subject, "1 new company") || !strings.Contains(m.Subject, "German visitors") {
				t.Errorf("subject %q", m.Subject)
			}
			ws := "https://foyer.acme.example/app/w/" + strconv.FormatInt(f.acme.ID, 10)
			for _, want := range []string{"Hooli (hooli.example)", "Germany · Manufacturing · 1 visit, 2 pages",
				ws + "/c/" + strconv.FormatInt(hooli, 10) + "?days=7", ws + "?country=DE&days=7",
				"https://foyer.acme.example/account#alerts"} {
				if !strings.Contains(m.Body, want) {
					t.Errorf("the email lacks %q:\n%s", want, m.Body)
				}
			}
			for _, never := range []string{"Globex", "Umbrella", "Oscorp", "Initrode"} {
				if strings.Contains(m.Body, never) {
					t.Errorf("the email lists %s:\n%s", never, m.Body)
				}
			}
			// Once, not twice; and a restarted job (a new one on the same
			// store) sends nothing again.
			f.clock.Add(5 * time.Minute)
			if got := f.run(j); len(got) != 0 {
				t.Fatalf("Hooli twice: %+v", got)
			}
			if got := f.run(f.job(nil)); len(got) != 0 {
				t.Fatalf("after a restart: %+v", got)
			}
			// Bob's digest: 08:00 in New York is 13:00 UTC (EST).
			f.setClock(time.Date(2026, 3, 4, 12, 59, 0, 0, time.UTC))
			if got := f.run(j); len(got) != 0 {
				t.Fatalf("at 07:59 in New York: %+v", got)
			}
			f.setClock(time.Date(2026, 3, 4, 13, 0, 0, 0, time.UTC))
			got = f.run(j)
			if len(got) != 1 || got[0].To != "bob@acme.example" || !strings.HasPrefix(got[0].Subject, "Daily digest: 1 new company") ||
				!strings.Contains(got[0].Body, "Hooli") || strings.Contains(got[0].Body, "Umbrella") {
				t.Fatalf("Bob's digest: %+v", got)
			}
			f.clock.Add(time.Hour)
			if got := f.run(j); len(got) != 0 {
				t.Fatalf("a second digest the same day: %+v", got)
			}
			// Ann leaves the workspace: her alert goes, and she hears of
			// nothing more.
			if err := f.st.RemoveMember(f.ctx, f.acme.ID, ann.ID); err != nil {
				t.Fatal(err)
			}
			f.visit(f.site, "Soylent", "DE")
			f.clock.Add(5 * time.Minute)
			if got := f.run(j); len(got) != 0 {
				t.Fatalf("after Ann left: %+v", got)
			}
			// Bob hears of Soylent in the next morning's digest.
			f.setClock(time.Date(2026, 3, 5, 13, 0, 0, 0, time.UTC))
			if got := f.run(j); len(got) != 1 || got[0].To != "bob@acme.example" || !strings.Contains(got[0].Body, "Soylent") ||
				strings.Contains(got[0].Body, "Hooli") {
				t.Fatalf("Bob's second digest: %+v", got)
			}
		})
	}
}

// failingMailer refuses every message.
type failingMailer struct{ calls int }

func (m *failingMailer) Send(context.Context, string, string, string) error {
	m.calls++
	return foyer.Errorf(foyer.EINTERNAL, "relay refused <ann@acme.example>")
}

// TestAlertJobRetries: an email that could not be sent stays written and
// is sent at a later run, once, with the companies it listed.
func TestAlertJobRetries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	f.member("ann@acme.example", "", foyer.RoleViewer, foyer.AlertImmediately)
	bad := &failingMailer{}
	f.run(f.job(bad)) // learns the (empty) feed
	f.visit(f.site, "Hooli", "DE")
	f.clock.Add(5 * time.Minute)
	f.run(f.job(bad))
	if bad.calls != 1 {
		t.Fatalf("%d attempts, want 1", bad.calls)
	}
	f.clock.Add(5 * time.Minute)
	good := f.job(nil)
	got := f.run(good)
	if len(got) != 1 || !strings.Contains(got[0].Body, "Hooli") {
		t.Fatalf("the retry: %+v", got)
	}
	f.clock.Add(5 * time.Minute)
	if got := f.run(good); len(got) != 0 {
		t.Fatalf("sent again: %+v", got)
	}
}

// setClock moves the clock to at.
func (f *fixture) setClock(at time.Time) { f.clock.Add(at.Sub(f.clock.Now())) }

// TestAlertHiddenBeforeRetry: a company hidden after its email was written
// but before it could be sent is left out; with nothing left, nothing is
// sent and the alert's last email stays as it was.
func TestAlertHiddenBeforeRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, store.SQLite)
	ann := f.member("ann@acme.example", "", foyer.RoleOwner, foyer.AlertImmediately)
	bad := &failingMailer{}
	f.run(f.job(bad))
	hooli := f.visit(f.site, "Hooli", "DE")
	f.clock.Add(5 * time.Minute)
	f.run(f.job(bad))
	if bad.calls != 1 {
		t.Fatalf("%d attempts, want 1", bad.calls)
	}
	if _, err := f.st.HideCompany(f.ctx, f.acme.ID, hooli, foyer.HideOther, ann); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(5 * time.Minute)
	if got := f.run(f.job(nil)); len(got) != 0 {
		t.Fatalf("a hidden company mailed: %+v", got)
	}
	a, err := f.st.FeedAlert(f.ctx, f.acme.ID, ann.ID, f.feed.ID)
	if err != nil || !a.LastSentAt.IsZero() || a.LastSentCount != 0 {
		t.Fatalf("the alert after an email with nothing left: %+v, %v", a, err)
	}
	if unsent, err := f.st.UnsentAlertDeliveries(f.ctx, a.ID); err != nil || len(unsent) != 0 {
		t.Fatalf("still unsent: %+v, %v", unsent, err)
	}
}
