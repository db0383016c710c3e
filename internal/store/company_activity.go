package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// CompanyVisitCount counts the company's visits that started in the
// period, from the visits themselves (as CompanyVisits lists them, those
// the roll-up has not reached included).
func (s *Store) CompanyVisitCount(ctx context.Context, workspaceID, companyID int64, from, to time.Time) (int64, error) {
	if err := s.checkCompany(ctx, workspaceID, companyID); err != nil {
		return 0, err
	}
	var n int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.CompanyVisitCount */
		SELECT COUNT(*) FROM sessions WHERE company_id = ? AND started_at >= ? AND started_at < ?`),
		companyID, dayOf(ms(from))*msPerDay, (dayOf(ms(to))+1)*msPerDay).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: company visit count: %w", err)
	}
	return n, nil
}

// companyTopPages is how many pages CompanyActivity lists.
const companyTopPages = 10

// CompanyActivity returns the company's ten most viewed pages in the
// period (company_pages) and the sources of its visits (company_sources).
func (s *Store) CompanyActivity(ctx context.Context, workspaceID, companyID int64, from, to time.Time) (*foyer.CompanyActivity, error) {
	if err := s.checkCompany(ctx, workspaceID, companyID); err != nil {
		return nil, err
	}
	first, last := dayOf(ms(from)), dayOf(ms(to))
	a := &foyer.CompanyActivity{}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.CompanyActivity */
		SELECT p.site_id, p.path, SUM(cp.pageviews) FROM company_pages cp JOIN pages p ON p.id = cp.page_id
		WHERE cp.company_id = ? AND cp.day >= ? AND cp.day <= ?
		GROUP BY p.site_id, p.path ORDER BY SUM(cp.pageviews) DESC, p.path, p.site_id LIMIT ?`),
		companyID, first, last, companyTopPages)
	if err != nil {
		return nil, fmt.Errorf("store: company pages: %w", err)
	}
	for rows.Next() {
		var p foyer.PageCount
		if err := rows.Scan(&p.SiteID, &p.Path, &p.N); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: company pages: %w", err)
		}
		a.TopPages = append(a.TopPages, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: company pages: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, s.rebind(`/* Store.CompanyActivity */
		SELECT source, SUM(visits), MAX(last_at) FROM company_sources
		WHERE company_id = ? AND day >= ? AND day <= ?
		GROUP BY source`), companyID, first, last)
	if err != nil {
		return nil, fmt.Errorf("store: company sources: %w", err)
	}
	m, err := sourceCounts(rows) // normalised, see sources.go
	if err != nil {
		return nil, fmt.Errorf("store: company sources: %w", err)
	}
	// The most visits first, and on a tie the latest visit, as the feed
	// picks a company's top source.
	type ranked struct {
		foyer.Count
		last int64
	}
	var out []ranked
	for src, c := range m {
		if c.visits > 0 {
			out = append(out, ranked{foyer.Count{Name: src.Name, Kind: src.Kind.Label(), N: c.visits}, c.lastAt})
		}
	}
	slices.SortFunc(out, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(b.last, a.last), cmp.Compare(a.Name, b.Name))
	})
	for _, r := range out {
		a.Sources = append(a.Sources, r.Count)
	}
	return a, nil
}

// WorkspaceTrend sums the workspace's sites (or one of them) per day from
// site_days, and counts the period's distinct companies. It reads a row a
// site and day, and an index entry a company that visited since the
// period began: a few milliseconds on 10M events, where counting each
// day's distinct companies from company_days took 35. The visits and
// companies the feed leaves out (hiddenVisits) are taken away from its
// company figures, each day's as its HiddenVisits.
func (s *Store) WorkspaceTrend(ctx context.Context, workspaceID, siteID int64, from, to time.Time) (*foyer.Trend, error) {
	if siteID != 0 {
		if err := s.checkSite(ctx, workspaceID, siteID); err != nil {
			return nil, err
		}
	}
	first, last := dayOf(ms(from)), dayOf(ms(to))
	if last < first || last-first > 366 {
		return nil, foyer.Errorf(foyer.EINVALID, "a period of 1 to 366 days, please")
	}
	t := &foyer.Trend{Days: make([]foyer.TrendDay, last-first+1)}
	for i := range t.Days {
		t.Days[i].Day = fromMS((first + int64(i)) * msPerDay)
	}
	args := []any{workspaceID, siteID, siteID, first, last}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.WorkspaceTrend */
		SELECT d.day, SUM(d.visits), SUM(d.company_visits), SUM(d.anonymous_visits), SUM(d.unidentified_visits)
		FROM site_days d JOIN sites s ON s.id = d.site_id
		WHERE s.workspace_id = ? AND (? = 0 OR d.site_id = ?) AND d.day >= ? AND d.day <= ?
		GROUP BY d.day`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: trend: %w", err)
	}
	for rows.Next() {
		var day, visits, company, anonymous, unidentified int64
		if err := rows.Scan(&day, &visits, &company, &anonymous, &unidentified); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: trend: %w", err)
		}
		d := &t.Days[day-first]
		d.Visits, d.CompanyVisits, d.AnonymousVisits, d.UnidentifiedVisits = visits, company, anonymous, unidentified
		t.Visits, t.CompanyVisits, t.AnonymousVisits, t.UnidentifiedVisits = t.Visits+visits, t.CompanyVisits+company,
			t.AnonymousVisits+anonymous, t.UnidentifiedVisits+unidentified
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: trend: %w", err)
	}
	// The period's distinct companies: for a period that ends today, those
	// whose last visit (anywhere, or on the site) is in it, counted from
	// the index of last visits; for an earlier one, from the period's
	// company_days.
	if last >= dayOf(ms(s.now())) {
		if siteID == 0 {
			err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.WorkspaceTrend */
				SELECT COUNT(*) FROM companies WHERE workspace_id = ? AND last_at >= ?`), workspaceID, first*msPerDay).Scan(&t.Companies)
		} else {
			err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.WorkspaceTrend */
				SELECT COUNT(*) FROM company_sites WHERE site_id = ? AND last_at >= ?`), siteID, first*msPerDay).Scan(&t.Companies)
		}
	} else {
		err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.WorkspaceTrend */
			SELECT COUNT(DISTINCT cd.company_id)
			FROM company_days cd JOIN sites s ON s.id = cd.site_id
			WHERE s.workspace_id = ? AND (? = 0 OR cd.site_id = ?) AND cd.day >= ? AND cd.day <= ?`), args...).Scan(&t.Companies)
	}
	if err != nil {
		return nil, fmt.Errorf("store: trend: %w", err)
	}
	hidden, n, err := s.hiddenVisits(ctx, workspaceID, siteID, first, last)
	if err != nil {
		return nil, err
	}
	for day, v := range hidden {
		d := &t.Days[day-first]
		d.HiddenVisits, d.CompanyVisits = v, d.CompanyVisits-v
		t.HiddenVisits, t.CompanyVisits = t.HiddenVisits+v, t.CompanyVisits-v
	}
	t.Companies -= n
	return t, nil
}

// FeedChoices reads the distinct country, industry (the one the feed
// shows, shownIndustry), size and type of the workspace's companies that
// have visited, in one pass over its companies' index of last visits.
func (s *Store) FeedChoices(ctx context.Context, workspaceID int64) (*foyer.FeedChoices, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.FeedChoices */
		SELECT country, industry, size, type FROM (
			SELECT c.country, `+shownIndustry("c")+` AS industry, c.size, c.type FROM companies c
			WHERE c.workspace_id = ? AND c.last_at > 0 AND c.hidden_kind = ''
		) AS v
		GROUP BY country, industry, size, type`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: feed choices: %w", err)
	}
	defer rows.Close()
	seen := map[[2]string]bool{}
	c := &foyer.FeedChoices{}
	add := func(list *[]string, kind, v string) {
		if key := [2]string{kind, strings.ToLower(v)}; v != "" && !seen[key] {
			seen[key] = true
			*list = append(*list, v)
		}
	}
	var types []string
	for rows.Next() {
		var country, industry, size, typ string
		if err := rows.Scan(&country, &industry, &size, &typ); err != nil {
			return nil, fmt.Errorf("store: feed choices: %w", err)
		}
		add(&c.Countries, "country", country)
		add(&c.Industries, "industry", industry)
		add(&c.Sizes, "size", size)
		if foyer.OrgType(typ).IsCompany() {
			add(&types, "type", typ)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feed choices: %w", err)
	}
	slices.Sort(c.Countries)
	slices.SortFunc(c.Industries, foldCompare)
	slices.SortFunc(c.Sizes, sizeCompare)
	slices.Sort(types)
	// The types the workspace hides from the feed are no choice either.
	hidden, err := s.HiddenTypes(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if !slices.Contains(hidden, foyer.OrgType(t)) {
			c.Types = append(c.Types, foyer.OrgType(t))
		}
	}
	return c, nil
}

// foldCompare orders strings alphabetically in any case.
func foldCompare(a, b string) int {
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// sizeCompare orders company sizes ("1-9", "10-49", "1000+") by their
// first number, and those without one after them, alphabetically.
func sizeCompare(a, b string) int {
	na, oka := leadingNumber(a)
	nb, okb := leadingNumber(b)
	switch {
	case oka && okb && na != nb:
		return na - nb
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	}
	return foldCompare(a, b)
}

// leadingNumber reads the digits s starts with.
func leadingNumber(s string) (int, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s[:i], ",", ""))
	return n, err == nil
}
