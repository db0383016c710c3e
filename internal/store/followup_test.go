package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// followUpFixture is two workspaces, each with a company that visited
// today, and members of each.
type followUpFixture struct {
	s                  *store.Store
	acme, initech      int64 // workspaces
	globex, hooli      int64 // Acme's companies
	initechCo          int64 // Initech's company
	ana, bob, outsider int64 // Ana and Bob are Acme's members, the outsider Initech's
}

func newFollowUpFixture(t *testing.T, d store.Dialect) *followUpFixture {
	t.Helper()
	now := time.Now().UTC()
	s := testutil.NewStore(t, d, store.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	wsA, a := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	wsI, i := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
	hit := func(site int64, visitor string, at time.Time, org string) foyer.Hit {
		return foyer.Hit{SiteID: site, VisitorUID: visitor, Time: at, Kind: foyer.KindPageview,
			Host: "www.example.com", Path: "/pricing", Origin: foyer.Origin{Country: "DE", Org: foyer.Org{Name: org, Type: foyer.OrgBusiness}}}
	}
	appendHits(t, s, hit(a.ID, "visitor-globex-000000000", now.Add(-time.Hour), "Globex GmbH"),
		hit(a.ID, "visitor-hooli-0000000000", now.Add(-2*time.Hour), "Hooli Inc"),
		hit(i.ID, "visitor-initech-00000000", now.Add(-time.Hour), "Globex GmbH"))
	if _, err := s.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	f := &followUpFixture{s: s, acme: wsA.ID, initech: wsI.ID}
	ids := func(ws int64) map[string]int64 {
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws, From: now.AddDate(0, 0, -1), To: now})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, r := range rows {
			out[r.Name] = r.ID
		}
		return out
	}
	ac, ic := ids(wsA.ID), ids(wsI.ID)
	f.globex, f.hooli, f.initechCo = ac["Globex GmbH"], ac["Hooli Inc"], ic["Globex GmbH"]
	if f.globex == 0 || f.hooli == 0 || f.initechCo == 0 {
		t.Fatalf("companies: %v %v", ac, ic)
	}
	user := func(email string, ws int64, r foyer.Role) int64 {
		u := &foyer.User{Email: email, Name: strings.Split(email, "@")[0]}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws, UserID: u.ID, Role: r}); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	f.ana, f.bob, f.outsider = user("ana@example.com", wsA.ID, foyer.RoleOwner), user("bob@example.com", wsA.ID, foyer.RoleAnalyst),
		user("olga@example.com", wsI.ID, foyer.RoleOwner)
	return f
}

// TestNotes checks that notes are kept per company and workspace, newest
// first, with their author, and that bad ones and other workspaces'
// companies store nothing.
func TestNotes(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFollowUpFixture(t, d)
		s, ctx := f.s, context.Background()
		first := &foyer.Note{WorkspaceID: f.acme, CompanyID: f.globex, AuthorID: f.ana, Body: "  Called them.\r\nCall back in May. "}
		if err := s.AddNote(ctx, first); err != nil {
			t.Fatal(err)
		}
		if first.ID == 0 || first.Body != "Called them.\nCall back in May." || first.Author != "ana" || first.CreatedAt.IsZero() {
			t.Fatalf("stored %+v", first)
		}
		second := &foyer.Note{WorkspaceID: f.acme, CompanyID: f.globex, AuthorID: f.bob, Body: "Sent the offer."}
		if err := s.AddNote(ctx, second); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.AddNote(ctx, &foyer.Note{WorkspaceID: f.acme, CompanyID: f.globex, AuthorID: f.ana, Body: " \n "}), foyer.EINVALID)
		wantCode(t, s.AddNote(ctx, &foyer.Note{WorkspaceID: f.acme, CompanyID: f.globex, AuthorID: f.ana,
			Body: strings.Repeat("é", foyer.MaxNoteLength+1)}), foyer.EINVALID)
		// Another workspace's company, named by a member of this one.
		wantCode(t, s.AddNote(ctx, &foyer.Note{WorkspaceID: f.acme, CompanyID: f.initechCo, AuthorID: f.ana, Body: "x"}), foyer.ENOTFOUND)
		if notes, err := s.Notes(ctx, f.initech, f.initechCo); err != nil || len(notes) != 0 {
			t.Fatalf("Initech's notes: %+v, %v", notes, err)
		}
		notes, err := s.Notes(ctx, f.acme, f.globex)
		if err != nil || len(notes) != 2 || notes[0].ID != second.ID || notes[1].ID != first.ID || notes[0].Author != "bob" {
			t.Fatalf("notes: %+v, %v", notes, err)
		}
		if _, err := s.Note(ctx, f.initech, first.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("another workspace's note: %v", err)
		}
		wantCode(t, s.DeleteNote(ctx, f.initech, first.ID), foyer.ENOTFOUND)
		if err := s.DeleteNote(ctx, f.acme, first.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.DeleteNote(ctx, f.acme, first.ID), foyer.ENOTFOUND)
		if notes, _ := s.Notes(ctx, f.acme, f.globex); len(notes) != 1 || notes[0].ID != second.ID {
			t.Fatalf("after delete: %+v", notes)
		}
	})
}

// TestTags checks that tags are trimmed, unique per company in any case,
// bounded, and stay in their workspace.
func TestTags(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFollowUpFixture(t, d)
		s, ctx := f.s, context.Background()
		for _, tag := range []string{"  Hot   lead ", "hot LEAD", "Partner"} {
			if err := s.AddTag(ctx, f.acme, f.globex, tag); err != nil {
				t.Fatal(err)
			}
		}
		if tags, err := s.Tags(ctx, f.acme, f.globex); err != nil || !slices.Equal(tags, []string{"Hot lead", "Partner"}) {
			t.Fatalf("tags: %q, %v", tags, err)
		}
		wantCode(t, s.AddTag(ctx, f.acme, f.globex, "  "), foyer.EINVALID)
		wantCode(t, s.AddTag(ctx, f.acme, f.globex, strings.Repeat("x", foyer.MaxTagLength+1)), foyer.EINVALID)
		wantCode(t, s.AddTag(ctx, f.acme, f.initechCo, "stolen"), foyer.ENOTFOUND)
		wantCode(t, s.RemoveTag(ctx, f.initech, f.globex, "partner"), foyer.ENOTFOUND)
		if tags, _ := s.Tags(ctx, f.initech, f.initechCo); len(tags) != 0 {
			t.Fatalf("Initech's company got tags: %q", tags)
		}
		for i := len("xx"); i < foyer.MaxCompanyTags; i++ {
			if err := s.AddTag(ctx, f.acme, f.globex, "t"+strings.Repeat("i", i)); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, s.AddTag(ctx, f.acme, f.globex, "one too many"), foyer.ECONFLICT)
		if err := s.AddTag(ctx, f.acme, f.globex, "PARTNER"); err != nil { // has it: no change, no error
			t.Fatal(err)
		}
		if err := s.RemoveTag(ctx, f.acme, f.globex, "partner"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RemoveTag(ctx, f.acme, f.globex, "partner"), foyer.ENOTFOUND)
		if tags, _ := s.Tags(ctx, f.acme, f.globex); len(tags) != foyer.MaxCompanyTags-1 || slices.Contains(tags, "Partner") {
			t.Fatalf("after remove: %q", tags)
		}
	})
}

// TestAssign checks that a company is assigned to members of its
// workspace only, and that removing the member clears it.
func TestAssign(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFollowUpFixture(t, d)
		s, ctx := f.s, context.Background()
		assignee := func(ws, c int64) int64 {
			t.Helper()
			id, err := s.Assignee(ctx, ws, c)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		if err := s.Assign(ctx, f.acme, f.globex, f.bob); err != nil {
			t.Fatal(err)
		}
		if err := s.Assign(ctx, f.acme, f.globex, f.ana); err != nil { // reassigned
			t.Fatal(err)
		}
		if got := assignee(f.acme, f.globex); got != f.ana {
			t.Fatalf("assignee %d, want Ana %d", got, f.ana)
		}
		wantCode(t, s.Assign(ctx, f.acme, f.hooli, f.outsider), foyer.EINVALID)
		wantCode(t, s.Assign(ctx, f.acme, f.initechCo, f.ana), foyer.ENOTFOUND)
		wantCode(t, s.Assign(ctx, f.initech, f.globex, f.outsider), foyer.ENOTFOUND)
		if _, err := s.Assignee(ctx, f.initech, f.globex); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Fatalf("another workspace's company's assignee: %v", err)
		}
		if assignee(f.acme, f.hooli) != 0 || assignee(f.initech, f.initechCo) != 0 || assignee(f.acme, f.globex) != f.ana {
			t.Fatal("a refused assignment changed something")
		}
		if err := s.Assign(ctx, f.acme, f.hooli, f.bob); err != nil {
			t.Fatal(err)
		}
		// A new role keeps the assignment; leaving the workspace ends it.
		if err := s.ChangeRole(ctx, f.acme, f.bob, foyer.RoleViewer); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: f.acme, UserID: f.bob, Role: foyer.RoleAnalyst}); err != nil {
			t.Fatal(err)
		}
		if got := assignee(f.acme, f.hooli); got != f.bob {
			t.Fatalf("after Bob's new role, Hooli is assigned to %d", got)
		}
		if err := s.RemoveMember(ctx, f.acme, f.bob); err != nil {
			t.Fatal(err)
		}
		if got := assignee(f.acme, f.hooli); got != 0 {
			t.Fatalf("after Bob left, Hooli is assigned to %d", got)
		}
		if err := s.Assign(ctx, f.acme, f.globex, 0); err != nil {
			t.Fatal(err)
		}
		if got := assignee(f.acme, f.globex); got != 0 {
			t.Fatalf("unassigned, got %d", got)
		}
	})
}

// TestFeedFollowUpFilters checks the feed's filters by tag and assignee,
// and the tags of its rows, on both ways the feed is read: a period that
// ends today by last visit (recentFeed), and by score (periodFeed).
func TestFeedFollowUpFilters(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		f := newFollowUpFixture(t, d)
		s, ctx := f.s, context.Background()
		for _, step := range []error{
			s.AddTag(ctx, f.acme, f.globex, "Hot Lead"), s.AddTag(ctx, f.acme, f.globex, "partner"),
			s.AddTag(ctx, f.acme, f.hooli, "cold"), s.Assign(ctx, f.acme, f.hooli, f.bob),
			// The same tag on Initech's Globex must not show in Acme's feed.
			s.AddTag(ctx, f.initech, f.initechCo, "hot lead"),
		} {
			if step != nil {
				t.Fatal(step)
			}
		}
		now := time.Now().UTC()
		for _, sort := range []foyer.FeedSort{foyer.SortRecent, foyer.SortScore} {
			names := func(q foyer.FeedQuery) []string {
				t.Helper()
				q.WorkspaceID, q.From, q.To, q.Sort = f.acme, now.AddDate(0, 0, -6), now, sort
				rows, err := s.Feed(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, r := range rows {
					out = append(out, r.Name+":"+strings.Join(r.Tags, ","))
				}
				slices.Sort(out)
				return out
			}
			for _, c := range []struct {
				q    foyer.FeedQuery
				want []string
			}{
				{foyer.FeedQuery{}, []string{"Globex GmbH:Hot Lead,partner", "Hooli Inc:cold"}},
				{foyer.FeedQuery{Tag: "  hot   LEAD "}, []string{"Globex GmbH:Hot Lead,partner"}},
				{foyer.FeedQuery{Tag: "hot"}, nil}, // a whole tag, not a part
				{foyer.FeedQuery{AssignedTo: f.bob}, []string{"Hooli Inc:cold"}},
				{foyer.FeedQuery{AssignedTo: f.ana}, nil},
				{foyer.FeedQuery{Tag: "cold", AssignedTo: f.bob, Country: "DE"}, []string{"Hooli Inc:cold"}},
				{foyer.FeedQuery{Tag: "partner", AssignedTo: f.bob}, nil},
				{foyer.FeedQuery{Unassigned: true}, []string{"Globex GmbH:Hot Lead,partner"}},
				{foyer.FeedQuery{Unassigned: true, Tag: "cold"}, nil},
			} {
				if got := names(c.q); !slices.Equal(got, c.want) {
					t.Errorf("%s, tag %q, assigned to %d (nobody: %v): %q, want %q", sort, c.q.Tag, c.q.AssignedTo, c.q.Unassigned, got, c.want)
				}
			}
		}
	})
}

// TestSetTimeZone checks that a user's time zone is stored only when it
// is a zone.
func TestSetTimeZone(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		u := &foyer.User{Email: "ana@example.com"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.TimeZone != "" {
			t.Fatalf("a new user's zone: %q", got.TimeZone)
		}
		if err := s.SetTimeZone(ctx, u.ID, " Asia/Tokyo "); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"Mars/Olympus_Mons", "", "Local", "../etc/passwd"} {
			wantCode(t, s.SetTimeZone(ctx, u.ID, bad), foyer.EINVALID)
		}
		wantCode(t, s.SetTimeZone(ctx, 999_999, "UTC"), foyer.ENOTFOUND)
		if got, _ := s.UserByEmail(ctx, u.Email); got.TimeZone != "Asia/Tokyo" {
			t.Fatalf("zone after bad ones: %q", got.TimeZone)
		}
	})
}
