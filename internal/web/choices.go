package web

import (
	"context"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
)

// choicesLife is how long the feed's filter choices of a workspace are
// kept: they change when a company with a new country, industry, size or
// type first visits, or open data gives a company an industry, and
// reading them takes 7 ms on 5,000 companies.
const choicesLife = time.Minute

// choiceCache keeps each workspace's filter choices for choicesLife.
type choiceCache struct {
	mu sync.Mutex
	m  map[int64]cachedChoices
}

type cachedChoices struct {
	c  *foyer.FeedChoices
	at time.Time
}

// feedChoices returns the workspace's choices, read again when older than
// choicesLife. The map holds a row a workspace that was asked for.
func (s *Server) feedChoices(ctx context.Context, workspaceID int64) (*foyer.FeedChoices, error) {
	now := s.now()
	s.choices.mu.Lock()
	c, ok := s.choices.m[workspaceID]
	s.choices.mu.Unlock()
	if ok && now.Sub(c.at) < choicesLife && !now.Before(c.at) {
		return c.c, nil
	}
	fc, err := s.cfg.Store.FeedChoices(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	s.choices.mu.Lock()
	if s.choices.m == nil {
		s.choices.m = map[int64]cachedChoices{}
	}
	s.choices.m[workspaceID] = cachedChoices{fc, now}
	s.choices.mu.Unlock()
	return fc, nil
}
