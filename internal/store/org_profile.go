package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// OrgToEnrich is an organisation the workspaces' companies name, to look
// up in open data: its key, name and domain, nothing else.
type OrgToEnrich struct {
	Key, Name, Domain string
}

// Profiles found are looked up again after profileFresh, those not found
// after missFresh: open data grows.
const (
	profileFresh = 30 * 24 * time.Hour
	missFresh    = 7 * 24 * time.Hour
)

// OrgsToEnrich returns up to limit organisations of the companies that
// have no profile, or a stale one, the most recently seen first.
func (s *Store) OrgsToEnrich(ctx context.Context, limit int) ([]OrgToEnrich, error) {
	now := s.now()
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.OrgsToEnrich */
		SELECT c.org_key, MIN(c.name), MAX(c.domain) FROM companies c
		LEFT JOIN org_profiles p ON p.org_key = c.org_key
		WHERE p.org_key IS NULL OR (p.found AND p.looked_up_at < ?) OR (NOT p.found AND p.looked_up_at < ?)
		GROUP BY c.org_key ORDER BY MAX(c.last_at) DESC LIMIT ?`),
		ms(now.Add(-profileFresh)), ms(now.Add(-missFresh)), min(max(limit, 1), 500))
	if err != nil {
		return nil, fmt.Errorf("store: orgs to enrich: %w", err)
	}
	defer rows.Close()
	var out []OrgToEnrich
	for rows.Next() {
		var o OrgToEnrich
		if err := rows.Scan(&o.Key, &o.Name, &o.Domain); err != nil {
			return nil, fmt.Errorf("store: orgs to enrich: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SaveOrgProfile records what open data says of the organisation: p, or
// nil when nothing matched.
func (s *Store) SaveOrgProfile(ctx context.Context, orgKey string, p *foyer.OrgProfile) error {
	found := p != nil
	if p == nil {
		p = &foyer.OrgProfile{}
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SaveOrgProfile */
		INSERT INTO org_profiles (org_key, looked_up_at, found, qid, name, website, industry, employees, country, linkedin, logo)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_key) DO UPDATE SET looked_up_at = excluded.looked_up_at, found = excluded.found, qid = excluded.qid,
			name = excluded.name, website = excluded.website, industry = excluded.industry, employees = excluded.employees,
			country = excluded.country, linkedin = excluded.linkedin, logo = excluded.logo`),
		orgKey, ms(s.now()), found, p.QID, p.Name, p.Website, p.Industry, p.Employees, p.Country, p.LinkedIn, p.Logo)
	if err != nil {
		return fmt.Errorf("store: save org profile: %w", err)
	}
	return nil
}

// OrgProfile returns the profile stored for the organisation: nil when
// none was found, ENOTFOUND when it was never looked up.
func (s *Store) OrgProfile(ctx context.Context, orgKey string) (*foyer.OrgProfile, error) {
	var p foyer.OrgProfile
	var found bool
	var at int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.OrgProfile */
		SELECT found, looked_up_at, qid, name, website, industry, employees, country, linkedin, logo
		FROM org_profiles WHERE org_key = ?`), orgKey).Scan(&found, &at, &p.QID, &p.Name, &p.Website, &p.Industry,
		&p.Employees, &p.Country, &p.LinkedIn, &p.Logo)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no profile of %q", orgKey)
	}
	if err != nil {
		return nil, fmt.Errorf("store: org profile: %w", err)
	}
	if !found {
		return nil, nil
	}
	p.LookedUp = fromMS(at)
	return &p, nil
}

// profileColumns are the columns scanProfile reads, of org_profiles p
// joined to a company (all NULL when it has none).
const profileColumns = `p.found, p.qid, p.name, p.website, p.industry, p.employees, p.country, p.linkedin, p.logo`

// profileDest returns scan destinations for profileColumns and a function
// that gives the profile scanned: nil when none was found.
func profileDest() ([]any, func() *foyer.OrgProfile) {
	var found sql.NullBool
	var qid, name, website, industry, country, linkedin, logo sql.NullString
	var employees sql.NullInt64
	dest := []any{&found, &qid, &name, &website, &industry, &employees, &country, &linkedin, &logo}
	return dest, func() *foyer.OrgProfile {
		if !found.Valid || !found.Bool {
			return nil
		}
		return &foyer.OrgProfile{QID: qid.String, Name: name.String, Website: website.String, Industry: industry.String,
			Employees: employees.Int64, Country: country.String, LinkedIn: linkedin.String, Logo: logo.String}
	}
}

// fillProfiles sets the profiles of the companies (by ID), in one query.
func (s *Store) fillProfiles(ctx context.Context, companies []*foyer.Company) error {
	if len(companies) == 0 {
		return nil
	}
	byID := make(map[int64]*foyer.Company, len(companies))
	args := make([]any, 0, len(companies))
	for _, c := range companies {
		byID[c.ID] = c
		args = append(args, c.ID)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.fillProfiles */
		SELECT c.id, `+profileColumns+` FROM companies c JOIN org_profiles p ON p.org_key = c.org_key
		WHERE p.found AND c.id IN (`+placeholders(len(args))+`)`), args...)
	if err != nil {
		return fmt.Errorf("store: company profiles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		dest, profile := profileDest()
		if err := rows.Scan(append([]any{&id}, dest...)...); err != nil {
			return fmt.Errorf("store: company profiles: %w", err)
		}
		if c := byID[id]; c != nil {
			c.Profile = profile()
		}
	}
	return rows.Err()
}
