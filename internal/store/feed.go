package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

// Feed returns the companies that visited the workspace's sites in the
// period and match the query's filters, from the roll-ups, in its order.
func (s *Store) Feed(ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error) {
	if q.Limit <= 0 {
		q.Limit = 50
	}
	q.Limit = min(q.Limit, foyer.MaxFeedPage+1) // a page and the row that shows another follows
	q.Offset = max(q.Offset, 0)
	switch q.Sort {
	case "":
		q.Sort = foyer.SortRecent
	case foyer.SortRecent, foyer.SortScore:
	case foyer.SortRulesScore:
		return s.rulesFeed(ctx, q)
	default:
		return nil, foyer.Errorf(foyer.EINVALID, "unknown order %q: use recent, score or rules-score", q.Sort)
	}
	if q.SiteID != 0 {
		if err := s.checkSite(ctx, q.WorkspaceID, q.SiteID); err != nil {
			return nil, err
		}
	}
	from, to := dayOf(ms(q.From)), dayOf(ms(q.To))
	now := s.now()
	hidden, err := s.hiddenOf(ctx, q.WorkspaceID)
	if err != nil {
		return nil, err
	}
	var rows []foyer.FeedRow
	if q.Sort == foyer.SortRecent && to >= dayOf(ms(now)) && !periodFiltered(q) {
		rows, err = s.recentFeed(ctx, q, hidden, from, to)
	} else {
		rows, err = s.periodFeed(ctx, q, hidden, from, to, now)
	}
	if err != nil {
		return nil, err
	}
	if q.Sort != foyer.SortScore { // periodFeed scored every row to order them
		for i := range rows {
			r := &rows[i]
			r.Score = foyer.Score(r.Visits, r.Pageviews, r.EngagedMS, r.LastAt, now)
		}
	}
	if err := s.rulesScores(ctx, q.WorkspaceID, rows); err != nil {
		return nil, err
	}
	if err := s.tagRows(ctx, q.WorkspaceID, rows); err != nil {
		return nil, err
	}
	if err := s.knownContacts(ctx, q.WorkspaceID, rows); err != nil {
		return nil, err
	}
	companies := make([]*foyer.Company, len(rows))
	for i := range rows {
		companies[i] = &rows[i].Company
	}
	if err := s.fillProfiles(ctx, companies); err != nil {
		return nil, err
	}
	return rows, s.topSources(ctx, rows, q.SiteID, from, to)
}

// periodFiltered reports whether q filters on what companies did in the
// period, which only the sums of the whole period can answer.
func periodFiltered(q foyer.FeedQuery) bool {
	return strings.TrimSpace(q.Page) != "" || strings.TrimSpace(q.Source) != "" || q.MinPages > 0 || q.MinEngagedMS > 0
}

// likePattern is a LIKE pattern (with ESCAPE '\') for what contains s.
func likePattern(s string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(s)) + "%"
}

// shownIndustry is the SQL of the industry the feed shows of a company of
// the companies table c, as foyer.Company.DisplayIndustry picks it: the
// operator's data, else open data's (org_profiles, by the organisation's
// key, only when a profile was found). The industry filter and its
// choices both read it.
func shownIndustry(c string) string {
	return "CASE WHEN " + c + ".industry <> '' THEN " + c + ".industry ELSE COALESCE((SELECT p.industry FROM org_profiles p WHERE p.org_key = " +
		c + ".org_key AND p.found), '') END"
}

// companyFilter returns the SQL conditions (each starting with " AND ")
// and arguments of q's filters on the companies table c, and on the
// team's tags and assignments of them (followUpFilter).
func companyFilter(q foyer.FeedQuery, c string) (string, []any) {
	var b strings.Builder
	var args []any
	// Country codes and types are stored in one case; industries and
	// sizes come as the data has them, and match in any case. The
	// industry is the one the feed shows (shownIndustry).
	for _, f := range []struct{ col, val string }{
		{c + ".country", strings.ToUpper(q.Country)}, {"LOWER(" + shownIndustry(c) + ")", strings.ToLower(q.Industry)},
		{"LOWER(" + c + ".size)", strings.ToLower(q.Size)}, {c + ".type", strings.ToLower(string(q.Type))},
	} {
		if f.val != "" {
			b.WriteString(" AND " + f.col + " = ?")
			args = append(args, f.val)
		}
	}
	if s := strings.TrimSpace(q.Search); s != "" {
		pattern := likePattern(s)
		b.WriteString(" AND (LOWER(" + c + ".name) LIKE ? ESCAPE '\\' OR " + c + ".domain LIKE ? ESCAPE '\\')")
		args = append(args, pattern, pattern)
	}
	team, targs := followUpFilter(q, c)
	b.WriteString(team)
	return b.String(), append(args, targs...)
}

// companiesOf fills in the company of each row.
func (s *Store) companiesOf(ctx context.Context, workspaceID int64, page []foyer.FeedRow) error {
	if len(page) == 0 {
		return nil
	}
	byID := make(map[int64]*foyer.FeedRow, len(page))
	args := []any{workspaceID}
	for i := range page {
		byID[page[i].ID] = &page[i]
		args = append(args, page[i].ID)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.companiesOf */
		SELECT `+companyColumns+` FROM companies c
		WHERE c.workspace_id = ? AND c.id IN (`+placeholders(len(page))+`)`), args...)
	if err != nil {
		return fmt.Errorf("store: feed: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCompany(rows.Scan, workspaceID)
		if err != nil {
			return fmt.Errorf("store: feed: %w", err)
		}
		byID[c.ID].Company = c
	}
	return rows.Err()
}

// topSources sets each row's TopSource from company_source_weeks for the
// period's whole weeks and company_sources for the days at its ends: the
// source of most of its visits in the period, the latest on a tie (see
// pickTopSources).
func (s *Store) topSources(ctx context.Context, page []foyer.FeedRow, siteID, from, to int64) error {
	if len(page) == 0 {
		return nil
	}
	byID := make(map[int64]*foyer.FeedRow, len(page))
	ids := make([]any, 0, len(page))
	for i := range page {
		byID[page[i].ID] = &page[i]
		ids = append(ids, page[i].ID)
	}
	// Week w is the days 7w-3 to 7w+3; [first, last] are those in the period.
	first, last := weekOf(from+6), weekOf(to+1)-1
	headEnd, tailStart := to, to+1 // the days before the first whole week, and after the last
	if first <= last {
		headEnd, tailStart = 7*first-4, 7*last+4
	}
	var args []any
	for _, r := range [][2]int64{{from, headEnd}, {tailStart, to}, {first, last}} {
		args = append(append(args, ids...), r[0], r[1], siteID, siteID)
	}
	in := placeholders(len(page))
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.topSources */
		SELECT company_id, source, SUM(visits), MAX(last_at) FROM (
			SELECT company_id, source, visits, last_at FROM company_sources
			WHERE company_id IN (`+in+`) AND day >= ? AND day <= ? AND (? = 0 OR site_id = ?)
			UNION ALL
			SELECT company_id, source, visits, last_at FROM company_sources
			WHERE company_id IN (`+in+`) AND day >= ? AND day <= ? AND (? = 0 OR site_id = ?)
			UNION ALL
			SELECT company_id, source, visits, last_at FROM company_source_weeks
			WHERE company_id IN (`+in+`) AND week >= ? AND week <= ? AND (? = 0 OR site_id = ?)
		) AS v
		GROUP BY company_id, source`), args...)
	if err != nil {
		return fmt.Errorf("store: feed: top sources: %w", err)
	}
	return pickTopSources(rows, byID)
}

// recentFeed answers a period that ends today: the companies whose last
// visit is in the period, newest first, come from an index of last visits
// (companies.last_at, or company_sites for one site), and only the page's
// companies are summed from company_days. Its cost grows with the page,
// not with the workspace.
func (s *Store) recentFeed(ctx context.Context, q foyer.FeedQuery, hidden feedHidden, from, to int64) ([]foyer.FeedRow, error) {
	since := from * msPerDay
	var rows *sql.Rows
	var err error
	filter, fargs := companyFilter(q, "c")
	// The rows at hand tell whether a correction hides them.
	tfilter, targs := hidden.typeFilter("c")
	filter += " AND c.hidden_kind = ''" + tfilter
	fargs = append(fargs, targs...)
	if q.SiteID == 0 {
		rows, err = s.db.QueryContext(ctx, s.rebind(`/* Store.recentFeed */
			SELECT `+companyColumns+`, c.last_at
			FROM companies c
			WHERE c.workspace_id = ? AND c.last_at >= ?`+filter+`
			ORDER BY c.last_at DESC, c.id LIMIT ? OFFSET ?`),
			append(append([]any{q.WorkspaceID, since}, fargs...), q.Limit, q.Offset)...)
	} else {
		rows, err = s.db.QueryContext(ctx, s.rebind(`/* Store.recentFeed */
			SELECT `+companyColumns+`, cs.last_at
			FROM company_sites cs JOIN companies c ON c.id = cs.company_id
			WHERE cs.site_id = ? AND c.workspace_id = ? AND cs.last_at >= ?`+filter+`
			ORDER BY cs.last_at DESC, c.id LIMIT ? OFFSET ?`),
			append(append([]any{q.SiteID, q.WorkspaceID, since}, fargs...), q.Limit, q.Offset)...)
	}
	if err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	var out []foyer.FeedRow
	byID := map[int64]int{}
	for rows.Next() {
		var last int64
		c, err := scanCompany(rows.Scan, q.WorkspaceID, &last)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: feed: %w", err)
		}
		r := foyer.FeedRow{Company: c, LastAt: fromMS(last)}
		byID[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	args := make([]any, 0, len(out)+3)
	for _, r := range out {
		args = append(args, r.ID)
	}
	args = append(args, from, to)
	site := ""
	if q.SiteID != 0 {
		site = " AND site_id = ?"
		args = append(args, q.SiteID)
	}
	sums, err := s.db.QueryContext(ctx, s.rebind(`/* Store.recentFeed */
		SELECT company_id, SUM(visits), SUM(pageviews), SUM(engaged_ms) FROM company_days
		WHERE company_id IN (`+placeholders(len(out))+`) AND day >= ? AND day <= ?`+site+`
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

// knownContacts sets the KnownContacts of each row of a page of the feed,
// in one query for the page's companies (index contacts_company).
func (s *Store) knownContacts(ctx context.Context, workspaceID int64, page []foyer.FeedRow) error {
	if len(page) == 0 {
		return nil
	}
	args := []any{workspaceID}
	for i := range page {
		args = append(args, page[i].ID)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.knownContacts */
		SELECT company_id, COUNT(*) FROM contacts
		WHERE workspace_id = ? AND company_id IN (`+placeholders(len(page))+`) GROUP BY company_id`), args...)
	if err != nil {
		return fmt.Errorf("store: known contacts: %w", err)
	}
	defer rows.Close()
	byID := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("store: known contacts: %w", err)
		}
		byID[id] = n
	}
	for i := range page {
		page[i].KnownContacts = byID[page[i].ID]
	}
	return rows.Err()
}
