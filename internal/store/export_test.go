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
	return s.periodFeed(ctx, q, dayOf(ms(q.From)), dayOf(ms(q.To)), s.now())
}

// RedoMigration undoes the migrations from version on and applies them
// again, as on a database that had the data but not the migration.
func RedoMigration(ctx context.Context, s *Store, version int64) error {
	p, err := s.migrations()
	if err != nil {
		return err
	}
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	if _, err := p.DownTo(ctx, version-1); err != nil {
		return err
	}
	_, err = p.Up(ctx)
	return err
}
