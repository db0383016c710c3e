package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"github.com/foyerhq/foyer"
)

// Company scores: a company's rules, over its fields and every visit of it.

// evalCompany is a company with the visits its rules read.
type evalCompany struct {
	co      foyer.Company
	created int64
	visits  []*evalVisit
}

// evaluateCompanies computes the company scores of the IDs (nil: every
// company of the workspace, or every scored one when no rule scores
// companies) and writes the ones that changed.
func (s *Store) evaluateCompanies(ctx context.Context, p *evalPlan, ids []int64) error {
	rules := p.targetRules(foyer.TargetCompany)
	if ids != nil {
		for i := 0; i < len(ids); i += evalChunk {
			if err := s.scoreCompanies(ctx, p, rules, ids[i:min(i+evalChunk, len(ids))]); err != nil {
				return err
			}
		}
		return nil
	}
	q := `/* Store.evaluateCompanies */ SELECT id FROM companies WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?`
	if len(rules) == 0 {
		q = `/* Store.evaluateCompanies */ SELECT subject_id FROM scores WHERE workspace_id = ? AND subject = 'company' AND subject_id > ? ORDER BY subject_id LIMIT ?`
	}
	var after int64
	for {
		rows, err := s.db.QueryContext(ctx, s.rebind(q), p.ws, after, evalChunk)
		if err != nil {
			return fmt.Errorf("store: evaluate companies: %w", err)
		}
		var chunk []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: evaluate companies: %w", err)
			}
			chunk = append(chunk, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: evaluate companies: %w", err)
		}
		if len(chunk) == 0 {
			return nil
		}
		if err := s.scoreCompanies(ctx, p, rules, chunk); err != nil {
			return err
		}
		after = chunk[len(chunk)-1]
	}
}

// scoreCompanies computes and writes the scores of companies of the IDs.
// A company's behaviour is every visit of it, anonymous ones included:
// what a company did is not personal data.
func (s *Store) scoreCompanies(ctx context.Context, p *evalPlan, rules []*foyer.ScoreRule, ids []int64) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	byID := map[int64]*evalCompany{}
	var list []*evalCompany
	if len(rules) > 0 {
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.scoreCompanies */
			SELECT id, name, domain, country, city, type, industry, size, created_at FROM companies
			WHERE workspace_id = ? AND id IN (`+placeholders(len(ids))+`)`), append([]any{p.ws}, args...)...)
		if err != nil {
			return fmt.Errorf("store: score companies: %w", err)
		}
		for rows.Next() {
			c := &evalCompany{}
			var typ string
			if err := rows.Scan(&c.co.ID, &c.co.Name, &c.co.Domain, &c.co.Country, &c.co.City, &typ, &c.co.Industry, &c.co.Size, &c.created); err != nil {
				rows.Close()
				return fmt.Errorf("store: score companies: %w", err)
			}
			c.co.Type = foyer.OrgType(typ)
			byID[c.co.ID] = c
			list = append(list, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: score companies: %w", err)
		}
	}
	behaviour, pages := false, false
	for _, r := range rules {
		behaviour = behaviour || r.Behavioural()
		pages = pages || r.Condition.Kind == foyer.CondVisited
	}
	if behaviour && len(list) > 0 {
		known := make([]any, len(list))
		for i, c := range list {
			known[i] = c.co.ID
		}
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.scoreCompanies */
			SELECT id, company_id, started_at, COALESCE(first_event_id, 0), COALESCE(last_event_id, 0), engaged_ms
			FROM sessions WHERE company_id IN (`+placeholders(len(known))+`) AND last_at >= ?`),
			append(known, ms(p.horizonOf()))...)
		if err != nil {
			return fmt.Errorf("store: score companies: %w", err)
		}
		var all []*evalVisit
		for rows.Next() {
			v := &evalVisit{}
			var company, started int64
			if err := rows.Scan(&v.id, &company, &started, &v.first, &v.last, &v.engagedMS); err != nil {
				rows.Close()
				return fmt.Errorf("store: score companies: %w", err)
			}
			v.start = fromMS(started)
			byID[company].visits = append(byID[company].visits, v)
			all = append(all, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: score companies: %w", err)
		}
		if pages {
			if err := s.loadVisitEvents(ctx, all, false); err != nil {
				return err
			}
		}
	}
	changes := make([]scoreChange, 0, len(ids))
	for _, id := range ids {
		ch := scoreChange{id: id}
		if c := byID[id]; c != nil {
			var attr, beh float64
			for _, r := range rules {
				if r.Behavioural() {
					beh += p.behaviourPoints(r, c.visits, nil)
				} else if attrMatch(r.Condition, nil, &c.co) {
					attr += p.decayed(r.Points, fromMS(c.created))
				}
			}
			ch.behaviour = int64(math.Round(beh))
			ch.milli = int64(math.Round(attr + beh))
		}
		changes = append(changes, ch)
	}
	d := &evalDiff{subject: foyer.TargetCompany}
	if err := s.diffScores(ctx, s.db, p, d, changes); err != nil {
		return fmt.Errorf("store: score companies: %w", err)
	}
	if d.empty() {
		return nil
	}
	return s.inTx(ctx, "score companies", func(tx *sql.Tx) error {
		d := &evalDiff{subject: foyer.TargetCompany}
		if err := s.diffScores(ctx, tx, p, d, changes); err != nil {
			return err
		}
		return s.writeDiff(ctx, tx, p, d)
	})
}
