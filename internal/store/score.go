package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/foyerhq/foyer"
)

// ScoreRules returns the workspace's scoring rules, contact rules first.
func (s *Store) ScoreRules(ctx context.Context, workspaceID int64) ([]*foyer.ScoreRule, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ScoreRules */
		SELECT id, target, name, definition, points, created_by, created_at FROM score_rules
		WHERE workspace_id = ? ORDER BY target DESC, id`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: score rules: %w", err)
	}
	defer rows.Close()
	var out []*foyer.ScoreRule
	for rows.Next() {
		r := &foyer.ScoreRule{WorkspaceID: workspaceID}
		var target, def string
		var created int64
		if err := rows.Scan(&r.ID, &target, &r.Name, &def, &r.Points, &r.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("store: score rules: %w", err)
		}
		r.Target, r.CreatedAt = foyer.ScoreTarget(target), fromMS(created)
		d, err := foyer.ParseSegmentDefinition(def)
		if err != nil || d == nil || len(d.Conditions) != 1 {
			return nil, fmt.Errorf("store: score rule %d: stored definition: %w", r.ID, err)
		}
		r.Condition = d.Conditions[0]
		out = append(out, r)
	}
	return out, rows.Err()
}

// ruleDefinition stores a rule's condition as a definition of one
// condition, so that one parser reads both. A rule's behavioural
// conditions store a window of one day, which rules do not use.
func ruleDefinition(c foyer.Condition) string {
	if c.Behavioural() {
		c.Days = 1
		if c.Kind == foyer.CondEngaged {
			c.Minutes = 1
		}
	}
	return (&foyer.SegmentDefinition{Match: foyer.MatchAll, Conditions: []foyer.Condition{c}}).String()
}

// CreateScoreRule stores a rule and recomputes the workspace's scores.
func (s *Store) CreateScoreRule(ctx context.Context, r *foyer.ScoreRule, actor string) error {
	if err := r.Validate(); err != nil {
		return err
	}
	now := s.now().UTC().Truncate(1e6)
	err := s.inTx(ctx, "create score rule", func(tx *sql.Tx) error {
		if r.Condition.Campaign != 0 {
			if err := s.checkCampaigns(ctx, tx, r.WorkspaceID, []int64{r.Condition.Campaign}); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, s.rebind(`/* Store.CreateScoreRule */
			INSERT INTO score_rules (workspace_id, target, name, definition, points, behavioural, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			r.WorkspaceID, string(r.Target), r.Name, ruleDefinition(r.Condition), r.Points, r.Behavioural(), actor, ms(now)).Scan(&r.ID)
	})
	if err != nil {
		return err
	}
	r.CreatedBy, r.CreatedAt = actor, now
	return s.evaluateAfterChange(ctx, r.WorkspaceID)
}

// DeleteScoreRule deletes a rule and recomputes the scores.
func (s *Store) DeleteScoreRule(ctx context.Context, workspaceID, id int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.DeleteScoreRule */
		DELETE FROM score_rules WHERE workspace_id = ? AND id = ?`), workspaceID, id)
	if err != nil {
		return fmt.Errorf("store: delete score rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "scoring rule %d not found", id)
	}
	return s.evaluateAfterChange(ctx, workspaceID)
}

// evaluateAfterChange evaluates the workspace after a change of its
// scoring, before returning for a small workspace, in the background for
// a large one (see InlineEvaluationLimit).
func (s *Store) evaluateAfterChange(ctx context.Context, workspaceID int64) error {
	if ok, err := s.inline(ctx, workspaceID); !ok || err != nil {
		return err
	}
	return s.EvaluateWorkspace(ctx, workspaceID)
}

// ScoreHalfLife returns the workspace's half-life of scores, in days.
func (s *Store) ScoreHalfLife(ctx context.Context, workspaceID int64) (int, error) {
	var days int
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.ScoreHalfLife */
		SELECT score_half_life_days FROM workspaces WHERE id = ?`), workspaceID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	if err != nil {
		return 0, fmt.Errorf("store: score half-life: %w", err)
	}
	return days, nil
}

// SetScoreHalfLife sets the workspace's half-life and recomputes scores.
func (s *Store) SetScoreHalfLife(ctx context.Context, workspaceID int64, days int) error {
	if days < 1 || days > foyer.MaxConditionDays {
		return foyer.Errorf(foyer.EINVALID, "the half-life must be 1 to %d days", foyer.MaxConditionDays)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetScoreHalfLife */
		UPDATE workspaces SET score_half_life_days = ? WHERE id = ?`), days, workspaceID)
	if err != nil {
		return fmt.Errorf("store: set score half-life: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	return s.evaluateAfterChange(ctx, workspaceID)
}

// TopScores returns the highest scores of the target, decayed to now,
// with the names of their contacts or companies.
func (s *Store) TopScores(ctx context.Context, workspaceID int64, target foyer.ScoreTarget, limit int) ([]foyer.ScoreEntry, error) {
	half, err := s.ScoreHalfLife(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	// Rows are stored as of different times: the highest stored values
	// are read, more than asked for, and ordered once decayed to now.
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.TopScores */
		SELECT subject_id, milli, at FROM scores WHERE workspace_id = ? AND subject = ? AND milli > 0
		ORDER BY milli DESC LIMIT ?`), workspaceID, string(target), 20*min(max(limit, 1), 100))
	if err != nil {
		return nil, fmt.Errorf("store: top scores: %w", err)
	}
	now := s.now()
	var out []foyer.ScoreEntry
	for rows.Next() {
		var e foyer.ScoreEntry
		var m, at int64
		if err := rows.Scan(&e.SubjectID, &m, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: top scores: %w", err)
		}
		e.Milli = foyer.Decay(m, fromMS(at), now, half)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: top scores: %w", err)
	}
	sortEntries(out)
	out = out[:min(len(out), max(limit, 1))]
	for i := range out {
		out[i].Name, err = s.subjectName(ctx, workspaceID, target, out[i].SubjectID)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sortEntries orders scores highest first, then by ID.
func sortEntries(list []foyer.ScoreEntry) {
	slices.SortFunc(list, func(a, b foyer.ScoreEntry) int {
		if a.Milli != b.Milli {
			return cmp.Compare(b.Milli, a.Milli)
		}
		return cmp.Compare(a.SubjectID, b.SubjectID)
	})
}

// subjectName names a contact (its name or email) or a company.
func (s *Store) subjectName(ctx context.Context, workspaceID int64, target foyer.ScoreTarget, id int64) (string, error) {
	if target == foyer.TargetCompany {
		var name string
		err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.subjectName */
			SELECT name FROM companies WHERE workspace_id = ? AND id = ?`), workspaceID, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return "company " + strconv.FormatInt(id, 10), nil
		}
		return name, err
	}
	c, err := s.Contact(ctx, workspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		return "contact " + strconv.FormatInt(id, 10), nil
	}
	if err != nil {
		return "", err
	}
	return PersonName(c), nil
}

// ScoreOf returns a contact's or company's score decayed to now.
func (s *Store) ScoreOf(ctx context.Context, workspaceID int64, target foyer.ScoreTarget, id int64) (int64, error) {
	var m, at int64
	var half int
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.ScoreOf */
		SELECT sc.milli, sc.at, w.score_half_life_days FROM scores sc JOIN workspaces w ON w.id = sc.workspace_id
		WHERE sc.workspace_id = ? AND sc.subject = ? AND sc.subject_id = ?`), workspaceID, string(target), id).Scan(&m, &at, &half)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: score: %w", err)
	}
	return foyer.Decay(m, fromMS(at), s.now(), half), nil
}

// rulesScores sets the rules score of each row's company.
func (s *Store) rulesScores(ctx context.Context, workspaceID int64, rows []foyer.FeedRow) error {
	if len(rows) == 0 {
		return nil
	}
	half, err := s.ScoreHalfLife(ctx, workspaceID)
	if err != nil {
		return err
	}
	at := map[int64]int{}
	ids := make([]any, len(rows))
	for i := range rows {
		at[rows[i].ID], ids[i] = i, rows[i].ID
	}
	for i := 0; i < len(ids); i += 500 {
		chunk := ids[i:min(i+500, len(ids))]
		res, err := s.db.QueryContext(ctx, s.rebind(`/* Store.rulesScores */
			SELECT subject_id, milli, at FROM scores WHERE workspace_id = ? AND subject = 'company' AND subject_id IN (`+placeholders(len(chunk))+`)`),
			append([]any{workspaceID}, chunk...)...)
		if err != nil {
			return fmt.Errorf("store: rules scores: %w", err)
		}
		for res.Next() {
			var id, m, t int64
			if err := res.Scan(&id, &m, &t); err != nil {
				res.Close()
				return fmt.Errorf("store: rules scores: %w", err)
			}
			rows[at[id]].RulesScore = foyer.ScoreEntry{Milli: foyer.Decay(m, fromMS(t), s.now(), half)}.Points()
		}
		res.Close()
		if err := res.Err(); err != nil {
			return fmt.Errorf("store: rules scores: %w", err)
		}
	}
	return nil
}

// rulesFeed is the feed ordered by the rules score: the period's
// MaxRulesSorted most recent companies, by their rules score, then the
// latest visit.
func (s *Store) rulesFeed(ctx context.Context, q foyer.FeedQuery) ([]foyer.FeedRow, error) {
	all := q
	all.Sort, all.Offset, all.Limit = foyer.SortRecent, 0, foyer.MaxFeedPage
	var rows []foyer.FeedRow
	for len(rows) < foyer.MaxRulesSorted {
		page, err := s.Feed(ctx, all)
		if err != nil {
			return nil, err
		}
		rows = append(rows, page...)
		if len(page) < all.Limit {
			break
		}
		all.Offset += len(page)
	}
	slices.SortStableFunc(rows, func(a, b foyer.FeedRow) int {
		if a.RulesScore != b.RulesScore {
			return cmp.Compare(b.RulesScore, a.RulesScore)
		}
		return b.LastAt.Compare(a.LastAt)
	})
	return rows[min(q.Offset, len(rows)):min(q.Offset+q.Limit, len(rows))], nil
}
