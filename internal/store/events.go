package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// Events calls fn for every event of the site at or after since, in the
// order they were stored (by ID): the order they arrived in, but for the
// events of one commit. It reads from the last event mark before since on
// (event_marks, kept by the roll-up), not from an index by time.
func (s *Store) Events(ctx context.Context, workspaceID, siteID int64, since time.Time, fn func(*foyer.StoredEvent) error) error {
	if err := s.checkSite(ctx, workspaceID, siteID); err != nil {
		return err
	}
	var after int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Events */
		SELECT event_id FROM event_marks WHERE minute <= ? AND max_ts < ? ORDER BY minute DESC LIMIT 1`),
		ms(since)/60_000, ms(since)).Scan(&after)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: events: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Events */
		SELECT e.id, e.ts, e.kind, e.session_id, v.uid, p.host, p.path, p.title,
			COALESCE(e.engaged_ms, 0), COALESCE(l.url, ''), s.referrer,
			s.utm_source, s.utm_medium, s.utm_campaign, s.utm_term, s.utm_content, s.country,
			s.city, s.org_type, COALESCE(c.name, ''), COALESCE(c.domain, '')
		FROM events e
		JOIN sessions s ON s.id = e.session_id
		LEFT JOIN companies c ON c.id = s.company_id
		JOIN visitors v ON v.id = s.visitor_id
		JOIN pages p ON p.id = e.page_id
		LEFT JOIN links l ON l.id = e.link_id
		WHERE e.id > ? AND e.ts >= ? AND s.site_id = ?
		ORDER BY e.id`), after, ms(since), siteID)
	if err != nil {
		return fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e foyer.StoredEvent
		var ts int64
		var kind int64
		if err := rows.Scan(&e.ID, &ts, &kind, &e.VisitID, &e.VisitorUID, &e.Host, &e.Path, &e.Title,
			&e.EngagedMS, &e.Target, &e.Referrer, &e.UTMSource, &e.UTMMedium, &e.UTMCampaign,
			&e.UTMTerm, &e.UTMContent, &e.Country, &e.City, &e.OrgType, &e.Company, &e.CompanyDomain); err != nil {
			return fmt.Errorf("store: events: %w", err)
		}
		e.Time = fromMS(ts)
		e.Type = foyer.EventKind(kind).String()
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: events: %w", err)
	}
	return nil
}
