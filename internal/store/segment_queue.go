package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// The evaluator's inputs: the queue of changed contacts (segment_dirty),
// written in the transactions that change a contact, and a poll of what
// the collector and the campaigns write without a transaction of a
// contact (identified visits, first opens and clicks, company visits).

// markDirty queues contacts of the workspace for evaluation, through q
// (the transaction that changes them). A contact queued again gets a
// later time, so that a drain that read the earlier one leaves it queued.
func (s *Store) markDirty(ctx context.Context, q querier, workspaceID int64, ids ...int64) error {
	at := ms(s.now())
	for _, id := range ids {
		if _, err := q.ExecContext(ctx, s.rebind(`/* Store.markDirty */
			INSERT INTO segment_dirty (workspace_id, contact_id, at) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id, contact_id) DO UPDATE SET
				at = CASE WHEN excluded.at > segment_dirty.at THEN excluded.at ELSE segment_dirty.at + 1 END`),
			workspaceID, id, at); err != nil {
			return fmt.Errorf("store: queue contact for segments: %w", err)
		}
	}
	return nil
}

// MarkContactsChanged queues contacts of the workspace for evaluation.
func (s *Store) MarkContactsChanged(ctx context.Context, workspaceID int64, ids ...int64) error {
	return s.markDirty(ctx, s.db, workspaceID, ids...)
}

// markWorkspaceFull has the evaluator evaluate every contact of the
// workspace at its next round (after a change of the tracking mode).
func (s *Store) markWorkspaceFull(ctx context.Context, q querier, workspaceID int64) error {
	_, err := q.ExecContext(ctx, s.rebind(`/* Store.markWorkspaceFull */
		INSERT INTO segment_runs (workspace_id, full_at, polled_to) VALUES (?, 0, 0)
		ON CONFLICT (workspace_id) DO UPDATE SET full_at = 0`), workspaceID)
	if err != nil {
		return fmt.Errorf("store: queue workspace for segments: %w", err)
	}
	return nil
}

// DrainSegmentQueue evaluates up to limit queued contacts and takes them
// off the queue (unless queued again meanwhile). It returns how many it
// evaluated: fewer than limit means the queue was empty.
func (s *Store) DrainSegmentQueue(ctx context.Context, limit int) (int, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.DrainSegmentQueue */
		SELECT workspace_id, contact_id, at FROM segment_dirty ORDER BY at LIMIT ?`), max(limit, 1))
	if err != nil {
		return 0, fmt.Errorf("store: drain segment queue: %w", err)
	}
	type entry struct{ contact, at int64 }
	byWS := map[int64][]entry{}
	var order []int64
	n := 0
	for rows.Next() {
		var ws int64
		var e entry
		if err := rows.Scan(&ws, &e.contact, &e.at); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: drain segment queue: %w", err)
		}
		if byWS[ws] == nil {
			order = append(order, ws)
		}
		byWS[ws] = append(byWS[ws], e)
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: drain segment queue: %w", err)
	}
	for _, ws := range order {
		list := byWS[ws]
		p, err := s.plan(ctx, ws)
		if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
			return 0, err
		}
		if p != nil {
			ids := make([]int64, len(list))
			for i, e := range list {
				ids[i] = e.contact
			}
			if err := s.evaluateContacts(ctx, p, ids); err != nil {
				return 0, err
			}
		}
		err = s.inTx(ctx, "drain segment queue", func(tx *sql.Tx) error {
			for _, e := range list {
				if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.DrainSegmentQueue */
					DELETE FROM segment_dirty WHERE workspace_id = ? AND contact_id = ? AND at <= ?`), ws, e.contact, e.at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

// pollOverlap is how far back each poll reads again before the last one:
// a visit's or a campaign's write may commit a little after its time.
const pollOverlap = 5 * time.Minute

// FullEvery is how often the evaluator evaluates every contact and
// company of a workspace: "in the last N days" conditions expire, and
// scores decay, without any write.
const FullEvery = 24 * time.Hour

// PollSegments does the evaluator's periodic work in each workspace that
// has segments or scoring rules: a full evaluation when one is due (never
// done, a day old, or asked for by a change of tracking mode), else the
// contacts with new identified visits, opens or clicks are queued, and
// the companies with new visits scored. It returns how many workspaces it
// evaluated in full.
func (s *Store) PollSegments(ctx context.Context) (int, error) {
	rows, err := s.db.QueryContext(ctx, `/* Store.PollSegments */
		SELECT w.id, COALESCE(r.full_at, 0), COALESCE(r.polled_to, 0) FROM workspaces w
		LEFT JOIN segment_runs r ON r.workspace_id = w.id
		WHERE EXISTS (SELECT 1 FROM segments g WHERE g.workspace_id = w.id AND g.definition <> '')
			OR EXISTS (SELECT 1 FROM score_rules sr WHERE sr.workspace_id = w.id)
		ORDER BY w.id`)
	if err != nil {
		return 0, fmt.Errorf("store: poll segments: %w", err)
	}
	type run struct{ ws, full, polled int64 }
	var runs []run
	for rows.Next() {
		var r run
		if err := rows.Scan(&r.ws, &r.full, &r.polled); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: poll segments: %w", err)
		}
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: poll segments: %w", err)
	}
	full := 0
	for _, r := range runs {
		if ctx.Err() != nil {
			return full, ctx.Err()
		}
		p, err := s.plan(ctx, r.ws)
		if err != nil {
			return full, err
		}
		if r.full == 0 || p.now.Sub(fromMS(r.full)) >= FullEvery {
			if err := s.evaluateAll(ctx, p); err != nil {
				return full, err
			}
			full++
		} else if err := s.pollChanges(ctx, p, fromMS(r.polled)); err != nil {
			return full, err
		}
		if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.PollSegments */
			INSERT INTO segment_runs (workspace_id, full_at, polled_to) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET polled_to = excluded.polled_to`), r.ws, ms(p.now), ms(p.now)); err != nil {
			return full, fmt.Errorf("store: poll segments: %w", err)
		}
	}
	return full, nil
}

// pollChanges queues the contacts with identified visits, first opens or
// first clicks since a little before since, and scores the companies with
// visits since then.
func (s *Store) pollChanges(ctx context.Context, p *evalPlan, since time.Time) error {
	from := ms(since.Add(-pollOverlap))
	ids := map[int64]bool{}
	var companies []int64
	for _, q := range []struct {
		sql     string
		company bool
	}{
		{`SELECT DISTINCT s.contact_id FROM sessions s JOIN sites si ON si.id = s.site_id
			WHERE si.workspace_id = ? AND s.contact_id IS NOT NULL AND (s.last_at >= ? OR s.identified_at >= ?)`, false},
		{`SELECT DISTINCT contact_id FROM campaign_recipients
			WHERE workspace_id = ? AND contact_id IS NOT NULL AND (first_open_at >= ? OR first_click_at >= ?)`, false},
		{`SELECT DISTINCT s.company_id FROM sessions s JOIN sites si ON si.id = s.site_id
			WHERE si.workspace_id = ? AND s.company_id IS NOT NULL AND (s.last_at >= ? OR s.started_at >= ?)`, true},
	} {
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.pollChanges */ `+q.sql), p.ws, from, from)
		if err != nil {
			return fmt.Errorf("store: poll changes: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("store: poll changes: %w", err)
			}
			if q.company {
				companies = append(companies, id)
			} else {
				ids[id] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: poll changes: %w", err)
		}
	}
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	if err := s.markDirty(ctx, s.db, p.ws, list...); err != nil {
		return err
	}
	if len(p.targetRules(foyer.TargetCompany)) == 0 || len(companies) == 0 {
		return nil
	}
	return s.evaluateCompanies(ctx, p, companies)
}

// eraseSegmentData removes, in an erasure's transaction, everything of
// segments and scoring that names the contact: its memberships, the
// segments that left it out, its place in the queue, its score and the
// automation events about it; the segments' counts follow.
func (s *Store) eraseSegmentData(ctx context.Context, tx *sql.Tx, workspaceID, contactID int64) error {
	rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.eraseSegmentData */
		SELECT segment_id FROM segment_members WHERE workspace_id = ? AND contact_id = ?
		UNION SELECT segment_id FROM segment_excluded WHERE workspace_id = ? AND contact_id = ?`),
		workspaceID, contactID, workspaceID, contactID)
	if err != nil {
		return err
	}
	var segs []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		segs = append(segs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM segment_members WHERE workspace_id = ? AND contact_id = ?`,
		`DELETE FROM segment_excluded WHERE workspace_id = ? AND contact_id = ?`,
		`DELETE FROM segment_dirty WHERE workspace_id = ? AND contact_id = ?`,
		`DELETE FROM scores WHERE workspace_id = ? AND subject = 'contact' AND subject_id = ?`,
		`DELETE FROM automation_events WHERE workspace_id = ? AND contact_id = ?`,
	} {
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.eraseSegmentData */ `+q), workspaceID, contactID); err != nil {
			return err
		}
	}
	for _, id := range segs {
		if err := s.countSegment(ctx, tx, workspaceID, id, 0); err != nil {
			return err
		}
	}
	return nil
}

// RequestEvaluation has the evaluator evaluate every contact and company
// of the workspace at its next round, in the background.
func (s *Store) RequestEvaluation(ctx context.Context, workspaceID int64) error {
	return s.markWorkspaceFull(ctx, s.db, workspaceID)
}
