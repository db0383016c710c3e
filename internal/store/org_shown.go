package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/referrer"
)

// "This is a company": an admin says an organisation the IP data left out
// of the feed (a carrier, a host, one of unknown type) is a
// company. The writer keeps the organisation of every visit it makes no
// company's (orgs, sessions.org_id); ShowOrg then makes the workspace's
// company of it, gives it those past visits and adds their rolled-up
// events to the company's aggregates, as the roll-up would have; Unhide
// takes it all back. Later visits of the organisation are a company's
// while the override holds (shownAsCompany).

// shownTTL bounds how long the writer trusts what it read of an
// organisation's override: a change in this process is seen at once
// (overridesGen), one made by another process within this time.
const shownTTL = time.Minute

// shownEntry is what the writer read of whether a workspace said an
// organisation is a company, at which generation of the overrides.
type shownEntry struct {
	shown bool
	gen   uint64
	at    int64
}

// shownAsCompany reports whether the workspace said the organisation of
// key is a company.
func (s *Store) shownAsCompany(ctx context.Context, a *appendTx, k companyKey) (bool, error) {
	gen, now := s.overridesGen.Load(), ms(s.now())
	if e, ok := s.cache.shown[k]; ok && e.gen == gen && now-e.at < shownTTL.Milliseconds() {
		return e.shown, nil
	}
	var n int
	err := s.queryRow(ctx, &a.txStmts, `/* Store.shownAsCompany */
		SELECT COUNT(*) FROM org_overrides WHERE workspace_id = ? AND org_key = ? AND kind = 'company'`,
		k.workspace, k.key).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("override: %w", err)
	}
	if len(s.cache.shown) >= s.cache.limit {
		clear(s.cache.shown)
	}
	s.cache.shown[k] = shownEntry{shown: n > 0, gen: gen, at: now}
	return n > 0, nil
}

// orgFor returns the ID of the workspace's row of an organisation that is
// not a company's, creating it when new.
func (s *Store) orgFor(ctx context.Context, a *appendTx, k companyKey, org foyer.Org) (int64, error) {
	if id, ok := a.orgs[k]; ok {
		return id, nil
	}
	if id, ok := s.cache.orgs[k]; ok {
		return id, nil
	}
	var id int64
	err := s.queryRow(ctx, &a.txStmts, `/* Store.orgFor */
		INSERT INTO orgs (workspace_id, org_key, name, domain, asn, type) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, org_key) DO UPDATE SET name = excluded.name, domain = excluded.domain, type = excluded.type
		RETURNING id`,
		k.workspace, k.key, org.Name, org.Domain, int64(org.ASN), string(org.Type)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("organisation: %w", err)
	}
	a.orgs[k] = id
	return id, nil
}

// LeftOut lists the organisations the IP data kept out of the workspace's
// feed that visited since the time.
func (s *Store) LeftOut(ctx context.Context, workspaceID int64, since time.Time, limit int) ([]foyer.LeftOutOrg, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.LeftOut */
		SELECT o.id, o.name, o.domain, o.asn, o.type, COUNT(*), MAX(s.started_at)
		FROM sessions s JOIN orgs o ON o.id = s.org_id
		WHERE s.site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND s.started_at >= ?
			AND s.company_id IS NULL AND o.workspace_id = ?
		GROUP BY o.id, o.name, o.domain, o.asn, o.type
		ORDER BY COUNT(*) DESC, o.name, o.id LIMIT ?`), workspaceID, ms(since), workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: left out: %w", err)
	}
	defer rows.Close()
	var out []foyer.LeftOutOrg
	for rows.Next() {
		var o foyer.LeftOutOrg
		var asn, last int64
		var typ string
		if err := rows.Scan(&o.ID, &o.Name, &o.Domain, &asn, &typ, &o.Visits, &last); err != nil {
			return nil, fmt.Errorf("store: left out: %w", err)
		}
		o.ASN, o.Type, o.LastAt = uint32(asn), foyer.OrgType(typ), fromMS(last)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: left out: %w", err)
	}
	return out, nil
}

// ShowOrg says an organisation the IP data left out is a company.
func (s *Store) ShowOrg(ctx context.Context, workspaceID, orgID int64, by *foyer.User) (*foyer.OrgOverride, error) {
	// The writer's caches and kept statements, and the roll-up, wait.
	unlock := s.lockIngest()
	defer unlock()
	defer s.overridesGen.Add(1) // after the commit
	var o *foyer.OrgOverride
	var key companyKey
	err := s.inTx(ctx, "show organisation", func(tx *sql.Tx) error {
		t := &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}}
		if err := s.lockRollup(ctx, t); err != nil {
			return err
		}
		var name, domain, typ string
		var asn int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.ShowOrg */
			SELECT org_key, name, domain, asn, type FROM orgs WHERE id = ? AND workspace_id = ?`), orgID, workspaceID).
			Scan(&key.key, &name, &domain, &asn, &typ)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "organisation %d not found", orgID)
		}
		if err != nil {
			return err
		}
		key.workspace = workspaceID
		o = s.newOverride(workspaceID, key.key, foyer.ShowCompany, name, by)
		o.ASN = uint32(asn)
		if err := s.putOverride(ctx, tx, o); err != nil {
			return err
		}
		// The company takes the organisation's latest country and city from
		// its latest visit; the feed shows both.
		var country, city string
		var first int64
		err = tx.QueryRowContext(ctx, s.rebind(`/* Store.ShowOrg */
			SELECT country, city, started_at FROM sessions WHERE org_id = ? ORDER BY id DESC LIMIT 1`), orgID).
			Scan(&country, &city, &first)
		if errors.Is(err, sql.ErrNoRows) {
			first = ms(s.now())
		} else if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, s.rebind(`/* Store.ShowOrg */
			INSERT INTO companies (workspace_id, org_key, name, domain, asn, country, city, type, industry, size, created_at, hidden_kind)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, '')
			ON CONFLICT (workspace_id, org_key) DO UPDATE SET type = excluded.type, hidden_kind = ''
			RETURNING id`),
			workspaceID, key.key, name, domain, asn, country, city, string(foyer.OrgBusiness), first).Scan(&o.CompanyID)
		if err != nil {
			return err
		}
		if err := s.linkCompanyContacts(ctx, tx, workspaceID, o.CompanyID, domain); err != nil {
			return err
		}
		// Its visits so far: the company's from now, and what the roll-up
		// read of them is added to the company's aggregates.
		if err := s.refold(ctx, t, o.CompanyID, orgID, 1); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.ShowOrg */
			UPDATE sessions SET company_id = ? WHERE org_id = ? AND company_id IS NULL`), o.CompanyID, orgID)
		return err
	})
	if err != nil {
		return nil, err
	}
	delete(s.cache.companies, key) // the writer reads the company row anew
	return o, nil
}

// unshow takes back the override that says an organisation is a company,
// under ingestMu and in tx: the visits that came in as the organisation's
// leave the company, and their share of its aggregates with them; the
// company goes when no visit is left to it.
func (s *Store) unshow(ctx context.Context, tx *sql.Tx, workspaceID int64, orgKey string) error {
	t := &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}}
	if err := s.lockRollup(ctx, t); err != nil {
		return err
	}
	var orgID, companyID int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.unshow */
		SELECT o.id, c.id FROM orgs o JOIN companies c ON c.workspace_id = o.workspace_id AND c.org_key = o.org_key
		WHERE o.workspace_id = ? AND o.org_key = ?`), workspaceID, orgKey).Scan(&orgID, &companyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing visited as it
	}
	if err != nil {
		return err
	}
	if err := s.refold(ctx, t, companyID, orgID, -1); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.unshow */
		UPDATE sessions SET company_id = NULL WHERE org_id = ? AND company_id = ?`), orgID, companyID); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.rebind(`/* Store.unshow */
		DELETE FROM companies WHERE id = ? AND NOT EXISTS (SELECT 1 FROM sessions WHERE company_id = ?)`), companyID, companyID)
	delete(s.cache.companies, companyKey{workspaceID, orgKey}) // the company may be gone
	return err
}

// lockRollup makes the roll-up wait for the transaction: on SQLite the
// transaction holds the write lock already; on PostgreSQL the roll-up's
// mark is locked, as the roll-up locks it.
func (s *Store) lockRollup(ctx context.Context, t *txStmts) error {
	if s.dialect != Postgres {
		return nil
	}
	var mark int64
	return s.queryRow(ctx, t, `/* Store.lockRollup */
		SELECT last_event_id FROM rollup_marks WHERE name = 'sessions' FOR UPDATE`).Scan(&mark)
}

// refold adds (sign 1) or takes back (sign -1) the company's share of the
// visits of an organisation that the roll-up has read, as the roll-up adds
// a company's visits: company_days, company_totals, company_sites,
// company_pages and company_sources; and, in site_days, moves those
// visits from (or back to) the anonymous or unidentified ones. Sign 1
// reads the organisation's visits of no company; -1 those of the company.
// The events the roll-up has not read yet are left to it: it reads the
// visit's company when it does.
//
// What counts a visit (its day, its source, the site's split) is read from
// the visits themselves, and what counts its pages from its events: the
// retention job may have deleted the events of old visits since they were
// added, and a visit must then still be taken back as it was added.
func (s *Store) refold(ctx context.Context, t *txStmts, companyID, orgID, sign int64) error {
	cond := "s.company_id IS NULL"
	args := []any{orgID}
	if sign < 0 {
		cond = "s.company_id = ?"
		args = append(args, companyID)
	}
	sb := siteBatch{days: map[[2]int64]*siteDay{}, companyPages: map[companyPageKey]int64{}, companySources: companySources{}}
	days := map[dayKey]*dayRollup{}
	dayOfRow := func(k dayKey) *dayRollup {
		d := days[k]
		if d == nil {
			d = &dayRollup{}
			days[k] = d
		}
		return d
	}
	// The visits the roll-up has counted: those with a first event read.
	rows, err := t.tx.QueryContext(ctx, s.rebind(`/* Store.refold */
		SELECT s.site_id, s.started_at, s.org_type, s.utm_source, s.referrer
		FROM sessions s WHERE s.org_id = ? AND `+cond+` AND s.first_event_id IS NOT NULL`), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var site, started int64
		var orgType, utmSource, referrerURL string
		if err := rows.Scan(&site, &started, &orgType, &utmSource, &referrerURL); err != nil {
			rows.Close()
			return err
		}
		sd := sb.day(site, dayOf(started))
		sd.company += sign
		if orgType == string(foyer.OrgISP) || orgType == string(foyer.OrgHosting) {
			sd.anonymous -= sign
		} else {
			sd.unidentified -= sign
		}
		sb.companySources.addN(companySourceKey{companyID, dayOf(started), site, referrer.Of(utmSource, referrerURL).Name}, started, sign)
		d := dayOfRow(dayKey{companyID, site, dayOf(started)})
		d.visits += sign
		d.lastAt = max(d.lastAt, started)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	// Their events the roll-up read: those from each visit's first to its
	// last event ID that are its own, as many as are still kept.
	rows, err = t.tx.QueryContext(ctx, s.rebind(`/* Store.refold */
		SELECT s.site_id, e.ts, e.kind, COALESCE(e.engaged_ms, 0), e.page_id
		FROM sessions s JOIN events e ON e.id BETWEEN s.first_event_id AND s.last_event_id AND e.session_id = s.id
		WHERE s.org_id = ? AND `+cond+` AND s.first_event_id IS NOT NULL`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var site, ts, kind, engaged, page int64
		if err := rows.Scan(&site, &ts, &kind, &engaged, &page); err != nil {
			return err
		}
		d := dayOfRow(dayKey{companyID, site, dayOf(ts)})
		d.nevents += sign
		d.engaged += sign * engaged
		d.lastAt = max(d.lastAt, ts)
		if kind == int64(foyer.KindPageview) {
			d.pageviews += sign
			sb.companyPages[companyPageKey{page, dayOf(ts), companyID, site}] += sign
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if len(days) == 0 {
		return nil
	}
	ranges := totalsRanges(days)
	if err := s.applyDays(ctx, t, ranges, days); err != nil {
		return err
	}
	if err := s.applyTotals(ctx, t, ranges); err != nil {
		return err
	}
	if err := s.applyLast(ctx, t, ranges); err != nil {
		return err
	}
	return s.applySite(ctx, t, sb)
}
