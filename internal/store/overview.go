package store

import (
	"context"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// SiteOverview sums a site's period from site_days, page_days, source_days
// and company_days. The visits and companies the workspace's feed leaves
// out (hiddenVisits) are taken away from its company figures and counted
// as HiddenVisits; every visit is still in Visits.
func (s *Store) SiteOverview(ctx context.Context, workspaceID, siteID int64, from, to time.Time) (*foyer.SiteOverview, error) {
	if err := s.checkSite(ctx, workspaceID, siteID); err != nil {
		return nil, err
	}
	first, last := dayOf(ms(from)), dayOf(ms(to))
	o := &foyer.SiteOverview{}
	if err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.SiteOverview */
		SELECT COALESCE(SUM(visits), 0), COALESCE(SUM(company_visits), 0), COALESCE(SUM(anonymous_visits), 0),
			COALESCE(SUM(unidentified_visits), 0), COALESCE(SUM(pageviews), 0)
		FROM site_days WHERE site_id = ? AND day >= ? AND day <= ?`), siteID, first, last).Scan(
		&o.Visits, &o.CompanyVisits, &o.AnonymousVisits, &o.UnidentifiedVisits, &o.Pageviews); err != nil {
		return nil, fmt.Errorf("store: overview: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.SiteOverview */
		SELECT COUNT(DISTINCT company_id) FROM company_days WHERE site_id = ? AND day >= ? AND day <= ?`),
		siteID, first, last).Scan(&o.Companies); err != nil {
		return nil, fmt.Errorf("store: overview: %w", err)
	}
	hidden, n, err := s.hiddenVisits(ctx, workspaceID, siteID, first, last)
	if err != nil {
		return nil, err
	}
	for _, v := range hidden {
		o.HiddenVisits += v
	}
	o.CompanyVisits -= o.HiddenVisits
	o.Companies -= n
	top := func(q string) ([]foyer.Count, error) {
		rows, err := s.db.QueryContext(ctx, s.rebind(q), siteID, first, last)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []foyer.Count
		for rows.Next() {
			var c foyer.Count
			if err := rows.Scan(&c.Name, &c.N); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	}
	if o.TopPages, err = top(`/* Store.SiteOverview */
		SELECT p.path, SUM(d.pageviews) FROM page_days d JOIN pages p ON p.id = d.page_id
		WHERE d.site_id = ? AND d.day >= ? AND d.day <= ?
		GROUP BY p.path ORDER BY SUM(d.pageviews) DESC, p.path LIMIT 10`); err != nil {
		return nil, fmt.Errorf("store: overview: %w", err)
	}
	// Every source of the period, as rows written before migration 0019
	// hold names that normalise to one source.
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.SiteOverview */
		SELECT source, SUM(visits), 0 FROM source_days WHERE site_id = ? AND day >= ? AND day <= ?
		GROUP BY source`), siteID, first, last)
	if err != nil {
		return nil, fmt.Errorf("store: overview: %w", err)
	}
	sources, err := sourceCounts(rows)
	if err != nil {
		return nil, fmt.Errorf("store: overview: %w", err)
	}
	o.TopSources = topCounts(sources, 10)
	return o, nil
}
