package store

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// periodFeed answers every feed but the newest first of a period ending
// today, from running totals, summing only the companies that can still
// reach the page.
//
// It reads the period's companies and sites (those whose last visit there is
// not before the period) from the index of last visits, which holds each
// one's totals to date. Those bound what a company did in the period, and
// so its place in the order: the score only grows with visits, page views,
// engaged time and the last visit. (The last visit of a company that came
// back after the period is bounded by the period's end, or by lastOnDay.)
// Companies are then made exact in the order of their bounds, a batch at a
// time, until the page's last row comes before every bound still open:
//
//   - a site the company visited after the period first gets its totals at
//     the period's last day, and with them the period's last visit there
//     (on other sites, the totals to date are those);
//   - then the totals before the period's first day are taken away.
//
// Each step reads one row of company_totals per company and site. The cost
// grows with the companies that visited since the period began (a row of
// the index each) and with those whose bounds tie with the page (a seek or
// two each), not with the days of the period.
//
// The companies the workspace hides (hidden) are dropped as they are read.
func (s *Store) periodFeed(ctx context.Context, q foyer.FeedQuery, hidden feedHidden, from, to int64, now time.Time) ([]foyer.FeedRow, error) {
	end := (to + 1) * msPerDay // the end of the period's last day, in Unix ms
	if err := s.hiddenCompanies(ctx, q.WorkspaceID, &hidden); err != nil {
		return nil, err
	}
	if few, err := s.fewDays(ctx, q, from, to); err != nil || few {
		if err != nil {
			return nil, err
		}
		return s.daysFeed(ctx, q, hidden, from, to, now)
	}
	pending, err := s.periodCandidates(ctx, q, hidden, from, end)
	if err != nil {
		return nil, err
	}
	pending.score, pending.now = q.Sort == foyer.SortScore, now
	need := q.Offset + q.Limit
	first := max(64, 2*need)
	if s.feedBatch > 0 {
		first = s.feedBatch
	}
	if err := s.lastOnDay(ctx, pending, q, to, first); err != nil {
		return nil, err
	}
	for i := range pending.c {
		pending.key(pending.c[i])
	}
	heap.Init(pending)
	var done []foyer.FeedRow // exact, in order
	// Each step makes a batch of the first candidates exact, or bounds
	// them closer. Each kind of batch doubles from its second run on: the
	// second step, which mostly makes exact those the first bounded, stays
	// small, and the steps stay few when many candidates tie with the page
	// or miss its minimums.
	nUnsure, nSure := first, first
	unsureRuns, sureRuns := 0, 0
	for pending.Len() > 0 {
		if len(done) >= need && rowOrder(done[need-1], pending.c[0].row) < 0 {
			break
		}
		var unsure, sure []*candidate
		for pending.Len() > 0 {
			if c := pending.c[0]; c.unsure != nil && len(unsure) == nUnsure || c.unsure == nil && len(sure) == nSure {
				break
			}
			c := heap.Pop(pending).(*candidate)
			if c.unsure != nil {
				unsure = append(unsure, c)
			} else {
				sure = append(sure, c)
			}
		}
		if len(unsure) > 0 {
			if unsureRuns++; unsureRuns > 1 {
				nUnsure *= 2
			}
		}
		if len(sure) > 0 {
			if sureRuns++; sureRuns > 1 {
				nSure *= 2
			}
		}
		if err := s.lastBefore(ctx, unsure, pending, from, to); err != nil {
			return nil, err
		}
		exact, err := s.exactRows(ctx, sure, pending, from)
		if err != nil {
			return nil, err
		}
		done = append(done, exact...)
		slices.SortFunc(done, rowOrder)
		// A row past the page's end stays there: later rows only push it
		// further down. Dropping those keeps each sort to a page and a batch.
		done = done[:min(len(done), need)]
	}
	page := done[min(q.Offset, len(done)):min(need, len(done))]
	return page, s.companiesOf(ctx, q.WorkspaceID, page)
}

// rowOrder orders the rows of periodFeed: by score (zero but in the score
// order), then the last visit, newest first, then company ID.
func rowOrder(a, b foyer.FeedRow) int {
	return cmp.Or(cmp.Compare(b.Score, a.Score), b.LastAt.Compare(a.LastAt), cmp.Compare(a.ID, b.ID))
}

// pair is a company on a site.
type pair struct{ company, site int64 }

// candidate is a company of the period that periodFeed has not made exact.
type candidate struct {
	row   foyer.FeedRow // its bound: sums, last visit and score, as its key
	hi    sums          // its totals at the period's last day, on the sites in sure
	last  int64         // its last visit in the period on those sites, 0 when none
	sure  []pair        // sites where hi is known
	bound sums          // on the sites in unsure, its totals to date
	// lastBound bounds its last visit in the period on the sites in unsure.
	lastBound int64
	// Its sites with a visit after the period, whose totals at the period's
	// last day are to be read (nil when none).
	unsure []pair
}

type sums struct{ visits, pageviews, engaged int64 }

func (a *sums) add(b sums) {
	a.visits, a.pageviews, a.engaged = a.visits+b.visits, a.pageviews+b.pageviews, a.engaged+b.engaged
}

// candidates is a heap of candidates, the first in the feed's order first.
type candidates struct {
	c     []*candidate
	score bool
	now   time.Time
	min   sums // the query's minimum page views and engaged time
}

func (h *candidates) Len() int           { return len(h.c) }
func (h *candidates) Less(i, j int) bool { return rowOrder(h.c[i].row, h.c[j].row) < 0 }
func (h *candidates) Swap(i, j int)      { h.c[i], h.c[j] = h.c[j], h.c[i] }
func (h *candidates) Push(x any)         { h.c = append(h.c, x.(*candidate)) }
func (h *candidates) Pop() any {
	c := h.c[len(h.c)-1]
	h.c = h.c[:len(h.c)-1]
	return c
}

// key sets c's bound and reports whether it can still meet the query's
// minimums.
func (h *candidates) key(c *candidate) bool {
	b, last := c.hi, c.last
	if c.unsure != nil {
		b.add(c.bound)
		last = max(last, c.lastBound)
	}
	c.row.Visits, c.row.Pageviews, c.row.EngagedMS, c.row.LastAt = b.visits, b.pageviews, b.engaged, fromMS(last)
	if h.score {
		c.row.Score = foyer.Score(b.visits, b.pageviews, b.engaged, c.row.LastAt, h.now)
	}
	return b.pageviews >= h.min.pageviews && b.engaged >= h.min.engaged
}

// periodCandidates reads the companies that visited the query's sites
// since the period's first day and match its filters, with their totals
// to date per site.
func (s *Store) periodCandidates(ctx context.Context, q foyer.FeedQuery, hidden feedHidden, from, end int64) (*candidates, error) {
	var b strings.Builder
	args := []any{q.WorkspaceID, from * msPerDay}
	b.WriteString(`/* Store.periodCandidates */
		SELECT cs.company_id, cs.site_id, cs.last_at, cs.visits, cs.pageviews, cs.engaged_ms
		FROM company_sites cs
		WHERE cs.site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND cs.last_at >= ?`)
	filter, fargs, err := s.periodFilter(ctx, q, "cs", from, end/msPerDay-1)
	if err != nil {
		return nil, err
	}
	b.WriteString(filter)
	args = append(args, fargs...)
	rows, err := s.db.QueryContext(ctx, s.rebind(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	defer rows.Close()
	h := &candidates{min: sums{pageviews: q.MinPages, engaged: q.MinEngagedMS}}
	byID := map[int64]*candidate{}
	for rows.Next() {
		var p pair
		var last int64
		var total sums
		if err := rows.Scan(&p.company, &p.site, &last, &total.visits, &total.pageviews, &total.engaged); err != nil {
			return nil, fmt.Errorf("store: feed: %w", err)
		}
		if hidden.companies[p.company] {
			continue
		}
		c := byID[p.company]
		if c == nil {
			c = &candidate{row: foyer.FeedRow{Company: foyer.Company{ID: p.company, WorkspaceID: q.WorkspaceID}}}
			byID[p.company] = c
			h.c = append(h.c, c)
		}
		if last < end { // its last visit there is in the period: its totals are those at the period's end
			c.hi.add(total)
			c.last = max(c.last, last)
			c.sure = append(c.sure, p)
		} else {
			c.bound.add(total)
			c.unsure = append(c.unsure, p)
			c.lastBound = end - 1
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	h.c = slices.DeleteFunc(h.c, func(c *candidate) bool { return !h.key(c) })
	return h, nil
}

// lastOnDay bounds the last visit in the period of the candidates that
// visited a site after it closer than the period's end, when there are
// more of them than the first step takes, as all would otherwise tie: it reads
// the last visits on the period's last day, from company_days, in one
// range of an index. Those are exact; a company without one has its last
// visit in the period before that day.
func (s *Store) lastOnDay(ctx context.Context, h *candidates, q foyer.FeedQuery, day int64, first int) error {
	n := 0
	for _, c := range h.c {
		if c.unsure != nil {
			n++
		}
	}
	if n <= first {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.lastOnDay */
		SELECT company_id, MAX(last_at) FROM company_days
		WHERE site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND (? = 0 OR site_id = ?) AND day = ?
		GROUP BY company_id`), q.WorkspaceID, q.SiteID, q.SiteID, day)
	if err != nil {
		return fmt.Errorf("store: feed: last visits: %w", err)
	}
	defer rows.Close()
	last := map[int64]int64{}
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return fmt.Errorf("store: feed: last visits: %w", err)
		}
		last[id] = at
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: feed: last visits: %w", err)
	}
	for _, c := range h.c {
		if c.unsure == nil {
			continue
		}
		if at, ok := last[c.row.ID]; ok {
			c.lastBound = at
		} else {
			c.lastBound = day*msPerDay - 1
		}
	}
	return nil
}

// lastBefore reads the totals of the candidates' unsure sites at the
// period's last day and puts back on the heap those that, so bounded,
// visited in the period and can still meet the query's minimums.
func (s *Store) lastBefore(ctx context.Context, cs []*candidate, h *candidates, from, to int64) error {
	var pairs []pair
	for _, c := range cs {
		pairs = append(pairs, c.unsure...)
	}
	at, err := s.totalsAt(ctx, pairs, to)
	if err != nil {
		return err
	}
	for _, c := range cs {
		for _, p := range c.unsure {
			t, ok := at[p]
			if !ok {
				continue // no visit there by the period's end
			}
			c.hi.add(t.sums)
			c.sure = append(c.sure, p)
			if t.day >= from {
				c.last = max(c.last, t.lastAt)
			}
		}
		c.unsure, c.bound = nil, sums{}
		if c.last > 0 && h.key(c) {
			heap.Push(h, c)
		}
	}
	return nil
}

// exactRows takes the candidates' totals before the period's first day
// away from those at its last, and returns those that meet the query's
// minimums, scored when the feed is in score order.
func (s *Store) exactRows(ctx context.Context, cs []*candidate, h *candidates, from int64) ([]foyer.FeedRow, error) {
	var pairs []pair
	for _, c := range cs {
		pairs = append(pairs, c.sure...)
	}
	at, err := s.totalsAt(ctx, pairs, from-1)
	if err != nil {
		return nil, err
	}
	var out []foyer.FeedRow
	for _, c := range cs {
		sum := c.hi
		for _, p := range c.sure {
			if t, ok := at[p]; ok {
				sum.add(sums{-t.visits, -t.pageviews, -t.engaged})
			}
		}
		if sum.pageviews < h.min.pageviews || sum.engaged < h.min.engaged {
			continue
		}
		r := c.row
		r.Visits, r.Pageviews, r.EngagedMS, r.LastAt = sum.visits, sum.pageviews, sum.engaged, fromMS(c.last)
		if h.score {
			r.Score = foyer.Score(r.Visits, r.Pageviews, r.EngagedMS, r.LastAt, h.now)
		}
		out = append(out, r)
	}
	return out, nil
}

// pairTotals is a row of company_totals.
type pairTotals struct {
	sums
	day, lastAt int64
}

// pairChunk is how many companies and sites one statement of totalsAt reads.
const pairChunk = 1000

// totalsAt reads the running totals of each pair at the last day on or
// before day that it visited, a seek each; pairs without such a day are
// left out. The pairs come from a query of the workspace's sites.
func (s *Store) totalsAt(ctx context.Context, pairs []pair, day int64) (map[pair]pairTotals, error) {
	out := make(map[pair]pairTotals, len(pairs))
	for chunk := range slices.Chunk(pairs, pairChunk) {
		n := len(chunk)
		args := make([]any, 0, 2*n+1)
		for _, p := range chunk {
			args = append(args, p.company, p.site)
		}
		args = append(args, day)
		// VALUES columns are named column1…; on PostgreSQL the first row's
		// casts type them. SQLite joins a CROSS JOIN in the order written.
		var q string
		if s.dialect == Postgres {
			q = `/* Store.totalsAt */
				SELECT p.column1, p.column2, t.day, t.visits, t.pageviews, t.engaged_ms, t.last_at
				FROM (VALUES ` + valuesRows(n, 2) + `) AS p
				CROSS JOIN LATERAL (SELECT day, visits, pageviews, engaged_ms, last_at FROM company_totals
					WHERE company_id = p.column1 AND site_id = p.column2 AND day <= ?
					ORDER BY day DESC LIMIT 1) AS t`
		} else {
			q = `/* Store.totalsAt */
				SELECT t.company_id, t.site_id, t.day, t.visits, t.pageviews, t.engaged_ms, t.last_at
				FROM (VALUES ` + valuesRows(n, 2) + `) AS p
				CROSS JOIN company_totals t ON t.company_id = p.column1 AND t.site_id = p.column2
					AND t.day = (SELECT MAX(m.day) FROM company_totals m
						WHERE m.company_id = p.column1 AND m.site_id = p.column2 AND m.day <= ?)`
		}
		rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
		if err != nil {
			return nil, fmt.Errorf("store: feed: totals: %w", err)
		}
		for rows.Next() {
			var p pair
			var t pairTotals
			if err := rows.Scan(&p.company, &p.site, &t.day, &t.visits, &t.pageviews, &t.engaged, &t.lastAt); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: feed: totals: %w", err)
			}
			out[p] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: feed: totals: %w", err)
		}
	}
	return out, nil
}

// daysFeed answers q by summing every company_days row of the period:
// the cost grows with the period's company-days, where periodFeed's grows
// with the companies that visited since the period began and with how
// many of them it must make exact. In the score order of a short period
// that is nearly all of them (a company's totals to date bound its score
// in the period loosely), and summing the days is cheaper.
func (s *Store) daysFeed(ctx context.Context, q foyer.FeedQuery, hidden feedHidden, from, to int64, now time.Time) ([]foyer.FeedRow, error) {
	var b strings.Builder
	args := []any{q.WorkspaceID, from, to}
	b.WriteString(`/* Store.daysFeed */
		SELECT d.company_id, SUM(d.visits), SUM(d.pageviews), SUM(d.engaged_ms), MAX(d.last_at)
		FROM company_days d
		WHERE d.site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND d.day >= ? AND d.day <= ?`)
	filter, fargs, err := s.periodFilter(ctx, q, "d", from, to)
	if err != nil {
		return nil, err
	}
	b.WriteString(filter)
	args = append(args, fargs...)
	b.WriteString(" GROUP BY d.company_id HAVING SUM(d.pageviews) >= ? AND SUM(d.engaged_ms) >= ?")
	args = append(args, q.MinPages, q.MinEngagedMS)
	rows, err := s.db.QueryContext(ctx, s.rebind(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	defer rows.Close()
	var all []foyer.FeedRow
	for rows.Next() {
		r := foyer.FeedRow{Company: foyer.Company{WorkspaceID: q.WorkspaceID}}
		var last int64
		if err := rows.Scan(&r.ID, &r.Visits, &r.Pageviews, &r.EngagedMS, &last); err != nil {
			return nil, fmt.Errorf("store: feed: %w", err)
		}
		if hidden.companies[r.ID] {
			continue
		}
		r.LastAt = fromMS(last)
		if q.Sort == foyer.SortScore {
			r.Score = foyer.Score(r.Visits, r.Pageviews, r.EngagedMS, r.LastAt, now)
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: feed: %w", err)
	}
	slices.SortFunc(all, rowOrder)
	page := all[min(q.Offset, len(all)):min(q.Offset+q.Limit, len(all))]
	if err := s.companiesOf(ctx, q.WorkspaceID, page); err != nil {
		return nil, err
	}
	return page, nil
}

// sumsPerCandidate is how many company-days periodFeed sums, for the
// score order, rather than make a company exact by seeks. On 10M events
// on SQLite, a company made exact cost about 10 µs, a summed row about 2
// (grouped by company), and the bound below is about twice the rows.
const sumsPerCandidate = 3

// fewDays reports whether, for the score order, the period's company-days
// are few enough beside its candidates (the companies and sites visited
// since the period began, counted from the index of last visits) to sum
// them. A day's company-days are at most its candidates and at most its
// visits of companies (site_days, a row a site and day), so their sum
// over the days bounds the rows to sum.
func (s *Store) fewDays(ctx context.Context, q foyer.FeedQuery, from, to int64) (bool, error) {
	switch {
	case s.feedSums != 0:
		return s.feedSums > 0, nil
	case q.Sort != foyer.SortScore:
		return false, nil
	}
	var n int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.fewDays */
		SELECT COUNT(*) FROM company_sites
		WHERE site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND (? = 0 OR site_id = ?) AND last_at >= ?`),
		q.WorkspaceID, q.SiteID, q.SiteID, from*msPerDay).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: feed: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.fewDays */
		SELECT SUM(company_visits) FROM site_days
		WHERE site_id IN (SELECT id FROM sites WHERE workspace_id = ?) AND (? = 0 OR site_id = ?) AND day >= ? AND day <= ?
		GROUP BY day`), q.WorkspaceID, q.SiteID, q.SiteID, from, to)
	if err != nil {
		return false, fmt.Errorf("store: feed: %w", err)
	}
	defer rows.Close()
	var bound int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return false, fmt.Errorf("store: feed: %w", err)
		}
		bound += min(v, n)
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("store: feed: %w", err)
	}
	return bound <= sumsPerCandidate*n, nil
}

// periodFilter returns the SQL conditions (each starting with " AND ")
// and arguments of q's site and filters on the rows of t, a table alias
// with site_id and company_id columns, for the days [from, to]: the same
// for the period feed's candidates and for its sums of days. What the
// workspace hides (hiddenOf) is the caller's to drop.
func (s *Store) periodFilter(ctx context.Context, q foyer.FeedQuery, t string, from, to int64) (string, []any, error) {
	var b strings.Builder
	var args []any
	if q.SiteID != 0 {
		b.WriteString(" AND " + t + ".site_id = ?")
		args = append(args, q.SiteID)
	}
	if filter, fargs := companyFilter(q, "c"); filter != "" {
		b.WriteString(" AND " + t + ".company_id IN (SELECT c.id FROM companies c WHERE c.workspace_id = ?" + filter + ")")
		args = append(append(args, q.WorkspaceID), fargs...)
	}
	if page := strings.TrimSpace(q.Page); page != "" {
		b.WriteString(" AND " + t + `.company_id IN (SELECT cp.company_id FROM company_pages cp
			WHERE cp.day >= ? AND cp.day <= ? AND cp.page_id IN (
				SELECT p.id FROM pages p WHERE p.site_id IN (SELECT id FROM sites WHERE workspace_id = ?)
					AND (? = 0 OR p.site_id = ?) AND LOWER(p.path) LIKE ? ESCAPE '\'))`)
		args = append(args, from, to, q.WorkspaceID, q.SiteID, q.SiteID, likePattern(page))
	}
	if strings.TrimSpace(q.Source) != "" {
		names, err := s.sourceNames(ctx, q.WorkspaceID, q.SiteID, from, to, q.Source)
		if err != nil {
			return "", nil, err
		}
		b.WriteString(" AND " + t + `.company_id IN (SELECT src.company_id FROM company_sources src
			WHERE src.source IN (` + placeholders(len(names)) + `) AND src.day >= ? AND src.day <= ? AND (? = 0 OR src.site_id = ?))`)
		for _, n := range names {
			args = append(args, n)
		}
		args = append(args, from, to, q.SiteID, q.SiteID)
	}
	return b.String(), args, nil
}
