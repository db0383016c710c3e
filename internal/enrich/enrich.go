// Package enrich gives the workspaces' companies substance from open data:
// in the background, it looks each organisation up in Wikidata by its
// domain, else its name, and stores what it finds (store.SaveOrgProfile),
// which the feed and the company page then show. It sends Wikidata an
// organisation's domain or name and nothing else.
package enrich

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/wikidata"
)

// Store is what the enricher reads and writes.
type Store interface {
	OrgsToEnrich(ctx context.Context, limit int) ([]store.OrgToEnrich, error)
	SaveOrgProfile(ctx context.Context, orgKey string, p *foyer.OrgProfile) error
}

// Source finds an organisation by domain or name: *wikidata.Client.
type Source interface {
	ByDomain(ctx context.Context, domain string) (*wikidata.Profile, error)
	ByName(ctx context.Context, name string) (*wikidata.Profile, error)
}

// Enricher looks organisations up, a batch at a time.
type Enricher struct {
	Store  Store
	Source Source
	Log    *slog.Logger
	// Idle is the pause when nothing waits, Backoff after a failure of
	// the source (1 minute and 10 minutes when 0).
	Idle, Backoff time.Duration
}

// batch is how many organisations one round looks up.
const batch = 20

// Run enriches until ctx ends.
func (e *Enricher) Run(ctx context.Context) {
	idle, backoff := e.Idle, e.Backoff
	if idle <= 0 {
		idle = time.Minute
	}
	if backoff <= 0 {
		backoff = 10 * time.Minute
	}
	for {
		n, err := e.Round(ctx)
		pause := time.Duration(0)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			e.log().Warn("enrich: open data did not answer; trying again later", "err", err, "in", backoff)
			pause = backoff
		case n == 0:
			pause = idle
		}
		if pause > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// Round looks up one batch of organisations without a profile and returns
// how many it stored; it stops at the source's first failure (not a miss).
func (e *Enricher) Round(ctx context.Context) (int, error) {
	orgs, err := e.Store.OrgsToEnrich(ctx, batch)
	if err != nil {
		return 0, err
	}
	done := 0
	for _, o := range orgs {
		p, err := e.lookUp(ctx, o)
		if err != nil {
			return done, err
		}
		if err := e.Store.SaveOrgProfile(ctx, o.Key, p); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// lookUp finds the organisation by its domain, else by its name: nil when
// neither matches.
func (e *Enricher) lookUp(ctx context.Context, o store.OrgToEnrich) (*foyer.OrgProfile, error) {
	var p *wikidata.Profile
	err := wikidata.ErrNotFound
	if o.Domain != "" {
		p, err = e.Source.ByDomain(ctx, o.Domain)
	}
	if errors.Is(err, wikidata.ErrNotFound) && o.Name != "" {
		p, err = e.Source.ByName(ctx, o.Name)
	}
	if errors.Is(err, wikidata.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &foyer.OrgProfile{QID: p.QID, Name: p.Name, Website: p.Website, Industry: p.Industry, Employees: p.Employees,
		Country: p.Country, LinkedIn: p.LinkedIn, Logo: p.Logo}, nil
}

func (e *Enricher) log() *slog.Logger {
	if e.Log == nil {
		return slog.Default()
	}
	return e.Log
}
