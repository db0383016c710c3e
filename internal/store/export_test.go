package store

// SetCacheLimit bounds the ingest caches of s to n entries each, so that
// tests can see them emptied.
func SetCacheLimit(s *Store, n int) {
	s.ingestMu.Lock()
	defer s.ingestMu.Unlock()
	s.cache = newIngestCache(n)
}
