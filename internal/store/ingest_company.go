package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

type companyKey struct {
	workspace int64
	key       string
}

// companyRow is a stored company's ID and what the IP data said of it
// when stored: when the data says otherwise, the row is updated.
type companyRow struct {
	id                                int64
	name, domain, typ, industry, size string
}

// companyFor returns the ID of the company behind a hit in its site's
// workspace, creating the company when new, or NULL when the organisation
// is not one to show as a company; and the ID of the workspace's row of
// the organisation when it is not a company's by the IP data (orgFor),
// whether or not the workspace said it is one, else NULL.
func (s *Store) companyFor(ctx context.Context, a *appendTx, h *foyer.Hit) (company, orgID sql.NullInt64, err error) {
	org := h.Origin.Org
	if org.Name == "" {
		return sql.NullInt64{}, sql.NullInt64{}, nil
	}
	ws, err := s.workspaceOf(ctx, a, h.SiteID)
	if err != nil {
		return sql.NullInt64{}, sql.NullInt64{}, err
	}
	k := companyKey{ws, companyKeyOf(org)}
	if !org.Type.IsCompany() {
		id, err := s.orgFor(ctx, a, k, org)
		if err != nil {
			return sql.NullInt64{}, sql.NullInt64{}, err
		}
		orgID = sql.NullInt64{Int64: id, Valid: true}
		shown, err := s.shownAsCompany(ctx, a, k)
		if err != nil || !shown {
			return sql.NullInt64{}, orgID, err
		}
		org.Type = foyer.OrgBusiness // the workspace said so
	}
	company, err = s.company(ctx, a, h, k, org)
	return company, orgID, err
}

// company returns the ID of the workspace's company of org, creating it
// when new, or updating it when the IP data now says otherwise of it.
func (s *Store) company(ctx context.Context, a *appendTx, h *foyer.Hit, k companyKey, org foyer.Org) (sql.NullInt64, error) {
	ws := k.workspace
	domain := org.Domain
	if domain == "" {
		domain = org.DomainHint
	}
	row := companyRow{name: org.Name, domain: domain, typ: string(org.Type), industry: org.Industry, size: org.Size}
	cached, ok := a.companies[k]
	if !ok {
		cached, ok = s.cache.companies[k]
	}
	if ok && org.Domain == "" && row.domain == "" {
		row.domain = cached.domain // no hint this time: keep the one stored
	}
	if ok && cached.name == row.name && cached.domain == row.domain && cached.typ == row.typ &&
		cached.industry == row.industry && cached.size == row.size {
		return sql.NullInt64{Int64: cached.id, Valid: true}, nil
	}
	// New, or the IP data now says otherwise of it: the latest data wins.
	// A new company is hidden from the start when the workspace hid its
	// organisation before its first visit (org_overrides); a stored one
	// keeps its hidden_kind, which the overrides set.
	err := s.queryRow(ctx, &a.txStmts, `/* Store.companyFor */
		INSERT INTO companies (workspace_id, org_key, name, domain, asn, country, city, type, industry, size, created_at, hidden_kind)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			COALESCE((SELECT o.kind FROM org_overrides o WHERE o.workspace_id = ? AND o.org_key = ? AND o.kind <> 'company'), ''))
		ON CONFLICT (workspace_id, org_key) DO UPDATE SET name = excluded.name,
			domain = CASE WHEN excluded.domain = '' THEN companies.domain ELSE excluded.domain END,
			type = excluded.type, industry = excluded.industry, size = excluded.size
		RETURNING id`,
		ws, k.key, org.Name, row.domain, int64(org.ASN), h.Origin.Country, h.Origin.City, string(org.Type), org.Industry, org.Size,
		ms(h.Time), ws, k.key).Scan(&row.id)
	if err != nil {
		return sql.NullInt64{}, fmt.Errorf("company: %w", err)
	}
	// The workspace's contacts of the company's domain, stored before it,
	// are linked to it now (a domain the IP data names; a reverse DNS
	// hint is no identity).
	if err := s.linkCompanyContacts(ctx, a.querier(), ws, row.id, org.Domain); err != nil {
		return sql.NullInt64{}, fmt.Errorf("company: link its contacts: %w", err)
	}
	a.companies[k] = row
	return sql.NullInt64{Int64: row.id, Valid: true}, nil
}

// companyKeyOf identifies an organisation across lookups: by its domain
// when the IP data gives one, else by its name and AS number (a reverse DNS
// hint is no identity: a visit may come before the hint).
func companyKeyOf(o foyer.Org) string {
	if o.Domain != "" {
		return "domain:" + strings.ToLower(o.Domain)
	}
	return fmt.Sprintf("org:%d:%s", o.ASN, strings.ToLower(o.Name))
}

// workspaceOf returns the workspace of a site as the transaction sees it;
// the store, not the caller, decides it, so a company never lands in
// another workspace. It is not cached across transactions: a site's ID
// could be reused after the site is deleted.
func (s *Store) workspaceOf(ctx context.Context, a *appendTx, site int64) (int64, error) {
	if ws, ok := a.sites[site]; ok {
		return ws, nil
	}
	var ws int64
	if err := s.queryRow(ctx, &a.txStmts, `/* Store.workspaceOf */ SELECT workspace_id FROM sites WHERE id = ?`, site).Scan(&ws); err != nil {
		return 0, fmt.Errorf("site %d: %w", site, err)
	}
	a.sites[site] = ws
	return ws, nil
}
