package store

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
)

// siteBatch is what a run of the roll-up adds to a site's overview, and to
// the tables of the feed's filters.
type siteBatch struct {
	days    map[[2]int64]*siteDay   // site, day
	pages   map[[3]int64]int64      // site, day, page: page views
	sources map[siteSourceKey]int64 // visits

	companyPages   map[companyPageKey]int64 // page views
	companySources companySources
}

// companyPageKey is one row of company_pages.
type companyPageKey struct{ page, day, company, site int64 }

// companySourceKey is one row of company_sources.
type companySourceKey struct {
	company, day, site int64
	source             string
}

// companySources are the visits of each row of company_sources (or, with
// weeks for days, company_source_weeks) and when the latest of them started.
type companySources map[companySourceKey]*sourceVisits

type sourceVisits struct{ visits, lastAt int64 }

// add counts a visit that started at started.
func (m companySources) add(k companySourceKey, started int64) { m.addN(k, started, 1) }

// addN counts n visits (fewer when n < 0) that started at started.
func (m companySources) addN(k companySourceKey, started, n int64) {
	v := m[k]
	if v == nil {
		v = &sourceVisits{}
		m[k] = v
	}
	v.visits += n
	v.lastAt = max(v.lastAt, started)
}

// companySourceRows are the rows for the sums m, in key order.
func companySourceRows(m companySources) [][]any {
	keys := slices.SortedFunc(maps.Keys(m), func(a, c companySourceKey) int {
		return cmp.Or(cmp.Compare(a.company, c.company), cmp.Compare(a.day, c.day), cmp.Compare(a.site, c.site), cmp.Compare(a.source, c.source))
	})
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, []any{k.company, k.day, k.site, k.source, m[k].visits, m[k].lastAt})
	}
	return rows
}

type siteDay struct{ visits, company, anonymous, unidentified, pageviews int64 }

type siteSourceKey struct {
	site, day int64
	source    string
}

func (b siteBatch) day(site, day int64) *siteDay {
	d := b.days[[2]int64{site, day}]
	if d == nil {
		d = &siteDay{}
		b.days[[2]int64{site, day}] = d
	}
	return d
}

// applySite adds the sums to site_days, page_days and source_days.
func (s *Store) applySite(ctx context.Context, t *txStmts, b siteBatch) error {
	if len(b.days) == 0 {
		return nil
	}
	var rows [][]any
	for _, k := range slices.SortedFunc(maps.Keys(b.days), func(a, c [2]int64) int { return cmp.Or(cmp.Compare(a[0], c[0]), cmp.Compare(a[1], c[1])) }) {
		d := b.days[k]
		rows = append(rows, []any{k[0], k[1], d.visits, d.company, d.anonymous, d.unidentified, d.pageviews})
	}
	if err := s.upsertRows(ctx, t, `/* Store.applySite */
		INSERT INTO site_days (site_id, day, visits, company_visits, anonymous_visits, unidentified_visits, pageviews) VALUES `,
		` ON CONFLICT (site_id, day) DO UPDATE SET visits = site_days.visits + excluded.visits,
			company_visits = site_days.company_visits + excluded.company_visits,
			anonymous_visits = site_days.anonymous_visits + excluded.anonymous_visits,
			unidentified_visits = site_days.unidentified_visits + excluded.unidentified_visits,
			pageviews = site_days.pageviews + excluded.pageviews`, rows); err != nil {
		return fmt.Errorf("site days: %w", err)
	}
	rows = rows[:0]
	for _, k := range slices.SortedFunc(maps.Keys(b.pages), func(a, c [3]int64) int {
		return cmp.Or(cmp.Compare(a[0], c[0]), cmp.Compare(a[1], c[1]), cmp.Compare(a[2], c[2]))
	}) {
		rows = append(rows, []any{k[0], k[1], k[2], b.pages[k]})
	}
	if err := s.upsertRows(ctx, t, `/* Store.applySite */ INSERT INTO page_days (site_id, day, page_id, pageviews) VALUES `,
		` ON CONFLICT (site_id, day, page_id) DO UPDATE SET pageviews = page_days.pageviews + excluded.pageviews`, rows); err != nil {
		return fmt.Errorf("page days: %w", err)
	}
	rows = rows[:0]
	for _, k := range slices.SortedFunc(maps.Keys(b.sources), func(a, c siteSourceKey) int {
		return cmp.Or(cmp.Compare(a.site, c.site), cmp.Compare(a.day, c.day), cmp.Compare(a.source, c.source))
	}) {
		rows = append(rows, []any{k.site, k.day, k.source, b.sources[k]})
	}
	if err := s.upsertRows(ctx, t, `/* Store.applySite */ INSERT INTO source_days (site_id, day, source, visits) VALUES `,
		` ON CONFLICT (site_id, day, source) DO UPDATE SET visits = source_days.visits + excluded.visits`, rows); err != nil {
		return fmt.Errorf("source days: %w", err)
	}
	return s.applyCompanyFacts(ctx, t, b)
}

// applyCompanyFacts adds the sums to company_pages, company_sources and
// company_source_weeks.
func (s *Store) applyCompanyFacts(ctx context.Context, t *txStmts, b siteBatch) error {
	var rows [][]any
	for _, k := range slices.SortedFunc(maps.Keys(b.companyPages), func(a, c companyPageKey) int {
		return cmp.Or(cmp.Compare(a.page, c.page), cmp.Compare(a.day, c.day), cmp.Compare(a.company, c.company))
	}) {
		rows = append(rows, []any{k.page, k.day, k.company, k.site, b.companyPages[k]})
	}
	if err := s.upsertRows(ctx, t, `/* Store.applyCompanyFacts */
		INSERT INTO company_pages (page_id, day, company_id, site_id, pageviews) VALUES `,
		` ON CONFLICT (page_id, day, company_id) DO UPDATE SET pageviews = company_pages.pageviews + excluded.pageviews`, rows); err != nil {
		return fmt.Errorf("company pages: %w", err)
	}
	if err := s.upsertRows(ctx, t, `/* Store.applyCompanyFacts */
		INSERT INTO company_sources (company_id, day, site_id, source, visits, last_at) VALUES `,
		` ON CONFLICT (company_id, day, site_id, source) DO UPDATE SET visits = company_sources.visits + excluded.visits,
			last_at = CASE WHEN company_sources.last_at > excluded.last_at THEN company_sources.last_at ELSE excluded.last_at END`,
		companySourceRows(b.companySources)); err != nil {
		return fmt.Errorf("company sources: %w", err)
	}
	weeks := companySources{} // day: the week
	for k, n := range b.companySources {
		k.day = weekOf(k.day)
		w := weeks[k]
		if w == nil {
			w = &sourceVisits{}
			weeks[k] = w
		}
		w.visits += n.visits
		w.lastAt = max(w.lastAt, n.lastAt)
	}
	if err := s.upsertRows(ctx, t, `/* Store.applyCompanyFacts */
		INSERT INTO company_source_weeks (company_id, week, site_id, source, visits, last_at) VALUES `,
		` ON CONFLICT (company_id, week, site_id, source) DO UPDATE SET visits = company_source_weeks.visits + excluded.visits,
			last_at = CASE WHEN company_source_weeks.last_at > excluded.last_at THEN company_source_weeks.last_at ELSE excluded.last_at END`,
		companySourceRows(weeks)); err != nil {
		return fmt.Errorf("company source weeks: %w", err)
	}
	return nil
}

// weekOf is the week of a UTC day: weeks begin on Mondays, and day 0
// (1970-01-01) was a Thursday.
func weekOf(day int64) int64 { return (day + 3) / 7 }
