package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// DeleteSite deletes the workspace's site and everything recorded on it,
// in one transaction: its events first (the events table has no foreign
// key, see migration 0001), then the site, whose deletion cascades to its
// visitors, visits, pages, links and every roll-up kept per site
// (company_days, company_sites, company_totals, company_pages,
// company_sources, company_source_weeks, site_days, page_days,
// source_days). The companies that visited it then keep as their last
// visit (companies.last_at, which the workspace's feed pages through) the
// latest on the workspace's other sites, or 0 when none is left, so that
// the feed no longer lists them. Their rows stay: deleting one would scan
// company_pages, which has no index by company, for each.
//
// It holds the ingest lock, so no Append or roll-up of this store runs
// meanwhile, and afterwards drops the hits that still name the site (a
// request the collector accepted just before) and starts the ingest caches
// afresh, as SQLite may give the deleted rows' IDs to new ones. Another
// Store on the database (another process) finds the site in deleted_sites
// when a batch with its hits fails, and then does the same.
//
// It returns ENOTFOUND when the workspace has no such site.
func (s *Store) DeleteSite(ctx context.Context, workspaceID, siteID int64) error {
	unlock := s.lockIngest()
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete site %d: %w", siteID, err)
	}
	defer tx.Rollback()
	if err := s.deleteSite(ctx, tx, workspaceID, siteID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: delete site %d: %w", siteID, err)
	}
	s.forgetSites(siteID)
	return nil
}

func (s *Store) deleteSite(ctx context.Context, tx *sql.Tx, workspaceID, siteID int64) error {
	fail := func(what string, err error) error {
		return fmt.Errorf("store: delete site %d: %s: %w", siteID, what, err)
	}
	var id int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.DeleteSite */
		SELECT id FROM sites WHERE id = ? AND workspace_id = ?`), siteID, workspaceID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "site %d not found", siteID)
	}
	if err != nil {
		return fail("find", err)
	}
	// The roll-up's mark, locked on PostgreSQL as the roll-up locks it:
	// the events after it belong to visits whose range is not known yet.
	q := `/* Store.DeleteSite */ SELECT last_event_id FROM rollup_marks WHERE name = 'sessions'`
	if s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var mark int64
	if err := tx.QueryRowContext(ctx, q).Scan(&mark); err != nil {
		return fail("mark", err)
	}
	// Every event of the site's visits is at or after the first of their
	// known ranges, or after the mark.
	var first sql.NullInt64
	if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.DeleteSite */
		SELECT MIN(first_event_id) FROM sessions WHERE site_id = ?`), siteID).Scan(&first); err != nil {
		return fail("event range", err)
	}
	from := mark + 1
	if first.Valid {
		from = min(from, first.Int64)
	}
	var top sql.NullInt64
	if err := tx.QueryRowContext(ctx, `/* Store.DeleteSite */ SELECT MAX(id) FROM events`).Scan(&top); err != nil {
		return fail("events", err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.DeleteSite */
		DELETE FROM events WHERE id >= ? AND session_id IN (SELECT id FROM sessions WHERE site_id = ?)`),
		from, siteID); err != nil {
		return fail("events", err)
	}
	if err := s.keepEventIDs(ctx, tx, top); err != nil {
		return fail("events", err)
	}

	// The companies whose numbers the site is part of: rolled up, or in a
	// visit the roll-up has not reached.
	companies, err := s.siteCompanies(ctx, tx, siteID)
	if err != nil {
		return fail("companies", err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.DeleteSite */
		DELETE FROM sites WHERE id = ? AND workspace_id = ?`), siteID, workspaceID); err != nil {
		return fail("site", err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.DeleteSite */
		INSERT INTO deleted_sites (site_id, deleted_at) VALUES (?, ?)
		ON CONFLICT (site_id) DO UPDATE SET deleted_at = excluded.deleted_at`), siteID, ms(s.now())); err != nil {
		return fail("record", err)
	}
	for len(companies) > 0 {
		n := min(len(companies), 500)
		args := make([]any, 0, n)
		for _, c := range companies[:n] {
			args = append(args, c)
		}
		companies = companies[n:]
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.DeleteSite */
			UPDATE companies SET last_at = COALESCE((SELECT MAX(cs.last_at) FROM company_sites cs
				WHERE cs.company_id = companies.id), 0)
			WHERE id IN (`+placeholders(n)+`)`), args...); err != nil {
			return fail("last visits", err)
		}
	}
	return nil
}

// keepEventIDs makes sure that the events table's highest ID stays top
// after a delete: SQLite gives a new row the highest ID plus one, which
// would then be at or below the roll-up's mark and never be read. A
// placeholder of no visit (session 0; IDs start at 1) takes the place of
// the deleted top row; every reader of events joins it to its visit.
func (s *Store) keepEventIDs(ctx context.Context, tx *sql.Tx, top sql.NullInt64) error {
	if s.dialect != SQLite || !top.Valid {
		return nil // PostgreSQL's identity never hands out an ID twice
	}
	var now sql.NullInt64
	if err := tx.QueryRowContext(ctx, `/* Store.keepEventIDs */ SELECT MAX(id) FROM events`).Scan(&now); err != nil {
		return err
	}
	if now.Valid && now.Int64 >= top.Int64 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `/* Store.keepEventIDs */
		INSERT INTO events (id, session_id, ts, kind, page_id) VALUES (?, 0, 0, 0, 0)`, top.Int64)
	return err
}

// siteCompanies returns the IDs of the companies seen on the site.
func (s *Store) siteCompanies(ctx context.Context, tx *sql.Tx, siteID int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.siteCompanies */
		SELECT company_id FROM company_sites WHERE site_id = ?
		UNION
		SELECT company_id FROM sessions WHERE site_id = ? AND company_id IS NOT NULL`), siteID, siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
