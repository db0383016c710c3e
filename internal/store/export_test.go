package store

import (
	"context"

	"github.com/foyerhq/foyer"
)

// SetCacheLimit bounds the ingest caches of s to n entries each, so that
// tests can see them emptied.
func SetCacheLimit(s *Store, n int) {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	s.cache = newIngestCache(n)
}

// PeriodFeed answers q the way Feed does for periods that do not end
// today, whatever the period: the reference for the fast path.
func PeriodFeed(s *Store, ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	return s.periodFeed(ctx, q, dayOf(ms(q.From)), dayOf(ms(q.To)))
}
