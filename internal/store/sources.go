package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/referrer"
)

// Sources are stored by name in source_days, company_sources and
// company_source_weeks. The roll-up stores them normalised
// (referrer.Of: "LinkedIn", not "lnkd.in"); rows written before migration
// 0019 hold the raw names (utm_source as given, the referrer's host without
// "www."), and normalising them takes our list of known sources, which SQL
// cannot express. So every read normalises the names again (Normalize of a
// normalised name is itself) and sums the rows of one source, and the
// feed's source filter matches every stored name of the source it asks for.

// sourceCount is a source's visits and its latest visit's start.
type sourceCount struct {
	visits, lastAt int64
}

// sourceNames returns the stored names of the source asked for (in any
// case, by any of its names) that the sites of the workspace (or the one
// site) saw in the days [from, to], and its normalised name: the names to
// match in company_sources. It reads them from source_days, which the
// roll-up writes with company_sources, name for name, for the same visits;
// migration 0019 gives every name of company_sources a row there too.
func (s *Store) sourceNames(ctx context.Context, workspaceID, siteID, from, to int64, source string) ([]string, error) {
	want := referrer.Normalize(source).Name
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.sourceNames */
		SELECT DISTINCT source FROM source_days
		WHERE site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND (? = 0 OR site_id = ?)
			AND day >= ? AND day <= ?`), workspaceID, siteID, siteID, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: feed: sources: %w", err)
	}
	defer rows.Close()
	names := []string{want}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("store: feed: sources: %w", err)
		}
		if name != want && referrer.Normalize(name).Name == want {
			names = append(names, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feed: sources: %w", err)
	}
	return names, nil
}

// addSource adds n visits, the latest of them at last, to the count of k.
func addSource[K comparable](m map[K]*sourceCount, k K, n, last int64) {
	c := m[k]
	if c == nil {
		c = &sourceCount{}
		m[k] = c
	}
	c.visits += n
	c.lastAt = max(c.lastAt, last)
}

// sourceCounts reads (name, visits, latest visit) rows and sums them by
// normalised source.
func sourceCounts(rows *sql.Rows) (map[referrer.Source]*sourceCount, error) {
	defer rows.Close()
	out := map[referrer.Source]*sourceCount{}
	for rows.Next() {
		var name string
		var n, last int64
		if err := rows.Scan(&name, &n, &last); err != nil {
			return nil, err
		}
		addSource(out, referrer.Normalize(name), n, last)
	}
	return out, rows.Err()
}

// topCounts orders the sources by visits, most first, then by name, and
// returns the first limit (every one when limit is 0).
func topCounts(m map[referrer.Source]*sourceCount, limit int) []foyer.Count {
	out := make([]foyer.Count, 0, len(m))
	for src, c := range m {
		if c.visits > 0 {
			out = append(out, foyer.Count{Name: src.Name, Kind: src.Kind.Label(), N: c.visits})
		}
	}
	slices.SortFunc(out, func(a, b foyer.Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Name, b.Name)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// WorkspaceSources returns the sources of the visits to the workspace's
// sites in the days [from, to] (UTC), normalised, with their kinds and
// visits, the most visits first: the choices of the feed's source filter.
func (s *Store) WorkspaceSources(ctx context.Context, workspaceID int64, from, to time.Time) ([]foyer.Count, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.WorkspaceSources */
		SELECT source, SUM(visits), 0 FROM source_days
		WHERE site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND day >= ? AND day <= ?
		GROUP BY source`), workspaceID, dayOf(ms(from)), dayOf(ms(to)))
	if err != nil {
		return nil, fmt.Errorf("store: workspace sources: %w", err)
	}
	m, err := sourceCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("store: workspace sources: %w", err)
	}
	return topCounts(m, 0), nil
}

// pickTopSources reads (company, source, visits, latest visit) rows into
// each company's TopSource: the source of the most visits, on a tie the
// one of the latest visit, and only when that ties too (rows from before
// migration 0019 may not know it) the first by name.
func pickTopSources(rows *sql.Rows, byID map[int64]*foyer.FeedRow) error {
	defer rows.Close()
	type key struct {
		company int64
		src     referrer.Source
	}
	sums := map[key]*sourceCount{}
	for rows.Next() {
		var id, n, last int64
		var name string
		if err := rows.Scan(&id, &name, &n, &last); err != nil {
			return fmt.Errorf("store: feed: top sources: %w", err)
		}
		addSource(sums, key{id, referrer.Normalize(name)}, n, last)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: feed: top sources: %w", err)
	}
	best := map[int64]sourceCount{}
	for k, c := range sums {
		r, b := byID[k.company], best[k.company]
		if c.visits > b.visits || c.visits == b.visits && (c.lastAt > b.lastAt || c.lastAt == b.lastAt && k.src.Name < r.TopSource) {
			best[k.company] = *c
			r.TopSource, r.TopSourceKind = k.src.Name, k.src.Kind.Label()
		}
	}
	return nil
}
