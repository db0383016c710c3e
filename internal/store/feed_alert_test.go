package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// alertCompanies returns the IDs of the companies named in the feed of the
// workspace's last 30 days, by name.
func alertCompanies(t *testing.T, s *store.Store, workspaceID int64, names ...string) []int64 {
	t.Helper()
	rows, err := s.Feed(context.Background(), foyer.FeedQuery{WorkspaceID: workspaceID, From: t0.Add(-29 * 24 * time.Hour), To: t0, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, n := range names {
		i := slices.IndexFunc(rows, func(r foyer.FeedRow) bool { return r.Name == n })
		if i < 0 {
			t.Fatalf("no %s in the feed of workspace %d", n, workspaceID)
		}
		ids = append(ids, rows[i].ID)
	}
	return ids
}

func matches(ids ...int64) []foyer.AlertMatch {
	out := make([]foyer.AlertMatch, len(ids))
	for i, id := range ids {
		out[i] = foyer.AlertMatch{CompanyID: id, Visits: 1, Pageviews: 2}
	}
	return out
}

// TestFeedAlerts: a subscription belongs to a member and one of the
// workspace's saved feeds; its first check takes the feed as known; a
// company new in it is listed by one email only; a hidden company or
// another workspace's never is; removing the member drops it.
func TestFeedAlerts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		clock := testutil.NewClock(t0.Add(time.Hour))
		s := testutil.NewStore(t, dialect, store.Options{Now: clock.Now})
		ctx := context.Background()
		acme, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		initech, isite := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		ann := &foyer.User{Email: "ann@acme.example", Name: "Ann"}
		bob := &foyer.User{Email: "bob@acme.example", Name: "Bob"}
		for _, u := range []*foyer.User{ann, bob} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []foyer.Membership{{WorkspaceID: acme.ID, UserID: ann.ID, Role: foyer.RoleOwner},
			{WorkspaceID: acme.ID, UserID: bob.ID, Role: foyer.RoleViewer}} {
			if err := s.SetMembership(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		feed := &foyer.SavedFeed{WorkspaceID: acme.ID, Name: "Hot leads", Query: "days=30"}
		other := &foyer.SavedFeed{WorkspaceID: initech.ID, Name: "Theirs", Query: "days=30"}
		for _, f := range []*foyer.SavedFeed{feed, other} {
			if err := s.SaveFeed(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		visit := func(site *foyer.Site, visitor, name string) {
			h := pageview(site.ID, visitor, 0, "/pricing")
			h.Origin = foyer.Origin{Country: "DE", Org: foyer.Org{Name: name, Domain: visitor + ".example", Type: foyer.OrgBusiness}}
			appendHits(t, s, h)
			if _, err := s.RollupAll(ctx); err != nil {
				t.Fatal(err)
			}
		}
		visit(site, "globex", "Globex")
		visit(isite, "initrode", "Initrode")

		// Who may subscribe to what.
		wantCode(t, s.SetFeedAlert(ctx, &foyer.FeedAlert{WorkspaceID: acme.ID, UserID: ann.ID, SavedFeedID: other.ID, Frequency: foyer.AlertDaily}), foyer.ENOTFOUND)
		wantCode(t, s.SetFeedAlert(ctx, &foyer.FeedAlert{WorkspaceID: initech.ID, UserID: ann.ID, SavedFeedID: other.ID, Frequency: foyer.AlertDaily}), foyer.ENOTFOUND)
		wantCode(t, s.SetFeedAlert(ctx, &foyer.FeedAlert{WorkspaceID: acme.ID, UserID: ann.ID, SavedFeedID: feed.ID, Frequency: "hourly"}), foyer.EINVALID)
		a := &foyer.FeedAlert{WorkspaceID: acme.ID, UserID: ann.ID, SavedFeedID: feed.ID, Frequency: foyer.AlertDaily}
		if err := s.SetFeedAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
		a.Frequency = foyer.AlertImmediately
		id := a.ID
		if err := s.SetFeedAlert(ctx, a); err != nil || a.ID != id {
			t.Fatalf("changing the frequency: %v, ID %d then %d", err, id, a.ID)
		}
		bobs := &foyer.FeedAlert{WorkspaceID: acme.ID, UserID: bob.ID, SavedFeedID: feed.ID, Frequency: foyer.AlertWeekly}
		if err := s.SetFeedAlert(ctx, bobs); err != nil {
			t.Fatal(err)
		}
		got, err := s.FeedAlert(ctx, acme.ID, ann.ID, feed.ID)
		if err != nil || got.Frequency != foyer.AlertImmediately || got.FeedName != "Hot leads" || got.Email != ann.Email || got.Role != foyer.RoleOwner {
			t.Fatalf("Ann's alert: %+v, %v", got, err)
		}
		_, err = s.FeedAlert(ctx, initech.ID, ann.ID, feed.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		wantCode(t, s.DeleteFeedAlert(ctx, initech.ID, ann.ID, feed.ID), foyer.ENOTFOUND)
		if list, err := s.UserFeedAlerts(ctx, ann.ID); err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("Ann's alerts: %+v, %v", list, err)
		}

		globex := alertCompanies(t, s, acme.ID, "Globex")[0]
		initrode := alertCompanies(t, s, initech.ID, "Initrode")[0]
		// The first check learns what the feed holds; nothing is new.
		if n, err := s.RecordAlertCheck(ctx, a.ID, matches(globex), clock.Now()); err != nil || n != 0 {
			t.Fatalf("first check: %d new, %v", n, err)
		}
		if d, err := s.TakeAlertDelivery(ctx, a.ID, clock.Now()); err != nil || d != nil {
			t.Fatalf("after the first check: %+v, %v", d, err)
		}
		// Nothing new: nothing to send.
		clock.Add(5 * time.Minute)
		if n, err := s.RecordAlertCheck(ctx, a.ID, matches(globex), clock.Now()); err != nil || n != 0 {
			t.Fatalf("second check: %d new, %v", n, err)
		}
		if d, err := s.TakeAlertDelivery(ctx, a.ID, clock.Now()); err != nil || d != nil {
			t.Fatalf("nothing new: %+v, %v", d, err)
		}
		// Hooli and Umbrella arrive; Umbrella is hidden before the email.
		visit(site, "hooli", "Hooli")
		visit(site, "umbrella", "Umbrella")
		ids := alertCompanies(t, s, acme.ID, "Hooli", "Umbrella")
		hooli, umbrella := ids[0], ids[1]
		// Another workspace's company is never noted, even when passed.
		if n, err := s.RecordAlertCheck(ctx, a.ID, matches(globex, hooli, umbrella, initrode), clock.Now()); err != nil || n != 2 {
			t.Fatalf("third check: %d new, %v; want Hooli and Umbrella", n, err)
		}
		if _, err := s.HideCompany(ctx, acme.ID, umbrella, foyer.HideOther, ann); err != nil {
			t.Fatal(err)
		}
		d, err := s.TakeAlertDelivery(ctx, a.ID, clock.Now())
		if err != nil || d == nil || len(d.Companies) != 1 || d.Companies[0].ID != hooli || d.Companies[0].Pageviews != 2 {
			t.Fatalf("the email of the third check: %+v, %v; want Hooli alone", d, err)
		}
		// Written, not yet sent: a restart finds it.
		unsent, err := s.UnsentAlertDeliveries(ctx, a.ID)
		if err != nil || len(unsent) != 1 || unsent[0].ID != d.ID || len(unsent[0].Companies) != 1 {
			t.Fatalf("unsent: %+v, %v", unsent, err)
		}
		if err := s.MarkAlertSent(ctx, d.ID, clock.Now(), len(d.Companies), nil); err != nil {
			t.Fatal(err)
		}
		if unsent, err := s.UnsentAlertDeliveries(ctx, a.ID); err != nil || len(unsent) != 0 {
			t.Fatalf("unsent after sending: %+v, %v", unsent, err)
		}
		if got, _ := s.FeedAlert(ctx, acme.ID, ann.ID, feed.ID); got.LastSentCount != 1 || !got.LastSentAt.Equal(clock.Now().Truncate(time.Millisecond)) {
			t.Errorf("after sending: last sent %v, %d", got.LastSentAt, got.LastSentCount)
		}
		// Seen once, never again: a later check finds nothing new.
		clock.Add(5 * time.Minute)
		if n, err := s.RecordAlertCheck(ctx, a.ID, matches(globex, hooli), clock.Now()); err != nil || n != 0 {
			t.Fatalf("fourth check: %d new, %v", n, err)
		}
		if d, err := s.TakeAlertDelivery(ctx, a.ID, clock.Now()); err != nil || d != nil {
			t.Fatalf("Hooli twice: %+v, %v", d, err)
		}
		// The job's list holds only members' alerts; removing Bob drops his.
		if all, err := s.FeedAlerts(ctx); err != nil || len(all) != 2 {
			t.Fatalf("all alerts: %+v, %v", all, err)
		}
		if err := s.RemoveMember(ctx, acme.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if all, err := s.FeedAlerts(ctx); err != nil || len(all) != 1 || all[0].UserID != ann.ID {
			t.Fatalf("after Bob's removal: %+v, %v", all, err)
		}
		_, err = s.FeedAlert(ctx, acme.ID, bob.ID, feed.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		// Deleting the saved feed drops its alerts.
		if err := s.DeleteSavedFeed(ctx, acme.ID, feed.ID); err != nil {
			t.Fatal(err)
		}
		if all, err := s.FeedAlerts(ctx); err != nil || len(all) != 0 {
			t.Fatalf("after the feed's deletion: %+v, %v", all, err)
		}
	})
}
