package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"golang.org/x/net/publicsuffix"
)

var _ foyer.CorrectionService = (*Store)(nil)

// HideCompany hides the organisation of a company of the workspace.
func (s *Store) HideCompany(ctx context.Context, workspaceID, companyID int64, kind foyer.HideKind, by *foyer.User) (*foyer.OrgOverride, error) {
	if !kind.Valid() {
		return nil, foyer.Errorf(foyer.EINVALID, "unknown kind %q", kind)
	}
	defer s.overridesGen.Add(1) // after the commit: the writer reads the override anew
	var o *foyer.OrgOverride
	err := s.inTx(ctx, "hide company", func(tx *sql.Tx) error {
		var key, name string
		var asn int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.HideCompany */
			SELECT org_key, name, asn FROM companies WHERE id = ? AND workspace_id = ?`), companyID, workspaceID).Scan(&key, &name, &asn)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "company %d not found", companyID)
		}
		if err != nil {
			return err
		}
		o = s.newOverride(workspaceID, key, kind, name, by)
		o.CompanyID, o.ASN = companyID, uint32(asn)
		return s.putOverride(ctx, tx, o)
	})
	return o, err
}

// HideDomain hides the organisation of a domain, visited or not.
func (s *Store) HideDomain(ctx context.Context, workspaceID int64, domain string, kind foyer.HideKind, by *foyer.User) (*foyer.OrgOverride, error) {
	if !kind.Valid() {
		return nil, foyer.Errorf(foyer.EINVALID, "unknown kind %q", kind)
	}
	d, err := registrableDomain(domain)
	if err != nil {
		return nil, err
	}
	o := s.newOverride(workspaceID, "domain:"+d, kind, d, by)
	defer s.overridesGen.Add(1)
	err = s.inTx(ctx, "hide domain", func(tx *sql.Tx) error {
		var name string
		var id, asn int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.HideDomain */
			SELECT id, name, asn FROM companies WHERE workspace_id = ? AND org_key = ?`), workspaceID, o.OrgKey).Scan(&id, &name, &asn)
		switch {
		case err == nil:
			o.Name, o.CompanyID, o.ASN = name, id, uint32(asn)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		return s.putOverride(ctx, tx, o)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// registrableDomain reads a domain as a person types it (example.com,
// www.example.co.uk, https://example.com/about) and returns its
// registrable domain, lower case; EINVALID when it has none.
func registrableDomain(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "://") {
		if u, err := url.Parse(s); err == nil {
			s = u.Hostname()
		}
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[at+1:] // an email address: its domain
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 || strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.')
	}) {
		return "", foyer.Errorf(foyer.EINVALID, "type a domain, such as example.com")
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(s)
	if err != nil {
		return "", foyer.Errorf(foyer.EINVALID, "%q is not a domain an organisation can own: type one such as example.com", s)
	}
	return d, nil
}

// newOverride is an override made now by the user.
func (s *Store) newOverride(workspaceID int64, key string, kind foyer.HideKind, name string, by *foyer.User) *foyer.OrgOverride {
	o := &foyer.OrgOverride{WorkspaceID: workspaceID, OrgKey: key, Kind: kind, Name: name,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if by != nil {
		o.CreatedBy, o.CreatedByName = by.ID, cmp.Or(by.Name, by.Email)
	}
	return o
}

// putOverride stores o, replacing the organisation's override if any, and
// hides the workspace's company of the organisation.
func (s *Store) putOverride(ctx context.Context, tx *sql.Tx, o *foyer.OrgOverride) error {
	var by any
	if o.CreatedBy != 0 {
		by = o.CreatedBy
	}
	_, err := tx.ExecContext(ctx, s.rebind(`/* Store.putOverride */
		INSERT INTO org_overrides (workspace_id, org_key, kind, name, created_by, created_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, org_key) DO UPDATE SET kind = excluded.kind, name = excluded.name,
			created_by = excluded.created_by, created_by_name = excluded.created_by_name, created_at = excluded.created_at`),
		o.WorkspaceID, o.OrgKey, string(o.Kind), o.Name, by, o.CreatedByName, ms(o.CreatedAt))
	if err != nil {
		return err
	}
	hidden := string(o.Kind)
	if o.Kind == foyer.ShowCompany {
		hidden = ""
	}
	_, err = tx.ExecContext(ctx, s.rebind(`/* Store.putOverride */
		UPDATE companies SET hidden_kind = ? WHERE workspace_id = ? AND org_key = ?`), hidden, o.WorkspaceID, o.OrgKey)
	return err
}

// Unhide removes the override of an organisation. Taking back "this is a
// company" moves visits between aggregates, so the writer and the roll-up
// wait for it.
func (s *Store) Unhide(ctx context.Context, workspaceID int64, orgKey string) error {
	unlock := s.lockIngest()
	defer unlock()
	defer s.overridesGen.Add(1) // after the commit
	return s.inTx(ctx, "unhide", func(tx *sql.Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.Unhide */
			DELETE FROM org_overrides WHERE workspace_id = ? AND org_key = ? RETURNING kind`), workspaceID, orgKey).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "that organisation is not hidden")
		}
		if err != nil {
			return err
		}
		if foyer.HideKind(kind) == foyer.ShowCompany {
			return s.unshow(ctx, tx, workspaceID, orgKey)
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.Unhide */
			UPDATE companies SET hidden_kind = '' WHERE workspace_id = ? AND org_key = ?`), workspaceID, orgKey)
		return err
	})
}

// overrideColumns are the columns scanOverride reads, of org_overrides o
// and the company c of its organisation, if any.
const overrideColumns = `o.org_key, o.kind, o.name, COALESCE(o.created_by, 0), o.created_by_name, o.created_at,
	COALESCE(c.id, 0), COALESCE(c.asn, 0)`

func scanOverride(scan func(...any) error, workspaceID int64) (foyer.OrgOverride, error) {
	o := foyer.OrgOverride{WorkspaceID: workspaceID}
	var kind string
	var created, asn int64
	err := scan(&o.OrgKey, &kind, &o.Name, &o.CreatedBy, &o.CreatedByName, &created, &o.CompanyID, &asn)
	o.Kind, o.CreatedAt, o.ASN = foyer.HideKind(kind), fromMS(created), uint32(asn)
	return o, err
}

// OrgOverrides lists the workspace's overrides, newest first.
func (s *Store) OrgOverrides(ctx context.Context, workspaceID int64) ([]foyer.OrgOverride, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.OrgOverrides */
		SELECT `+overrideColumns+` FROM org_overrides o
		LEFT JOIN companies c ON c.workspace_id = o.workspace_id AND c.org_key = o.org_key
		WHERE o.workspace_id = ? ORDER BY o.created_at DESC, o.org_key`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: overrides: %w", err)
	}
	defer rows.Close()
	var out []foyer.OrgOverride
	for rows.Next() {
		o, err := scanOverride(rows.Scan, workspaceID)
		if err != nil {
			return nil, fmt.Errorf("store: overrides: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: overrides: %w", err)
	}
	return out, nil
}

// CompanyOverride returns the override that hides a company of the
// workspace.
func (s *Store) CompanyOverride(ctx context.Context, workspaceID, companyID int64) (*foyer.OrgOverride, error) {
	o, err := scanOverride(s.db.QueryRowContext(ctx, s.rebind(`/* Store.CompanyOverride */
		SELECT `+overrideColumns+` FROM companies c
		JOIN org_overrides o ON o.workspace_id = c.workspace_id AND o.org_key = c.org_key
		WHERE c.id = ? AND c.workspace_id = ?`), companyID, workspaceID).Scan, workspaceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "company %d is not hidden", companyID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: company override: %w", err)
	}
	return &o, nil
}

// HiddenTypes returns the organisation types the workspace's feed leaves
// out.
func (s *Store) HiddenTypes(ctx context.Context, workspaceID int64) ([]foyer.OrgType, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.HiddenTypes */
		SELECT hidden_types FROM workspaces WHERE id = ?`), workspaceID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: hidden types: %w", err)
	}
	return parseHiddenTypes(v), nil
}

// parseHiddenTypes reads workspaces.hidden_types, in the order of
// foyer.HideableTypes.
func parseHiddenTypes(v string) []foyer.OrgType {
	if v == "" {
		return nil
	}
	var out []foyer.OrgType
	set := strings.Split(v, ",")
	for _, t := range foyer.HideableTypes {
		if slices.Contains(set, string(t)) {
			out = append(out, t)
		}
	}
	return out
}

// SetHiddenTypes sets the organisation types the workspace's feed leaves
// out.
func (s *Store) SetHiddenTypes(ctx context.Context, workspaceID int64, types []foyer.OrgType) error {
	var keep []string
	for _, t := range foyer.HideableTypes {
		if slices.Contains(types, t) {
			keep = append(keep, string(t))
		}
	}
	for _, t := range types {
		if !slices.Contains(foyer.HideableTypes, t) {
			return foyer.Errorf(foyer.EINVALID, "the type %q cannot be hidden: only education, government and nonprofit can", t)
		}
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetHiddenTypes */
		UPDATE workspaces SET hidden_types = ? WHERE id = ?`), strings.Join(keep, ","), workspaceID)
	if err != nil {
		return fmt.Errorf("store: set hidden types: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set hidden types: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	return nil
}

// feedHidden is what a workspace's feed leaves out: the types it hides,
// whether its corrections hide any company, and, once hiddenCompanies
// read them, the companies hidden by either (nil when none is).
type feedHidden struct {
	types     []foyer.OrgType
	hides     bool
	companies map[int64]bool
}

// hiddenOf reads what the workspace's feed leaves out: its hidden types,
// and whether its corrections hide any company, from the partial index
// companies_hidden.
func (s *Store) hiddenOf(ctx context.Context, workspaceID int64) (feedHidden, error) {
	var h feedHidden
	var types string
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.hiddenOf */
		SELECT w.hidden_types, EXISTS (SELECT 1 FROM companies c WHERE c.workspace_id = w.id AND c.hidden_kind <> '')
		FROM workspaces w WHERE w.id = ?`), workspaceID).Scan(&types, &h.hides)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil // no workspace: no feed either
	}
	if err != nil {
		return h, fmt.Errorf("store: feed: hidden: %w", err)
	}
	h.types = parseHiddenTypes(types)
	return h, nil
}

// hiddenCompanies reads the IDs of the companies h hides, for the period
// feed to drop as it reads its candidates: those the corrections hide
// from the partial index companies_hidden (a workspace hides few), and,
// when types are hidden, those of the types, from a scan of the
// workspace's companies, cheaper than a filter on companies in each of the
// period feed's statements.
func (s *Store) hiddenCompanies(ctx context.Context, workspaceID int64, h *feedHidden) error {
	if !h.hides && len(h.types) == 0 {
		return nil
	}
	q, args := `/* Store.hiddenCompanies */ SELECT id FROM companies WHERE workspace_id = ? AND hidden_kind <> ''`, []any{workspaceID}
	if len(h.types) > 0 {
		q = `/* Store.hiddenCompanies */ SELECT id FROM companies WHERE workspace_id = ? AND (hidden_kind <> '' OR type IN (` + placeholders(len(h.types)) + `))`
		for _, t := range h.types {
			args = append(args, string(t))
		}
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return fmt.Errorf("store: feed: hidden: %w", err)
	}
	defer rows.Close()
	h.companies = map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("store: feed: hidden: %w", err)
		}
		h.companies[id] = true
	}
	return rows.Err()
}

// hiddenVisits sums, per day of [first, last], the visits of the
// companies the workspace's feed leaves out (hiddenOf, hiddenCompanies:
// the feed's own set) on the site, or on every site when siteID is 0, and
// counts those of them that visited in the period: what the overview and
// the trend take away from their company figures, so that they count what
// the feed shows. Beyond reading the set, it seeks each hidden company's
// days in company_days' key (the site is picked in Go: given the site,
// SQLite's plan scans the site's whole period in company_days_period
// instead), and costs nothing more when none is hidden.
func (s *Store) hiddenVisits(ctx context.Context, workspaceID, siteID, first, last int64) (days map[int64]int64, companies int64, err error) {
	h, err := s.hiddenOf(ctx, workspaceID)
	if err != nil {
		return nil, 0, err
	}
	if err := s.hiddenCompanies(ctx, workspaceID, &h); err != nil {
		return nil, 0, err
	}
	if len(h.companies) == 0 {
		return nil, 0, nil
	}
	days = map[int64]int64{}
	seen := map[int64]bool{}
	for chunk := range slices.Chunk(slices.Sorted(maps.Keys(h.companies)), pairChunk) {
		args := make([]any, 0, len(chunk)+2)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, first, last)
		err := s.hiddenDays(ctx, `/* Store.hiddenVisits */
			SELECT company_id, site_id, day, visits FROM company_days
			WHERE company_id IN (`+placeholders(len(chunk))+`) AND day >= ? AND day <= ?`, args,
			func(company, site, day, visits int64) {
				if siteID == 0 || site == siteID {
					seen[company] = true
					days[day] += visits
				}
			})
		if err != nil {
			return nil, 0, fmt.Errorf("store: hidden visits: %w", err)
		}
	}
	return days, int64(len(seen)), nil
}

// hiddenDays runs a query of hiddenVisits and passes each of its rows to
// add.
func (s *Store) hiddenDays(ctx context.Context, q string, args []any, add func(company, site, day, visits int64)) error {
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var company, site, day, visits int64
		if err := rows.Scan(&company, &site, &day, &visits); err != nil {
			return err
		}
		add(company, site, day, visits)
	}
	return rows.Err()
}

// typeFilter returns the SQL condition (starting with " AND ") and
// arguments that leave the hidden types out of the companies table c.
func (h feedHidden) typeFilter(c string) (string, []any) {
	if len(h.types) == 0 {
		return "", nil
	}
	args := make([]any, len(h.types))
	for i, t := range h.types {
		args[i] = string(t)
	}
	return " AND " + c + ".type NOT IN (" + placeholders(len(h.types)) + ")", args
}
