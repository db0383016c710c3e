package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

// scoreEpsilon is the least change of a score, in thousandths of a
// point, that is written with an event: below it, the difference is the
// rounding of decay.
const scoreEpsilon = 10

// insertChunk is how many rows one multi-row INSERT carries.
const insertChunk = 200

// insertRows writes rows with head + "VALUES (…),(…)" + tail, in chunks.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, head, tail string, rows [][]any) error {
	for i := 0; i < len(rows); i += insertChunk {
		chunk := rows[i:min(i+insertChunk, len(rows))]
		one := "(" + placeholders(len(chunk[0])) + ")"
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for _, r := range chunk {
			args = append(args, r...)
		}
		q := head + " VALUES " + strings.TrimSuffix(strings.Repeat(one+",", len(chunk)), ",") + tail
		if _, err := tx.ExecContext(ctx, s.rebind(q), args...); err != nil {
			return err
		}
	}
	return nil
}

// autoEvent is an automation_events row to write.
type autoEvent struct {
	kind                   string
	segment, contact, comp int64
	oldMilli, newMilli     int64
	behavioural            bool
}

// writeEvents appends automation events, in the transaction of the change.
func (s *Store) writeEvents(ctx context.Context, tx *sql.Tx, p *evalPlan, evs []autoEvent) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([][]any, len(evs))
	for i, e := range evs {
		rows[i] = []any{p.ws, e.kind, e.segment, e.contact, e.comp, e.oldMilli, e.newMilli, e.behavioural, ms(p.now)}
	}
	return s.insertRows(ctx, tx, `/* Store.writeEvents */
		INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, company_id, old_milli, new_milli, behavioural, at)`, "", rows)
}

// storedScore is a row of scores.
type storedScore struct{ milli, at int64 }

// readScores reads the stored scores of subjects through q.
func (s *Store) readScores(ctx context.Context, q querier, p *evalPlan, subject foyer.ScoreTarget, ids []any) (map[int64]storedScore, error) {
	rows, err := q.QueryContext(ctx, s.rebind(`/* Store.readScores */
		SELECT subject_id, milli, at FROM scores WHERE workspace_id = ? AND subject = ? AND subject_id IN (`+placeholders(len(ids))+`)`),
		append([]any{p.ws, string(subject)}, ids...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]storedScore{}
	for rows.Next() {
		var id int64
		var v storedScore
		if err := rows.Scan(&id, &v.milli, &v.at); err != nil {
			return nil, err
		}
		out[id] = v
	}
	return out, rows.Err()
}

// scoreChange is a subject's new score and how much of it is behaviour.
type scoreChange struct {
	id, milli, behaviour int64
	// untracked is set for a contact MayTrack refuses: its event does not
	// repeat its old score, which held behaviour.
	untracked bool
}

// evalDiff is what an evaluation changes: the rows to write and delete,
// and the events that say so.
type evalDiff struct {
	subject      foyer.ScoreTarget
	scoreUpserts [][]any
	scoreDeletes []any
	addMembers   [][]any
	addExcluded  [][]any
	leave        map[int64][]any // segment → contacts
	unexclude    map[int64][]any // segment → contacts
	events       []autoEvent
}

// empty reports whether the diff changes nothing.
func (d *evalDiff) empty() bool {
	return len(d.scoreUpserts) == 0 && len(d.scoreDeletes) == 0 && len(d.addMembers) == 0 && len(d.addExcluded) == 0 &&
		len(d.leave) == 0 && len(d.unexclude) == 0 && len(d.events) == 0
}

// diffScores compares new scores with the stored ones, read through q.
func (s *Store) diffScores(ctx context.Context, q querier, p *evalPlan, d *evalDiff, list []scoreChange) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]any, len(list))
	for i, c := range list {
		ids[i] = c.id
	}
	old, err := s.readScores(ctx, q, p, d.subject, ids)
	if err != nil {
		return err
	}
	for _, c := range list {
		prev, had := old[c.id]
		before := foyer.Decay(prev.milli, fromMS(prev.at), p.now, p.halfLife)
		small := c.milli-before < scoreEpsilon && c.milli-before > -scoreEpsilon
		if small && (c.milli != 0 || !had) {
			continue
		}
		if c.milli == 0 {
			d.scoreDeletes = append(d.scoreDeletes, c.id)
		} else {
			d.scoreUpserts = append(d.scoreUpserts, []any{p.ws, string(d.subject), c.id, c.milli, ms(p.now)})
		}
		if small {
			continue // a score decayed to nothing goes without an event
		}
		ev := autoEvent{kind: "score-changed", oldMilli: before, newMilli: c.milli,
			behavioural: c.behaviour != 0 || before-(c.milli-c.behaviour) >= scoreEpsilon}
		if d.subject == foyer.TargetContact {
			ev.contact = c.id
			if c.untracked {
				ev.oldMilli = 0
			}
		} else {
			ev.comp = c.id
		}
		d.events = append(d.events, ev)
	}
	return nil
}

// memberKey names a contact in a segment.
type memberKey struct{ segment, contact int64 }

// diffMembers compares the contacts' verdicts with their stored
// memberships and exclusions, read through q.
func (s *Store) diffMembers(ctx context.Context, q querier, p *evalPlan, d *evalDiff, list []*evalContact) error {
	ids := idArgs(list)
	in := `workspace_id = ? AND contact_id IN (` + placeholders(len(ids)) + `)`
	args := append([]any{p.ws}, ids...)
	cur := map[memberKey]string{}
	rows, err := q.QueryContext(ctx, s.rebind(`/* Store.diffMembers */
		SELECT segment_id, contact_id, added FROM segment_members WHERE `+in), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k memberKey
		var added string
		if err := rows.Scan(&k.segment, &k.contact, &added); err != nil {
			rows.Close()
			return err
		}
		cur[k] = added
	}
	rows.Close()
	excl := map[memberKey]bool{}
	rows, err = q.QueryContext(ctx, s.rebind(`/* Store.diffMembers */
		SELECT segment_id, contact_id FROM segment_excluded WHERE `+in), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k memberKey
		if err := rows.Scan(&k.segment, &k.contact); err != nil {
			rows.Close()
			return err
		}
		excl[k] = true
	}
	rows.Close()
	d.leave, d.unexclude = map[int64][]any{}, map[int64][]any{}
	for _, sg := range p.segs {
		for _, e := range list {
			k := memberKey{sg.ID, e.c.ID}
			v := p.judge(sg.Definition, e)
			added, had := cur[k]
			switch {
			case v.member && !had:
				d.addMembers = append(d.addMembers, []any{sg.ID, e.c.ID, p.ws, foyer.AddedRule, ms(p.now)})
				d.events = append(d.events, autoEvent{kind: "segment-entered", segment: sg.ID, contact: e.c.ID, behavioural: v.behavioural})
			case !v.member && had && added == foyer.AddedRule:
				d.leave[sg.ID] = append(d.leave[sg.ID], e.c.ID)
				d.events = append(d.events, autoEvent{kind: "segment-left", segment: sg.ID, contact: e.c.ID, behavioural: sg.Definition.Behavioural()})
			}
			switch {
			case v.excluded && !excl[k]:
				d.addExcluded = append(d.addExcluded, []any{sg.ID, e.c.ID, p.ws})
			case !v.excluded && excl[k]:
				d.unexclude[sg.ID] = append(d.unexclude[sg.ID], e.c.ID)
			}
		}
	}
	if len(d.leave) == 0 {
		d.leave = nil
	}
	if len(d.unexclude) == 0 {
		d.unexclude = nil
	}
	return nil
}

// writeDiff writes a diff in the transaction.
func (s *Store) writeDiff(ctx context.Context, tx *sql.Tx, p *evalPlan, d *evalDiff) error {
	if len(d.scoreDeletes) > 0 {
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.writeDiff */
			DELETE FROM scores WHERE workspace_id = ? AND subject = ? AND subject_id IN (`+placeholders(len(d.scoreDeletes))+`)`),
			append([]any{p.ws, string(d.subject)}, d.scoreDeletes...)...); err != nil {
			return err
		}
	}
	if err := s.insertRows(ctx, tx, `/* Store.writeDiff */
		INSERT INTO scores (workspace_id, subject, subject_id, milli, at)`,
		` ON CONFLICT (workspace_id, subject, subject_id) DO UPDATE SET milli = excluded.milli, at = excluded.at`, d.scoreUpserts); err != nil {
		return err
	}
	for _, del := range []struct {
		table string
		m     map[int64][]any
	}{{"segment_members", d.leave}, {"segment_excluded", d.unexclude}} {
		for seg, cs := range del.m {
			extra := ""
			if del.table == "segment_members" {
				extra = ` AND added = 'rule'`
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.writeDiff */
				DELETE FROM `+del.table+` WHERE segment_id = ? AND contact_id IN (`+placeholders(len(cs))+`)`+extra),
				append([]any{seg}, cs...)...); err != nil {
				return err
			}
		}
	}
	if err := s.insertRows(ctx, tx, `/* Store.writeDiff */
		INSERT INTO segment_members (segment_id, contact_id, workspace_id, added, since)`, ` ON CONFLICT DO NOTHING`, d.addMembers); err != nil {
		return err
	}
	if err := s.insertRows(ctx, tx, `/* Store.writeDiff */
		INSERT INTO segment_excluded (segment_id, contact_id, workspace_id)`, ` ON CONFLICT DO NOTHING`, d.addExcluded); err != nil {
		return err
	}
	return s.writeEvents(ctx, tx, p, d.events)
}

// applyContacts writes the evaluation of a batch of contacts: their
// scores, their membership of each dynamic segment and the segments that
// leave them out, with the automation events, in one transaction. What
// changes is read first outside any transaction, and nothing is written
// when nothing changes; else it is read again in the transaction.
func (s *Store) applyContacts(ctx context.Context, p *evalPlan, list []*evalContact) error {
	if len(list) == 0 {
		return nil
	}
	contactRules := p.targetRules(foyer.TargetContact)
	scores := make([]scoreChange, len(list))
	for i, e := range list {
		p.scoreContact(contactRules, e)
		scores[i] = scoreChange{id: e.c.ID, milli: e.score, behaviour: e.behaviour, untracked: !e.tracked}
	}
	diff := func(q querier) (*evalDiff, error) {
		d := &evalDiff{subject: foyer.TargetContact}
		if err := s.diffScores(ctx, q, p, d, scores); err != nil {
			return nil, err
		}
		if len(p.segs) > 0 {
			if err := s.diffMembers(ctx, q, p, d, list); err != nil {
				return nil, err
			}
		}
		return d, nil
	}
	d, err := diff(s.db)
	if err != nil {
		return fmt.Errorf("store: evaluate segments: %w", err)
	}
	if d.empty() {
		return nil
	}
	return s.inTx(ctx, "evaluate segments", func(tx *sql.Tx) error {
		d, err := diff(tx)
		if err != nil {
			return err
		}
		return s.writeDiff(ctx, tx, p, d)
	})
}

// refreshCounts sets the dynamic segments' member and excluded counts and
// the time of their evaluation.
func (s *Store) refreshCounts(ctx context.Context, p *evalPlan) error {
	for _, sg := range p.segs {
		if err := s.countSegment(ctx, s.db, p.ws, sg.ID, ms(p.now)); err != nil {
			return err
		}
	}
	return nil
}

// countSegment sets a segment's counts from its rows, and evaluated_at
// when at is not 0.
func (s *Store) countSegment(ctx context.Context, q querier, workspaceID, id, at int64) error {
	_, err := q.ExecContext(ctx, s.rebind(`/* Store.countSegment */
		UPDATE segments SET
			members = (SELECT COUNT(*) FROM segment_members WHERE segment_id = ?),
			excluded_untracked = (SELECT COUNT(*) FROM segment_excluded WHERE segment_id = ?),
			evaluated_at = CASE WHEN CAST(? AS BIGINT) > 0 THEN CAST(? AS BIGINT) ELSE evaluated_at END
		WHERE workspace_id = ? AND id = ?`), id, id, at, at, workspaceID, id)
	if err != nil {
		return fmt.Errorf("store: count segment: %w", err)
	}
	return nil
}

// evaluateContacts evaluates the workspace's contacts of the IDs.
func (s *Store) evaluateContacts(ctx context.Context, p *evalPlan, ids []int64) error {
	for i := 0; i < len(ids); i += evalChunk {
		chunk := ids[i:min(i+evalChunk, len(ids))]
		args := make([]any, len(chunk))
		for j, id := range chunk {
			args[j] = id
		}
		list, err := s.loadContacts(ctx, p, len(chunk), `c.id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return err
		}
		if err := s.applyContacts(ctx, p, list); err != nil {
			return err
		}
	}
	return s.refreshCounts(ctx, p)
}

// evaluateAll evaluates every contact and company of the plan's workspace.
func (s *Store) evaluateAll(ctx context.Context, p *evalPlan) error {
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
		if len(list) < evalChunk {
			break
		}
	}
	if err := s.refreshCounts(ctx, p); err != nil {
		return err
	}
	// Static segments too: automations add to them without counting.
	if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.evaluateAll */
		UPDATE segments SET members = (SELECT COUNT(*) FROM segment_members m WHERE m.segment_id = segments.id)
		WHERE workspace_id = ? AND definition = ''`), p.ws); err != nil {
		return fmt.Errorf("store: evaluate workspace: %w", err)
	}
	if err := s.evaluateCompanies(ctx, p, nil); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`/* Store.evaluateAll */
		INSERT INTO segment_runs (workspace_id, full_at, polled_to) VALUES (?, ?, 0)
		ON CONFLICT (workspace_id) DO UPDATE SET full_at = excluded.full_at`), p.ws, ms(p.now))
	if err != nil {
		return fmt.Errorf("store: evaluate workspace: %w", err)
	}
	return nil
}

// EvaluateWorkspace re-evaluates every dynamic segment and every score of
// the workspace.
func (s *Store) EvaluateWorkspace(ctx context.Context, workspaceID int64) error {
	p, err := s.plan(ctx, workspaceID)
	if err != nil {
		return err
	}
	return s.evaluateAll(ctx, p)
}
