package collect

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// failingSites answers SiteByKey from site until down is set, then fails.
type failingSites struct {
	foyer.SiteService
	site  *foyer.Site
	down  bool
	reads int
}

func (f *failingSites) SiteByKey(ctx context.Context, key string) (*foyer.Site, error) {
	f.reads++
	if f.down {
		return nil, errors.New("fake: the database is down")
	}
	if key != f.site.Key {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no site %q", key)
	}
	return f.site, nil
}

// TestSiteCacheServesStaleWhenStorageFails: a site read before is served
// as it was while storage fails, and read again once it answers; a key never
// read is an error.
func TestSiteCacheServesStaleWhenStorageFails(t *testing.T) {
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f := &failingSites{site: &foyer.Site{ID: 1, Key: "k"}}
	c := newSiteCache(f, siteTTL, time.Second, clock.Now)
	if s, err := c.Get(context.Background(), "k"); err != nil || s.ID != 1 {
		t.Fatalf("first read: %v %v", s, err)
	}
	f.down = true
	clock.Add(siteTTL + time.Second)
	for range 3 {
		if s, err := c.Get(context.Background(), "k"); err != nil || s.ID != 1 {
			t.Fatalf("storage down: got %v %v, want the stale site", s, err)
		}
	}
	if f.reads != 2 {
		t.Errorf("%d reads, want 2: after a failure storage is tried again only after %s", f.reads, staleRetry)
	}
	if _, err := c.Get(context.Background(), "other"); err == nil || foyer.ErrorCode(err) == foyer.ENOTFOUND {
		t.Errorf("unknown key with storage down: %v, want a storage error", err)
	}
	f.down = false
	f.site = &foyer.Site{ID: 1, Key: "k", Name: "renamed"}
	clock.Add(staleRetry + time.Millisecond)
	if s, err := c.Get(context.Background(), "k"); err != nil || s.Name != "renamed" {
		t.Errorf("storage back: got %v %v, want the site read again", s, err)
	}
}
