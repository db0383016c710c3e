package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestSavedFeeds checks that saved feeds stay in their workspace.
func TestSavedFeeds(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		acme, _ := testutil.NewSite(t, s, "Acme", "acme", "localhost")
		initech, _ := testutil.NewSite(t, s, "Initech", "initech", "localhost")
		hot := &foyer.SavedFeed{WorkspaceID: acme.ID, Name: "  Hot leads ", Query: "days=7&sort=score"}
		if err := s.SaveFeed(ctx, hot); err != nil {
			t.Fatal(err)
		}
		if hot.ID == 0 || hot.Name != "Hot leads" || hot.CreatedAt.IsZero() {
			t.Fatalf("saved %+v", hot)
		}
		wantCode(t, s.SaveFeed(ctx, &foyer.SavedFeed{WorkspaceID: acme.ID, Name: "Hot leads"}), foyer.ECONFLICT)
		wantCode(t, s.SaveFeed(ctx, &foyer.SavedFeed{WorkspaceID: acme.ID, Name: " "}), foyer.EINVALID)
		wantCode(t, s.SaveFeed(ctx, &foyer.SavedFeed{WorkspaceID: acme.ID, Name: strings.Repeat("x", 81)}), foyer.EINVALID)
		wantCode(t, s.SaveFeed(ctx, &foyer.SavedFeed{WorkspaceID: 999_999, Name: "Nowhere"}), foyer.ENOTFOUND)
		// The same name in another workspace is another feed.
		if err := s.SaveFeed(ctx, &foyer.SavedFeed{WorkspaceID: initech.ID, Name: "Hot leads", Query: "days=1"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.SavedFeed(ctx, initech.ID, hot.ID)
		wantCode(t, err, foyer.ENOTFOUND)
		wantCode(t, s.DeleteSavedFeed(ctx, initech.ID, hot.ID), foyer.ENOTFOUND)
		feeds, err := s.SavedFeeds(ctx, acme.ID)
		if err != nil || len(feeds) != 1 || feeds[0].ID != hot.ID || feeds[0].Query != hot.Query {
			t.Fatalf("Acme's feeds after another workspace's delete: %+v, %v", feeds, err)
		}
		if err := s.DeleteSavedFeed(ctx, acme.ID, hot.ID); err != nil {
			t.Fatal(err)
		}
		if feeds, err := s.SavedFeeds(ctx, acme.ID); err != nil || len(feeds) != 0 {
			t.Fatalf("after delete: %+v, %v", feeds, err)
		}
		if feeds, err := s.SavedFeeds(ctx, initech.ID); err != nil || len(feeds) != 1 {
			t.Fatalf("Initech's feeds: %+v, %v", feeds, err)
		}
	})
}
