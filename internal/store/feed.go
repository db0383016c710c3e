package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

// Feed returns the companies that visited the workspace's sites in the
// period, from company_days: the most recent visitor first.
func (s *Store) Feed(ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, 500)
	q.Offset = max(q.Offset, 0)
	if q.SiteID != 0 {
		var one int
		err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Feed */
			SELECT 1 FROM sites WHERE id = ? AND workspace_id = ?`), q.SiteID, q.WorkspaceID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, foyer.Errorf(foyer.ENOTFOUND, "site %d not found", q.SiteID)
		}
		if err != nil {
			return nil, fmt.Errorf("store: feed: %w", err)
		}
	}
	from, to := dayOf(ms(q.From)), dayOf(ms(q.To))
	if to >= dayOf(ms(s.now())) {
		return s.recentFeed(ctx, q, from, to)
	}
	return s.periodFeed(ctx, q, from, to)
}

// periodFeed sums company_days over the period for every company, then
// sorts: it reads every row of the period, for any period.
func (s *Store) periodFeed(ctx context.Context, q foyer.FeedQuery, from, to int64) ([]foyer.FeedRow, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.periodFeed */
		SELECT c.id, c.name, c.domain, c.asn, c.country, c.city, c.type, c.industry, c.size,
			SUM(d.visits), SUM(d.pageviews), SUM(d.engaged_ms), MAX(d.last_at)
		FROM company_days d
		JOIN companies c ON c.id = d.company_id
		JOIN sites si ON si.id = d.site_id
		WHERE si.workspace_id = ? AND c.workspace_id = ? AND (? = 0 OR d.site_id = ?)
			AND d.day >= ? AND d.day <= ?
		GROUP BY c.id, c.name, c.domain, c.asn, c.country, c.city, c.type, c.industry, c.size
		ORDER BY MAX(d.last_at) DESC, c.id
		LIMIT ? OFFSET ?`),
		q.WorkspaceID, q.WorkspaceID, q.SiteID, q.SiteID, from, to, q.Limit, q.Offset)
	if err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	defer rows.Close()
	var out []foyer.FeedRow
	for rows.Next() {
		r := foyer.FeedRow{Company: foyer.Company{WorkspaceID: q.WorkspaceID}}
		var asn, last int64
		var typ string
		if err := rows.Scan(&r.ID, &r.Name, &r.Domain, &asn, &r.Country, &r.City, &typ, &r.Industry, &r.Size,
			&r.Visits, &r.Pageviews, &r.EngagedMS, &last); err != nil {
			return nil, fmt.Errorf("store: feed: %w", err)
		}
		r.ASN, r.Type, r.LastAt = uint32(asn), foyer.OrgType(typ), fromMS(last)
		out = append(out, r)
	}
	return out, rows.Err()
}

// recentFeed answers a period that ends today: the companies whose last
// visit is in the period, newest first, come from an index of last visits
// (companies.last_at, or company_sites for one site), and only the page's
// companies are summed from company_days. Its cost grows with the page,
// not with the workspace.
func (s *Store) recentFeed(ctx context.Context, q foyer.FeedQuery, from, to int64) ([]foyer.FeedRow, error) {
	since := from * 86_400_000
	var rows *sql.Rows
	var err error
	if q.SiteID == 0 {
		rows, err = s.db.QueryContext(ctx, s.rebind(`/* Store.recentFeed */
			SELECT id, name, domain, asn, country, city, type, industry, size, last_at FROM companies
			WHERE workspace_id = ? AND last_at >= ?
			ORDER BY last_at DESC, id LIMIT ? OFFSET ?`), q.WorkspaceID, since, q.Limit, q.Offset)
	} else {
		rows, err = s.db.QueryContext(ctx, s.rebind(`/* Store.recentFeed */
			SELECT c.id, c.name, c.domain, c.asn, c.country, c.city, c.type, c.industry, c.size, cs.last_at
			FROM company_sites cs JOIN companies c ON c.id = cs.company_id
			WHERE cs.site_id = ? AND c.workspace_id = ? AND cs.last_at >= ?
			ORDER BY cs.last_at DESC, c.id LIMIT ? OFFSET ?`), q.SiteID, q.WorkspaceID, since, q.Limit, q.Offset)
	}
	if err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	var out []foyer.FeedRow
	byID := map[int64]int{}
	for rows.Next() {
		r := foyer.FeedRow{Company: foyer.Company{WorkspaceID: q.WorkspaceID}}
		var asn, last int64
		var typ string
		if err := rows.Scan(&r.ID, &r.Name, &r.Domain, &asn, &r.Country, &r.City, &typ, &r.Industry, &r.Size, &last); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: feed: %w", err)
		}
		r.ASN, r.Type, r.LastAt = uint32(asn), foyer.OrgType(typ), fromMS(last)
		byID[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	args := make([]any, 0, len(out)+3)
	in := make([]string, 0, len(out))
	for _, r := range out {
		args = append(args, r.ID)
		in = append(in, "?")
	}
	args = append(args, from, to)
	site := ""
	if q.SiteID != 0 {
		site = " AND site_id = ?"
		args = append(args, q.SiteID)
	}
	sums, err := s.db.QueryContext(ctx, s.rebind(`/* Store.recentFeed */
		SELECT company_id, SUM(visits), SUM(pageviews), SUM(engaged_ms) FROM company_days
		WHERE company_id IN (`+strings.Join(in, ",")+`) AND day >= ? AND day <= ?`+site+`
		GROUP BY company_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	defer sums.Close()
	for sums.Next() {
		var id, visits, pvs, engaged int64
		if err := sums.Scan(&id, &visits, &pvs, &engaged); err != nil {
			return nil, fmt.Errorf("store: feed: %w", err)
		}
		r := &out[byID[id]]
		r.Visits, r.Pageviews, r.EngagedMS = visits, pvs, engaged
	}
	return out, sums.Err()
}
