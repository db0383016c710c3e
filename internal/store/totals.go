package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
)

// company_totals (migration 0013) holds, for each row of company_days, the
// running totals of its company and site up to and including its day. The
// roll-up keeps it beside company_days: for each company and site a run
// touches, it first adds the rows of the run's days that are new, with the
// totals up to the day before, then adds the run's sums to every row from
// each day on. A late event for an earlier day so moves every later row of
// its company and site, and the difference of two rows is always the sum of
// the company_days between them.

// totalsRange is what one run of the roll-up adds to the running totals of
// one company and site on the days [from, until): the run's sums of that
// company and site up to from. lastAt is of day from alone.
type totalsRange struct {
	company, site, from, until int64
	visits, pageviews, engaged int64
	lastAt                     int64
}

// totalsRanges turns a run's sums by company, site and day into ranges of
// days that do not overlap, in key order: each ends where the next day of
// the run of the same company and site begins, the last one never.
func totalsRanges(days map[dayKey]*dayRollup) []totalsRange {
	keys := slices.SortedFunc(maps.Keys(days), func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.company, b.company), cmp.Compare(a.site, b.site), cmp.Compare(a.day, b.day))
	})
	out := make([]totalsRange, 0, len(keys))
	for i, k := range keys {
		d := days[k]
		r := totalsRange{company: k.company, site: k.site, from: k.day, until: math.MaxInt64,
			visits: d.visits, pageviews: d.pageviews, engaged: d.engaged, lastAt: d.lastAt}
		if i > 0 {
			if p := out[i-1]; p.company == k.company && p.site == k.site {
				out[i-1].until = k.day
				r.visits += p.visits
				r.pageviews += p.pageviews
				r.engaged += p.engaged
			}
		}
		out = append(out, r)
	}
	return out
}

// applyTotals adds a run's sums to company_totals. Every new row is written
// before any row is moved, so that each starts from the totals before the
// run: on SQLite one kept statement a row, on PostgreSQL rowChunk rows
// a statement.
func (s *Store) applyTotals(ctx context.Context, t *txStmts, ranges []totalsRange) error {
	if len(ranges) == 0 {
		return nil
	}
	if s.dialect == SQLite {
		insert, err := s.stmt(ctx, t, `/* Store.applyTotals */
			INSERT INTO company_totals (company_id, site_id, day, visits, pageviews, engaged_ms, last_at)
			SELECT ?, ?, ?, COALESCE(SUM(p.visits), 0), COALESCE(SUM(p.pageviews), 0), COALESCE(SUM(p.engaged_ms), 0), ?
			FROM (SELECT visits, pageviews, engaged_ms FROM company_totals
				WHERE company_id = ? AND site_id = ? AND day < ? ORDER BY day DESC LIMIT 1) AS p
			WHERE true
			ON CONFLICT (company_id, site_id, day) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("company totals: %w", err)
		}
		for _, r := range ranges {
			if _, err := insert.ExecContext(ctx, r.company, r.site, r.from, r.lastAt, r.company, r.site, r.from); err != nil {
				return fmt.Errorf("company totals: %w", err)
			}
		}
		update, err := s.stmt(ctx, t, `/* Store.applyTotals */
			UPDATE company_totals SET visits = visits + ?, pageviews = pageviews + ?, engaged_ms = engaged_ms + ?,
				last_at = CASE WHEN day = ? AND last_at < ? THEN ? ELSE last_at END
			WHERE company_id = ? AND site_id = ? AND day >= ? AND day < ?`)
		if err != nil {
			return fmt.Errorf("company totals: %w", err)
		}
		for _, r := range ranges {
			if _, err := update.ExecContext(ctx, r.visits, r.pageviews, r.engaged, r.from, r.lastAt, r.lastAt,
				r.company, r.site, r.from, r.until); err != nil {
				return fmt.Errorf("company totals: %w", err)
			}
		}
		return nil
	}
	if t.batch != nil {
		return s.applyTotalsPG(ctx, t, ranges)
	}
	// PostgreSQL: VALUES columns are named column1…; the casts of the first
	// row type them.
	for chunk := range slices.Chunk(ranges, rowChunk) {
		n := len(chunk)
		args := make([]any, 0, 4*n)
		for _, r := range chunk {
			args = append(args, r.company, r.site, r.from, r.lastAt)
		}
		_, err := s.exec(ctx, t, `/* Store.applyTotals */
			INSERT INTO company_totals (company_id, site_id, day, visits, pageviews, engaged_ms, last_at)
			SELECT v.column1, v.column2, v.column3, COALESCE(p.visits, 0), COALESCE(p.pageviews, 0), COALESCE(p.engaged_ms, 0), v.column4
			FROM (VALUES `+valuesRows(n, 4)+`) AS v
			LEFT JOIN LATERAL (SELECT visits, pageviews, engaged_ms FROM company_totals t
				WHERE t.company_id = v.column1 AND t.site_id = v.column2 AND t.day < v.column3
				ORDER BY t.day DESC LIMIT 1) AS p ON true
			ON CONFLICT (company_id, site_id, day) DO NOTHING`, args...)
		if err != nil {
			return fmt.Errorf("company totals: %w", err)
		}
	}
	for chunk := range slices.Chunk(ranges, rowChunk) {
		n := len(chunk)
		args := make([]any, 0, 8*n)
		for _, r := range chunk {
			args = append(args, r.company, r.site, r.from, r.until, r.visits, r.pageviews, r.engaged, r.lastAt)
		}
		_, err := s.exec(ctx, t, `/* Store.applyTotals */
			UPDATE company_totals t SET visits = t.visits + v.column5, pageviews = t.pageviews + v.column6,
				engaged_ms = t.engaged_ms + v.column7,
				last_at = CASE WHEN t.day = v.column3 AND t.last_at < v.column8 THEN v.column8 ELSE t.last_at END
			FROM (VALUES `+valuesRows(n, 8)+`) AS v
			WHERE t.company_id = v.column1 AND t.site_id = v.column2 AND t.day >= v.column3 AND t.day < v.column4`, args...)
		if err != nil {
			return fmt.Errorf("company totals: %w", err)
		}
	}
	return nil
}
