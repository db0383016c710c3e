package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

const segmentColumns = `id, workspace_id, name, definition, members, excluded_untracked, evaluated_at, created_by, created_at, updated_at`

// scanSegment reads a row of segmentColumns.
func scanSegment(scan func(...any) error) (*foyer.Segment, error) {
	sg := &foyer.Segment{}
	var def string
	var evaluated, created, updated int64
	if err := scan(&sg.ID, &sg.WorkspaceID, &sg.Name, &def, &sg.Members, &sg.ExcludedUntracked, &evaluated, &sg.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	d, err := foyer.ParseSegmentDefinition(def)
	if err != nil {
		return nil, fmt.Errorf("store: segment %d: stored definition: %w", sg.ID, err)
	}
	sg.Definition = d
	if evaluated != 0 {
		sg.EvaluatedAt = fromMS(evaluated)
	}
	sg.CreatedAt, sg.UpdatedAt = fromMS(created), fromMS(updated)
	return sg, nil
}

// Segments returns the workspace's segments by name.
func (s *Store) Segments(ctx context.Context, workspaceID int64) ([]*foyer.Segment, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Segments */
		SELECT `+segmentColumns+` FROM segments WHERE workspace_id = ? ORDER BY name, id`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: segments: %w", err)
	}
	defer rows.Close()
	var out []*foyer.Segment
	for rows.Next() {
		sg, err := scanSegment(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// Segment returns one of the workspace's segments, or ENOTFOUND.
func (s *Store) Segment(ctx context.Context, workspaceID, id int64) (*foyer.Segment, error) {
	sg, err := scanSegment(s.db.QueryRowContext(ctx, s.rebind(`/* Store.Segment */
		SELECT `+segmentColumns+` FROM segments WHERE workspace_id = ? AND id = ?`), workspaceID, id).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "segment %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: segment: %w", err)
	}
	return sg, nil
}

// checkCampaigns answers EINVALID when a campaign the IDs name is not the
// workspace's.
func (s *Store) checkCampaigns(ctx context.Context, q querier, workspaceID int64, ids []int64) error {
	for _, id := range ids {
		var one int
		err := q.QueryRowContext(ctx, s.rebind(`/* Store.checkCampaigns */
			SELECT 1 FROM campaigns WHERE workspace_id = ? AND id = ?`), workspaceID, id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.EINVALID, "campaign %d: no such campaign", id)
		}
		if err != nil {
			return fmt.Errorf("store: check campaign: %w", err)
		}
	}
	return nil
}

// SaveSegment creates or updates a segment; a dynamic one is then
// evaluated over all the workspace's contacts.
func (s *Store) SaveSegment(ctx context.Context, sg *foyer.Segment, actor string) error {
	name, err := foyer.ValidateSegmentName(sg.Name)
	if err != nil {
		return err
	}
	sg.Name = name
	if sg.Definition != nil {
		if err := sg.Definition.Validate(); err != nil {
			return err
		}
	}
	now := s.now().UTC().Truncate(1e6)
	changed := false
	err = s.inTx(ctx, "save segment", func(tx *sql.Tx) error {
		if sg.Definition != nil {
			if err := s.checkCampaigns(ctx, tx, sg.WorkspaceID, sg.Definition.Campaigns()); err != nil {
				return err
			}
		}
		if sg.ID == 0 {
			changed = sg.Definition != nil
			err := tx.QueryRowContext(ctx, s.rebind(`/* Store.SaveSegment */
				INSERT INTO segments (workspace_id, name, definition, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
				sg.WorkspaceID, sg.Name, sg.Definition.String(), actor, ms(now), ms(now)).Scan(&sg.ID)
			if isUniqueViolation(err) {
				return foyer.Errorf(foyer.ECONFLICT, "a segment named %q exists", sg.Name)
			}
			sg.CreatedBy, sg.CreatedAt, sg.UpdatedAt = actor, now, now
			return err
		}
		var def string
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.SaveSegment */
			SELECT definition FROM segments WHERE workspace_id = ? AND id = ?`+s.forUpdate()), sg.WorkspaceID, sg.ID).Scan(&def)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "segment %d not found", sg.ID)
		}
		if err != nil {
			return err
		}
		old, err := foyer.ParseSegmentDefinition(def)
		if err != nil {
			return err
		}
		if (old == nil) != (sg.Definition == nil) {
			return foyer.Errorf(foyer.EINVALID, "a static segment stays static, and a segment with conditions keeps conditions")
		}
		changed = !old.Equal(sg.Definition)
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.SaveSegment */
			UPDATE segments SET name = ?, definition = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`),
			sg.Name, sg.Definition.String(), ms(now), sg.WorkspaceID, sg.ID)
		if isUniqueViolation(err) {
			return foyer.Errorf(foyer.ECONFLICT, "a segment named %q exists", sg.Name)
		}
		return err
	})
	if err != nil || !changed {
		return err
	}
	return s.evaluateSegment(ctx, sg.WorkspaceID, sg.ID)
}

// InlineEvaluationLimit is how many contacts a workspace may have for a
// change of a segment or of the scoring to be evaluated before the change
// returns; a larger workspace's is left to the background evaluator's
// next round (seconds later), so that a page does not wait a minute.
const InlineEvaluationLimit = 100_000

// inline reports whether the workspace is small enough for a change to be
// evaluated before it returns; else it asks the evaluator for a full
// evaluation.
func (s *Store) inline(ctx context.Context, workspaceID int64) (bool, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.inline */
		SELECT COUNT(*) FROM (SELECT 1 FROM contacts WHERE workspace_id = ? LIMIT ?) AS c`),
		workspaceID, InlineEvaluationLimit+1).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: count contacts: %w", err)
	}
	if n <= InlineEvaluationLimit {
		return true, nil
	}
	return false, s.markWorkspaceFull(ctx, s.db, workspaceID)
}

// evaluateSegment evaluates one dynamic segment over all the workspace's
// contacts (scores too: a segment may test them), or has the evaluator
// do it for a large workspace.
func (s *Store) evaluateSegment(ctx context.Context, workspaceID, id int64) error {
	if ok, err := s.inline(ctx, workspaceID); !ok || err != nil {
		return err
	}
	p, err := s.plan(ctx, workspaceID)
	if err != nil {
		return err
	}
	var keep []*foyer.Segment
	for _, sg := range p.segs {
		if sg.ID == id {
			keep = append(keep, sg)
		}
	}
	p.segs = keep
	var after int64
	for {
		list, err := s.loadContacts(ctx, p, evalChunk, `c.id > ?`, after)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			break
		}
		if err := s.applyContacts(ctx, p, list); err != nil {
			return err
		}
		after = list[len(list)-1].c.ID
	}
	return s.refreshCounts(ctx, p)
}

// DeleteSegment deletes a segment of the workspace with its members.
func (s *Store) DeleteSegment(ctx context.Context, workspaceID, id int64) error {
	return s.inTx(ctx, "delete segment", func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM segment_members WHERE workspace_id = ? AND segment_id = ?`,
			`DELETE FROM segment_excluded WHERE workspace_id = ? AND segment_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.DeleteSegment */ `+q), workspaceID, id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.DeleteSegment */
			DELETE FROM segments WHERE workspace_id = ? AND id = ?`), workspaceID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "segment %d not found", id)
		}
		return nil
	})
}

// SegmentMembers returns a page of a segment's members, newest contact
// first, with their names.
func (s *Store) SegmentMembers(ctx context.Context, workspaceID, id, beforeID int64, limit int) ([]foyer.SegmentMember, error) {
	if err := s.checkOwned(ctx, "segments", "segment", workspaceID, id); err != nil {
		return nil, err
	}
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.SegmentMembers */
		SELECT m.added, m.since, `+contactColumnsC+` FROM segment_members m
		JOIN contacts c ON c.id = m.contact_id AND c.workspace_id = m.workspace_id
		WHERE m.workspace_id = ? AND m.segment_id = ? AND m.contact_id < ?
		ORDER BY m.contact_id DESC LIMIT ?`), workspaceID, id, beforeID, min(max(limit, 1), 500))
	if err != nil {
		return nil, fmt.Errorf("store: segment members: %w", err)
	}
	defer rows.Close()
	var out []foyer.SegmentMember
	for rows.Next() {
		var m foyer.SegmentMember
		var since int64
		c, err := s.scanContact(func(dst ...any) error {
			return rows.Scan(append([]any{&m.Added, &since}, dst...)...)
		})
		if err != nil {
			return nil, fmt.Errorf("store: segment members: %w", err)
		}
		m.ContactID, m.Name, m.Email, m.Since = c.ID, PersonName(c), c.Email, fromMS(since)
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddSegmentMember adds a contact to a static segment by hand.
func (s *Store) AddSegmentMember(ctx context.Context, workspaceID, segmentID, contactID int64) error {
	sg, err := s.Segment(ctx, workspaceID, segmentID)
	if err != nil {
		return err
	}
	if !sg.Static() {
		return foyer.Errorf(foyer.EINVALID, "the members of a segment with conditions are the contacts that meet them")
	}
	p := &evalPlan{ws: workspaceID, now: s.now().UTC()}
	return s.inTx(ctx, "add segment member", func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.AddSegmentMember */
			SELECT 1 FROM contacts WHERE workspace_id = ? AND id = ?`), workspaceID, contactID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "contact %d not found", contactID)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.AddSegmentMember */
			INSERT INTO segment_members (segment_id, contact_id, workspace_id, added, since) VALUES (?, ?, ?, 'manual', ?)
			ON CONFLICT DO NOTHING`), segmentID, contactID, workspaceID, ms(p.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.writeEvents(ctx, tx, p, []autoEvent{{kind: "segment-entered", segment: segmentID, contact: contactID}}); err != nil {
			return err
		}
		return s.countSegment(ctx, tx, workspaceID, segmentID, 0)
	})
}

// RecountSegment sets a segment's member and excluded counts from its
// rows: for a writer of segment_members other than this package (an
// automation adding to a static segment), in its transaction q.
func (s *Store) RecountSegment(ctx context.Context, q *sql.Tx, workspaceID, id int64) error {
	return s.countSegment(ctx, q, workspaceID, id, 0)
}

// RemoveSegmentMember takes a contact added by hand or by an automation
// out of a segment.
func (s *Store) RemoveSegmentMember(ctx context.Context, workspaceID, segmentID, contactID int64) error {
	p := &evalPlan{ws: workspaceID, now: s.now().UTC()}
	return s.inTx(ctx, "remove segment member", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.RemoveSegmentMember */
			DELETE FROM segment_members WHERE workspace_id = ? AND segment_id = ? AND contact_id = ? AND added <> 'rule'`),
			workspaceID, segmentID, contactID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "contact %d is not a member added by hand", contactID)
		}
		if err := s.writeEvents(ctx, tx, p, []autoEvent{{kind: "segment-left", segment: segmentID, contact: contactID}}); err != nil {
			return err
		}
		return s.countSegment(ctx, tx, workspaceID, segmentID, 0)
	})
}

// ContactSegments returns the segments a contact of the workspace is in.
func (s *Store) ContactSegments(ctx context.Context, workspaceID, contactID int64) ([]*foyer.Segment, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ContactSegments */
		SELECT `+prefixed("g.", segmentColumns)+` FROM segment_members m JOIN segments g ON g.id = m.segment_id
		WHERE m.workspace_id = ? AND m.contact_id = ? AND g.workspace_id = ? ORDER BY g.name`), workspaceID, contactID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: contact segments: %w", err)
	}
	defer rows.Close()
	var out []*foyer.Segment
	for rows.Next() {
		sg, err := scanSegment(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// prefixed puts a table's alias before each of a list of columns.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// SegmentCampaigns returns the workspace's campaigns, newest first.
func (s *Store) SegmentCampaigns(ctx context.Context, workspaceID int64) ([]foyer.SegmentCampaign, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.SegmentCampaigns */
		SELECT id, name FROM campaigns WHERE workspace_id = ? ORDER BY id DESC LIMIT 500`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: segment campaigns: %w", err)
	}
	defer rows.Close()
	var out []foyer.SegmentCampaign
	for rows.Next() {
		var c foyer.SegmentCampaign
		if err := rows.Scan(&c.ID, &c.Name); err != nil {
			return nil, fmt.Errorf("store: segment campaigns: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
