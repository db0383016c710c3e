package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestFeedKnownContacts: each row of the feed counts the workspace's
// contacts at its company, by their email's domain: none for a company
// without, and never another workspace's contacts.
func TestFeedKnownContacts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		s.UseKeys(testKeys(t, 3))
		ctx := context.Background()
		wsA, a := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		wsB, b := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		globex := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex GmbH", Domain: "globex.example", Type: foyer.OrgBusiness}}
		hooli := foyer.Origin{Country: "US", Org: foyer.Org{Name: "Hooli Inc", Domain: "hooli.example", Type: foyer.OrgBusiness}}
		hit := func(site *foyer.Site, visitor string, o foyer.Origin) foyer.Hit {
			h := pageview(site.ID, visitor, 0, "/p")
			h.Time, h.Origin = time.Now().Add(-time.Hour), o
			return h
		}
		appendHits(t, s, hit(a, "visitor-g-0000000000000", globex), hit(a, "visitor-h-0000000000000", hooli),
			hit(b, "visitor-b-0000000000000", globex))
		if _, err := s.RollupAll(ctx); err != nil {
			t.Fatal(err)
		}
		// Two of Acme's contacts at Globex, one elsewhere; one of
		// Initech's at Globex too.
		for _, c := range []*foyer.Contact{
			{WorkspaceID: wsA.ID, Email: "ana@globex.example"}, {WorkspaceID: wsA.ID, Email: "bob@GLOBEX.example"},
			{WorkspaceID: wsA.ID, Email: "eve@elsewhere.example"}, {WorkspaceID: wsB.ID, Email: "gil@globex.example"},
		} {
			if err := s.CreateContact(ctx, c, "test"); err != nil {
				t.Fatal(err)
			}
		}
		counts := func(ws int64) map[string]int64 {
			t.Helper()
			rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: ws, From: time.Now().Add(-48 * time.Hour), To: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int64{}
			for _, r := range rows {
				out[r.Name] = r.KnownContacts
			}
			return out
		}
		if got := counts(wsA.ID); len(got) != 2 || got["Globex GmbH"] != 2 || got["Hooli Inc"] != 0 {
			t.Errorf("Acme's feed: known contacts %v, want Globex 2, Hooli 0", got)
		}
		if got := counts(wsB.ID); len(got) != 1 || got["Globex GmbH"] != 1 {
			t.Errorf("Initech's feed: known contacts %v, want Globex 1", got)
		}
		// The score order reads the rows another way: the counts stay.
		rows, err := s.Feed(ctx, foyer.FeedQuery{WorkspaceID: wsA.ID, From: time.Now().Add(-48 * time.Hour), To: time.Now(),
			Sort: foyer.SortScore, MinPages: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if want := map[string]int64{"Globex GmbH": 2}[r.Name]; r.KnownContacts != want {
				t.Errorf("by score: %s has %d known contacts, want %d", r.Name, r.KnownContacts, want)
			}
		}
	})
}
