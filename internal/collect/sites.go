package collect

import (
	"context"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// siteCache answers site look-ups from memory for a short while, unknown
// keys included, so that a flood of requests costs no database round trips.
// A change of a site's settings therefore reaches the collector within the
// cache's TTL (siteTTL), or at once when the process that made the change
// calls Forget, as the web app does after saving a site's settings.
type siteCache struct {
	sites   foyer.SiteService
	ttl     time.Duration
	timeout time.Duration // for a read from storage; 0: the caller's context alone
	now     func() time.Time

	mu      sync.RWMutex
	entries map[string]siteEntry
	// forgets counts Forget calls: a look-up that a Forget overtook while
	// it read storage does not cache what it read, which may be older.
	forgets uint64
}

type siteEntry struct {
	site    *foyer.Site // nil: unknown key
	fetched time.Time
}

// staleRetry is how long the cache serves a site it could not read again
// before it tries storage once more.
const staleRetry = time.Second

func newSiteCache(s foyer.SiteService, ttl, timeout time.Duration, now func() time.Time) *siteCache {
	return &siteCache{sites: s, ttl: ttl, timeout: timeout, now: now, entries: map[string]siteEntry{}}
}

// Get returns the site with the key, or ENOTFOUND. When storage fails, a
// site read before is returned as it was (stale) rather than the error.
func (c *siteCache) Get(ctx context.Context, key string) (*foyer.Site, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.entries[key]
	forgets := c.forgets
	c.mu.RUnlock()
	if !ok || now.Sub(e.fetched) > c.ttl {
		site, err := c.read(ctx, key)
		switch {
		case err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND && ok:
			// Storage fails: keep serving what was read (stale), and try
			// storage again after staleRetry, so that a collector whose
			// batches go to a queue keeps answering while the database
			// is down.
			e.fetched = now.Add(staleRetry - c.ttl)
		case err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND:
			return nil, err
		default:
			e = siteEntry{site: site, fetched: now}
		}
		c.mu.Lock()
		if len(c.entries) > 10_000 {
			clear(c.entries)
		}
		if c.forgets == forgets {
			c.entries[key] = e
		}
		c.mu.Unlock()
	}
	if e.site == nil {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "unknown site key %q", key)
	}
	return e.site, nil
}

// read reads the site from storage, within the cache's timeout.
func (c *siteCache) read(ctx context.Context, key string) (*foyer.Site, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	return c.sites.SiteByKey(ctx, key)
}

// Forget drops the cached entry of the key, so that the next request reads
// the site from storage.
func (c *siteCache) Forget(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.forgets++
	c.mu.Unlock()
}
