package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Feed */
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
