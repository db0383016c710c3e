package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/foyerhq/foyer"
)

// automationPurpose derives the key that seals the rules' signing secrets.
const automationPurpose = "automation secret"

func automationField(workspaceID int64) string {
	return "automation secret of workspace " + strconv.FormatInt(workspaceID, 10)
}

// CreateAutomationRule stores a workspace's new automation rule with a
// new signing secret, which it returns: the store keeps it sealed.
func (s *Store) CreateAutomationRule(ctx context.Context, r *foyer.AutomationRule) (string, error) {
	if s.keys == nil {
		return "", errNoKeys
	}
	if err := foyer.ValidateAutomationRule(r); err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := "whsec_" + hex.EncodeToString(raw)
	dk, err := s.keys.Sealer(automationPurpose)
	if err != nil {
		return "", err
	}
	actions, _ := json.Marshal(r.Actions)
	now := s.now().UTC().Truncate(1e6)
	r.CreatedAt, r.UpdatedAt = now, now
	err = s.inTx(ctx, "create automation rule", func(tx *sql.Tx) error {
		if err := s.checkRuleSegments(ctx, tx, r); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.CreateAutomationRule */
			INSERT INTO automation_rules (workspace_id, name, trigger_kind, segment_id, threshold_milli, actions, secret,
				enabled, only_tracked, created_by, created_at, updated_at)
			SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM workspaces WHERE id = ? RETURNING id`),
			r.Name, string(r.Trigger), r.SegmentID, r.ThresholdMilli, string(actions),
			dk.Seal(automationField(r.WorkspaceID), []byte(secret)), r.Enabled, r.OnlyTracked, r.CreatedBy,
			ms(now), ms(now), r.WorkspaceID).Scan(&r.ID)
		switch {
		case isUniqueViolation(err):
			return foyer.Errorf(foyer.ECONFLICT, "a rule named %q exists", r.Name)
		case errors.Is(err, sql.ErrNoRows):
			return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", r.WorkspaceID)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// checkRuleSegments answers ENOTFOUND unless the segments the rule names
// are the workspace's, and EINVALID unless those its actions add contacts
// to are static.
func (s *Store) checkRuleSegments(ctx context.Context, tx querier, r *foyer.AutomationRule) error {
	type want struct {
		id     int64
		static bool
	}
	var ws []want
	if r.Trigger == foyer.TriggerSegmentEntered {
		ws = append(ws, want{r.SegmentID, false})
	}
	for _, a := range r.Actions {
		if a.Kind == foyer.ActionSegment {
			ws = append(ws, want{a.SegmentID, true})
		}
	}
	for _, w := range ws {
		var def string
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.checkRuleSegments */
			SELECT definition FROM segments WHERE workspace_id = ? AND id = ?`), r.WorkspaceID, w.id).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "this workspace has no segment %d", w.id)
		}
		if err != nil {
			return err
		}
		if w.static && def != "" {
			return foyer.Errorf(foyer.EINVALID, "a rule adds contacts only to a static segment (one without conditions)")
		}
	}
	return nil
}

// UpdateAutomationRule changes one of the workspace's rules; its secret
// and counters stay.
func (s *Store) UpdateAutomationRule(ctx context.Context, r *foyer.AutomationRule) error {
	if err := foyer.ValidateAutomationRule(r); err != nil {
		return err
	}
	actions, _ := json.Marshal(r.Actions)
	r.UpdatedAt = s.now().UTC().Truncate(1e6)
	return s.inTx(ctx, "update automation rule", func(tx *sql.Tx) error {
		if err := s.checkRuleSegments(ctx, tx, r); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.UpdateAutomationRule */
			UPDATE automation_rules SET name = ?, trigger_kind = ?, segment_id = ?, threshold_milli = ?, actions = ?,
				enabled = ?, only_tracked = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ?`),
			r.Name, string(r.Trigger), r.SegmentID, r.ThresholdMilli, string(actions), r.Enabled, r.OnlyTracked,
			ms(r.UpdatedAt), r.WorkspaceID, r.ID)
		if isUniqueViolation(err) {
			return foyer.Errorf(foyer.ECONFLICT, "a rule named %q exists", r.Name)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "no automation rule %d", r.ID)
		}
		return nil
	})
}

// DeleteAutomationRule deletes one of the workspace's rules, with its
// deliveries and their attempts.
func (s *Store) DeleteAutomationRule(ctx context.Context, workspaceID, id int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.DeleteAutomationRule */
		DELETE FROM automation_rules WHERE workspace_id = ? AND id = ?`), workspaceID, id)
	if err != nil {
		return fmt.Errorf("store: delete automation rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no automation rule %d", id)
	}
	return nil
}

const ruleColumns = `id, workspace_id, name, trigger_kind, segment_id, threshold_milli, actions, enabled, only_tracked,
	fired, skipped_untracked, last_fired_at, created_by, created_at, updated_at`

func scanRule(row interface{ Scan(...any) error }) (foyer.AutomationRule, error) {
	var r foyer.AutomationRule
	var trigger, actions string
	var last, created, updated int64
	err := row.Scan(&r.ID, &r.WorkspaceID, &r.Name, &trigger, &r.SegmentID, &r.ThresholdMilli, &actions, &r.Enabled,
		&r.OnlyTracked, &r.Fired, &r.SkippedUntracked, &last, &r.CreatedBy, &created, &updated)
	if err != nil {
		return r, err
	}
	r.Trigger = foyer.TriggerKind(trigger)
	if err := json.Unmarshal([]byte(actions), &r.Actions); err != nil {
		return r, fmt.Errorf("rule %d's actions: %w", r.ID, err)
	}
	if last != 0 {
		r.LastFired = fromMS(last)
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return r, nil
}

// AutomationRule returns one of the workspace's rules.
func (s *Store) AutomationRule(ctx context.Context, workspaceID, id int64) (*foyer.AutomationRule, error) {
	r, err := scanRule(s.db.QueryRowContext(ctx, s.rebind(`/* Store.AutomationRule */
		SELECT `+ruleColumns+` FROM automation_rules WHERE workspace_id = ? AND id = ?`), workspaceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no automation rule %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: automation rule: %w", err)
	}
	return &r, nil
}

// AutomationRules returns the workspace's rules, by name.
func (s *Store) AutomationRules(ctx context.Context, workspaceID int64) ([]foyer.AutomationRule, error) {
	return s.queryRules(ctx, `/* Store.AutomationRules */
		SELECT `+ruleColumns+` FROM automation_rules WHERE workspace_id = ? ORDER BY name, id`, workspaceID)
}

func (s *Store) queryRules(ctx context.Context, q string, args ...any) ([]foyer.AutomationRule, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: automation rules: %w", err)
	}
	defer rows.Close()
	var out []foyer.AutomationRule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: automation rules: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: automation rules: %w", err)
	}
	return out, nil
}

// AutomationSecret returns the signing secret of one of the workspace's
// rules, for the worker.
func (s *Store) AutomationSecret(ctx context.Context, workspaceID, ruleID int64) (string, error) {
	if s.keys == nil {
		return "", errNoKeys
	}
	var sealed []byte
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.AutomationSecret */
		SELECT secret FROM automation_rules WHERE workspace_id = ? AND id = ?`), workspaceID, ruleID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", foyer.Errorf(foyer.ENOTFOUND, "no automation rule %d", ruleID)
	}
	if err != nil {
		return "", fmt.Errorf("store: automation secret: %w", err)
	}
	dk, err := s.keys.Sealer(automationPurpose)
	if err != nil {
		return "", err
	}
	secret, err := dk.Open(automationField(workspaceID), sealed)
	if err != nil {
		return "", fmt.Errorf("store: automation secret: %w", err)
	}
	return string(secret), nil
}

// AutomationSegments returns the workspace's segments, by name.
func (s *Store) AutomationSegments(ctx context.Context, workspaceID int64) ([]foyer.SegmentChoice, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.AutomationSegments */
		SELECT id, name, definition = '' FROM segments WHERE workspace_id = ? ORDER BY name, id`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: segments: %w", err)
	}
	defer rows.Close()
	var out []foyer.SegmentChoice
	for rows.Next() {
		var c foyer.SegmentChoice
		if err := rows.Scan(&c.ID, &c.Name, &c.Static); err != nil {
			return nil, fmt.Errorf("store: segments: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
