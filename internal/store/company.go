package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// companyColumns are the columns scanCompany reads, of companies c.
const companyColumns = `c.id, c.name, c.domain, c.asn, c.country, c.city, c.type, c.industry, c.size, c.hidden_kind`

// scanCompany reads companyColumns, then the extra columns into extra.
func scanCompany(scan func(...any) error, workspaceID int64, extra ...any) (foyer.Company, error) {
	c := foyer.Company{WorkspaceID: workspaceID}
	var asn int64
	var typ, hidden string
	err := scan(append([]any{&c.ID, &c.Name, &c.Domain, &asn, &c.Country, &c.City, &typ, &c.Industry, &c.Size, &hidden}, extra...)...)
	c.ASN, c.Type, c.Hidden = uint32(asn), foyer.OrgType(typ), foyer.HideKind(hidden)
	return c, err
}

// Company returns a company of the workspace, or ENOTFOUND.
func (s *Store) Company(ctx context.Context, workspaceID, companyID int64) (*foyer.Company, error) {
	var first, last int64
	c, err := scanCompany(s.db.QueryRowContext(ctx, s.rebind(`/* Store.Company */
		SELECT `+companyColumns+`, c.created_at, c.last_at FROM companies c
		WHERE c.id = ? AND c.workspace_id = ?`), companyID, workspaceID).Scan, workspaceID, &first, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "company %d not found", companyID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: company: %w", err)
	}
	c.FirstSeen = fromMS(first)
	if last > 0 {
		c.LastSeen = fromMS(last)
	}
	if err := s.fillProfiles(ctx, []*foyer.Company{&c}); err != nil {
		return nil, err
	}
	return &c, nil
}

// CompanyDays returns the company's days in the period, every day.
func (s *Store) CompanyDays(ctx context.Context, workspaceID, companyID int64, from, to time.Time) ([]foyer.CompanyDay, error) {
	if err := s.checkCompany(ctx, workspaceID, companyID); err != nil {
		return nil, err
	}
	first, last := dayOf(ms(from)), dayOf(ms(to))
	if last < first || last-first > 366 {
		return nil, foyer.Errorf(foyer.EINVALID, "a period of 1 to 366 days, please")
	}
	out := make([]foyer.CompanyDay, last-first+1)
	for i := range out {
		out[i].Day = time.UnixMilli((first + int64(i)) * msPerDay).UTC()
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.CompanyDays */
		SELECT day, SUM(visits), SUM(pageviews), SUM(engaged_ms) FROM company_days
		WHERE company_id = ? AND day >= ? AND day <= ? GROUP BY day`), companyID, first, last)
	if err != nil {
		return nil, fmt.Errorf("store: company days: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day, visits, pvs, engaged int64
		if err := rows.Scan(&day, &visits, &pvs, &engaged); err != nil {
			return nil, fmt.Errorf("store: company days: %w", err)
		}
		d := &out[day-first]
		d.Visits, d.Pageviews, d.EngagedMS = visits, pvs, engaged
	}
	return out, rows.Err()
}

// CompanyVisits returns the company's visits in the period, newest first
// after the first offset, with their pages, read through each visit's
// event range.
func (s *Store) CompanyVisits(ctx context.Context, workspaceID, companyID int64, from, to time.Time, limit, offset int) ([]foyer.Visit, error) {
	if err := s.checkCompany(ctx, workspaceID, companyID); err != nil {
		return nil, err
	}
	limit = min(max(limit, 1), 200)
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.CompanyVisits */
		SELECT `+visitColumns+`
		FROM sessions s JOIN visitors v ON v.id = s.visitor_id
		WHERE s.company_id = ? AND s.started_at >= ? AND s.started_at < ?
		ORDER BY s.started_at DESC, s.id DESC LIMIT ? OFFSET ?`),
		companyID, dayOf(ms(from))*msPerDay, (dayOf(ms(to))+1)*msPerDay, limit, max(offset, 0))
	if err != nil {
		return nil, fmt.Errorf("store: company visits: %w", err)
	}
	var out []foyer.Visit
	var vrows []visitRow
	for rows.Next() {
		r, err := scanVisit(rows.Scan)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: company visits: %w", err)
		}
		out = append(out, r.Visit)
		vrows = append(vrows, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: company visits: %w", err)
	}
	if err := s.fillVisits(ctx, workspaceID, out, vrows); err != nil {
		return nil, err
	}
	return out, nil
}

// visitPagesChunk is how many visits' event ranges one statement reads.
const visitPagesChunk = 50

// visitPages reads the visits' page views, each with the engaged time that
// followed it, from their event ranges (ranges[i] is visits[i]'s; {0, 0}
// for a visit not rolled up yet, whose pages follow), in one statement:
// a range of the events' key per visit. On partitioned PostgreSQL each
// range also gets the bounds of time of the partitions that hold its IDs
// (partitionSpans), so that it reads those partitions only.
func (s *Store) visitPages(ctx context.Context, visits []foyer.Visit, ranges [][2]int64) error {
	spans, err := s.partitionSpans(ctx)
	if err != nil {
		return fmt.Errorf("store: visit pages: %w", err)
	}
	var parts []string
	var args []any
	byID := make(map[int64]*foyer.Visit, len(visits))
	for i, r := range ranges {
		if r[0] == 0 {
			continue
		}
		byID[visits[i].ID] = &visits[i]
		part := `SELECT session_id, id, ts, kind, COALESCE(engaged_ms, 0) AS engaged_ms, page_id
			FROM events WHERE id >= ? AND id <= ? AND session_id = ?`
		args = append(args, r[0], r[1], visits[i].ID)
		if spans != nil {
			lo, hi, ok := spans.times(r[0], r[1])
			if !ok {
				args = args[:len(args)-3] // no partition holds these IDs any more
				continue
			}
			part += ` AND ts >= ? AND ts < ?`
			args = append(args, lo, hi)
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.visitPages */
		SELECT e.session_id, e.ts, e.kind, e.engaged_ms, p.host, p.path, p.title
		FROM (`+strings.Join(parts, " UNION ALL ")+`) AS e JOIN pages p ON p.id = e.page_id
		ORDER BY e.session_id, e.id`), args...)
	if err != nil {
		return fmt.Errorf("store: visit pages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var visitID, ts, kind, engaged int64
		var pv foyer.PageView
		if err := rows.Scan(&visitID, &ts, &kind, &engaged, &pv.Host, &pv.Path, &pv.Title); err != nil {
			return fmt.Errorf("store: visit pages: %w", err)
		}
		v := byID[visitID]
		switch foyer.EventKind(kind) {
		case foyer.KindPageview:
			pv.Time = fromMS(ts)
			v.Pages = append(v.Pages, pv)
		case foyer.KindEngagement:
			if n := len(v.Pages); n > 0 {
				v.Pages[n-1].EngagedMS += engaged
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: visit pages: %w", err)
	}
	// A visit the roll-up read that has page views but no page left: the
	// retention deleted its raw events.
	for _, v := range byID {
		v.PagesGone = len(v.Pages) == 0 && v.Pageviews > 0
	}
	return nil
}
