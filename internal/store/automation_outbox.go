package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// gapLife is how long the automation cursor waits for an event ID it
// skipped to appear: a transaction that took it and has not committed in
// this time has rolled back.
const gapLife = 10 * time.Minute

// maxGap bounds the IDs one skip records as awaited (a sequence that
// jumped, as after a PostgreSQL crash, is not waited for ID by ID).
const maxGap = 1000

// automationEvent is a row of automation_events.
type automationEvent struct {
	id, workspaceID, segmentID, contactID, companyID, oldMilli, newMilli, at int64
	kind                                                                     string
	behavioural                                                              bool
}

// AutomationPass is what one ProcessAutomationEvents did.
type AutomationPass struct {
	Events int // events read
	Queued int // deliveries written to the outbox
	// Skipped counts, by rule ID, the contacts skipped because they may
	// not be tracked: no contact is named.
	Skipped map[int64]int
}

// ProcessAutomationEvents reads up to limit automation events after the
// worker's cursor (and any awaited ones that appeared), matches each with
// its workspace's enabled rules, and, in one transaction with the
// cursor's advance, writes a delivery for each action of each rule that
// fires. A contact who may not be tracked (foyer.MayTrack, at now) is
// skipped by a rule for tracked contacts only, and by every rule when the
// event rests on behaviour; the rule counts the skip.
func (s *Store) ProcessAutomationEvents(ctx context.Context, limit int) (AutomationPass, error) {
	pass := AutomationPass{Skipped: map[int64]int{}}
	now := ms(s.now())
	err := s.inTx(ctx, "automation events", func(tx *sql.Tx) error {
		pass = AutomationPass{Skipped: map[int64]int{}}
		var last int64
		err := tx.QueryRowContext(ctx, `/* Store.ProcessAutomationEvents */
			SELECT last_id FROM automation_cursor WHERE id = 1`+s.forUpdate()).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err = tx.ExecContext(ctx, `/* Store.ProcessAutomationEvents */
				INSERT INTO automation_cursor (id, last_id) VALUES (1, 0)`); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		evs, err := s.readAutomationEvents(ctx, tx, `/* Store.ProcessAutomationEvents */
			SELECT e.id FROM automation_events e JOIN automation_gaps g ON g.event_id = e.id ORDER BY e.id`)
		if err != nil {
			return err
		}
		for _, e := range evs {
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ProcessAutomationEvents */
				DELETE FROM automation_gaps WHERE event_id = ?`), e.id); err != nil {
				return err
			}
		}
		next, err := s.readAutomationEvents(ctx, tx, s.rebind(`/* Store.ProcessAutomationEvents */
			SELECT id FROM automation_events WHERE id > ? ORDER BY id LIMIT ?`), last, limit)
		if err != nil {
			return err
		}
		for _, e := range next {
			for id := max(last+1, e.id-maxGap); id < e.id; id++ {
				if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ProcessAutomationEvents */
					INSERT INTO automation_gaps (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`), id, now); err != nil {
					return err
				}
			}
			last = e.id
		}
		evs = append(evs, next...)
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ProcessAutomationEvents */
			DELETE FROM automation_gaps WHERE seen_at < ?`), now-gapLife.Milliseconds()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ProcessAutomationEvents */
			UPDATE automation_cursor SET last_id = ? WHERE id = 1`), last); err != nil {
			return err
		}
		pass.Events = len(evs)
		rules := map[int64][]foyer.AutomationRule{}
		for _, e := range evs {
			rs, ok := rules[e.workspaceID]
			if !ok {
				if rs, err = s.enabledRules(ctx, tx, e.workspaceID); err != nil {
					return err
				}
				rules[e.workspaceID] = rs
			}
			if err := s.fireRules(ctx, tx, rs, e, now, &pass); err != nil {
				return err
			}
		}
		return nil
	})
	return pass, err
}

// readAutomationEvents reads the events whose IDs the query selects.
func (s *Store) readAutomationEvents(ctx context.Context, tx *sql.Tx, idQuery string, args ...any) ([]automationEvent, error) {
	rows, err := tx.QueryContext(ctx, `/* Store.readAutomationEvents */
		SELECT id, workspace_id, kind, segment_id, contact_id, company_id, old_milli, new_milli, behavioural, at
		FROM automation_events WHERE id IN (`+idQuery+`) ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []automationEvent
	for rows.Next() {
		var e automationEvent
		if err := rows.Scan(&e.id, &e.workspaceID, &e.kind, &e.segmentID, &e.contactID, &e.companyID,
			&e.oldMilli, &e.newMilli, &e.behavioural, &e.at); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// enabledRules returns the workspace's enabled rules, in the transaction.
func (s *Store) enabledRules(ctx context.Context, tx *sql.Tx, workspaceID int64) ([]foyer.AutomationRule, error) {
	rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.enabledRules */
		SELECT `+ruleColumns+` FROM automation_rules WHERE workspace_id = ? AND enabled ORDER BY id`), workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []foyer.AutomationRule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// matches reports whether the event triggers the rule.
func matches(r *foyer.AutomationRule, e *automationEvent) bool {
	switch r.Trigger {
	case foyer.TriggerSegmentEntered:
		return e.kind == "segment-entered" && e.segmentID == r.SegmentID && e.contactID != 0
	case foyer.TriggerContactScore:
		return e.kind == "score-changed" && e.contactID != 0 && e.oldMilli < r.ThresholdMilli && e.newMilli >= r.ThresholdMilli
	case foyer.TriggerCompanyScore:
		return e.kind == "score-changed" && e.contactID == 0 && e.companyID != 0 &&
			e.oldMilli < r.ThresholdMilli && e.newMilli >= r.ThresholdMilli
	}
	return false
}

// fireRules writes the deliveries of the rules the event fires.
func (s *Store) fireRules(ctx context.Context, tx *sql.Tx, rules []foyer.AutomationRule, e automationEvent, now int64, pass *AutomationPass) error {
	var tracked *bool // read once, when a rule needs it
	for i := range rules {
		r := &rules[i]
		if !matches(r, &e) {
			continue
		}
		if e.contactID != 0 && (r.OnlyTracked || e.behavioural) {
			if tracked == nil {
				ok, err := s.mayTrackContact(ctx, tx, e.workspaceID, e.contactID)
				if err != nil {
					return err
				}
				tracked = &ok
			}
			if !*tracked {
				pass.Skipped[r.ID]++
				if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.fireRules */
					UPDATE automation_rules SET skipped_untracked = skipped_untracked + 1 WHERE id = ?`), r.ID); err != nil {
					return err
				}
				continue
			}
		}
		var contact, company any
		if e.contactID != 0 {
			contact = e.contactID
		}
		if e.companyID != 0 && e.contactID == 0 {
			company = e.companyID
		}
		for j, a := range r.Actions {
			res, err := tx.ExecContext(ctx, s.rebind(`/* Store.fireRules */
				INSERT INTO automation_deliveries (workspace_id, rule_id, event_id, action_index, action_kind, trigger_kind,
					segment_id, contact_id, company_id, old_milli, new_milli, behavioural, event_at, created_at, next_at)
				SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?
				WHERE (CAST(? AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM contacts WHERE workspace_id = ? AND id = ?))
				  AND (CAST(? AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM companies WHERE workspace_id = ? AND id = ?))
				ON CONFLICT (rule_id, event_id, action_index) DO NOTHING`),
				e.workspaceID, r.ID, e.id, j, string(a.Kind), string(r.Trigger), e.segmentID, contact, company,
				e.oldMilli, e.newMilli, e.behavioural, e.at, now, now,
				contact, e.workspaceID, contact, company, e.workspaceID, company)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			pass.Queued += int(n)
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.fireRules */
			UPDATE automation_rules SET fired = fired + 1, last_fired_at = ? WHERE id = ?`), now, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// mayTrackContact reports whether the workspace's contact may be tracked
// now: foyer.MayTrack of its stored consent in its workspace's mode. A
// contact that is gone may not.
func (s *Store) mayTrackContact(ctx context.Context, tx querier, workspaceID, contactID int64) (bool, error) {
	var status, mode string
	var at int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.mayTrackContact */
		SELECT c.tracking_consent, c.tracking_consent_at, w.tracking_mode
		FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
		WHERE c.workspace_id = ? AND c.id = ?`), workspaceID, contactID).Scan(&status, &at, &mode)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return foyer.MayTrack(foyer.TrackingMode(mode), consentState(status, at)), nil
}

const deliveryColumns = `id, workspace_id, rule_id, event_id, action_index, action_kind, trigger_kind, segment_id,
	COALESCE(contact_id, 0), COALESCE(company_id, 0), old_milli, new_milli, behavioural, event_at, status, attempts,
	created_at, first_at, next_at, done_at, last_error`

func scanDelivery(row interface{ Scan(...any) error }) (foyer.AutomationDelivery, error) {
	var d foyer.AutomationDelivery
	var action, trigger, status string
	var eventAt, created, first, next, done int64
	err := row.Scan(&d.ID, &d.WorkspaceID, &d.RuleID, &d.EventID, &d.ActionIndex, &action, &trigger, &d.SegmentID,
		&d.ContactID, &d.CompanyID, &d.OldMilli, &d.NewMilli, &d.Behavioural, &eventAt, &status, &d.Tries,
		&created, &first, &next, &done, &d.LastError)
	d.Action, d.Trigger, d.Status = foyer.ActionKind(action), foyer.TriggerKind(trigger), foyer.DeliveryStatus(status)
	d.EventAt, d.CreatedAt, d.NextAt = fromMS(eventAt), fromMS(created), fromMS(next)
	if first != 0 {
		d.FirstAttempt = fromMS(first)
	}
	if done != 0 {
		d.DoneAt = fromMS(done)
	}
	return d, err
}

// ClaimDeliveries returns up to limit pending deliveries due at now,
// oldest due first, each leased until now+lease: another worker, or this
// one after a restart, takes a delivery again only once its lease ends
// without an attempt recorded. The first claim of a delivery sets its
// first attempt's time.
func (s *Store) ClaimDeliveries(ctx context.Context, lease time.Duration, limit int) ([]foyer.AutomationDelivery, error) {
	now := s.now()
	var out []foyer.AutomationDelivery
	err := s.inTx(ctx, "claim deliveries", func(tx *sql.Tx) error {
		out = out[:0]
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.ClaimDeliveries */
			SELECT `+deliveryColumns+` FROM automation_deliveries WHERE status = 'pending' AND next_at <= ?
			ORDER BY next_at, id LIMIT ?`+lock), ms(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				rows.Close()
				return err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range out {
			d := &out[i]
			if d.FirstAttempt.IsZero() {
				d.FirstAttempt = now.UTC().Truncate(time.Millisecond)
			}
			d.NextAt = now.Add(lease).UTC().Truncate(time.Millisecond)
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.ClaimDeliveries */
				UPDATE automation_deliveries SET first_at = ?, next_at = ? WHERE id = ?`),
				ms(d.FirstAttempt), ms(d.NextAt), d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// DeliveryOutcome is what an attempt leads to.
type DeliveryOutcome struct {
	// Done: the delivery succeeded; else, Retry at RetryAt, or (RetryAt
	// zero) it failed for good.
	Done    bool
	RetryAt time.Time
}

// RecordAttempt logs an attempt of the delivery and moves the delivery
// on, in one transaction: delivered, pending until out.RetryAt, or failed.
func (s *Store) RecordAttempt(ctx context.Context, d *foyer.AutomationDelivery, a foyer.DeliveryAttempt, out DeliveryOutcome) error {
	return s.inTx(ctx, "record attempt", func(tx *sql.Tx) error {
		return s.recordAttempt(ctx, tx, d, a, out)
	})
}

func (s *Store) recordAttempt(ctx context.Context, tx *sql.Tx, d *foyer.AutomationDelivery, a foyer.DeliveryAttempt, out DeliveryOutcome) error {
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordAttempt */
		INSERT INTO automation_attempts (delivery_id, workspace_id, at, http_status, error, duration_ms)
		SELECT id, workspace_id, ?, ?, ?, ? FROM automation_deliveries WHERE id = ?`),
		ms(a.At), a.HTTPStatus, cutUTF8(a.Error, 500), a.Duration.Milliseconds(), d.ID); err != nil {
		return err
	}
	status, next, done := string(foyer.DeliveryPending), ms(out.RetryAt), int64(0)
	switch {
	case out.Done:
		status, next, done = string(foyer.DeliveryDelivered), 0, ms(a.At)
	case out.RetryAt.IsZero():
		status, next, done = string(foyer.DeliveryFailed), 0, ms(a.At)
	}
	_, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordAttempt */
		UPDATE automation_deliveries SET status = ?, attempts = attempts + 1, next_at = ?, done_at = ?, last_error = ?
		WHERE id = ?`), status, next, done, cutUTF8(a.Error, 500), d.ID)
	return err
}

// AddByAutomation carries out a delivery of an add-to-segment action: it
// adds the delivery's contact to the action's static segment (added
// 'automation'), writes the 'segment-entered' automation event when the
// contact was not a member, and records the attempt as delivered, in one
// transaction. A segment gone or no longer static fails the delivery:
// delivered is false.
func (s *Store) AddByAutomation(ctx context.Context, d *foyer.AutomationDelivery, segmentID int64) (delivered bool, err error) {
	now := s.now()
	err = s.inTx(ctx, "add by automation", func(tx *sql.Tx) error {
		delivered = false
		a := foyer.DeliveryAttempt{At: now}
		var def string
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.AddByAutomation */
			SELECT definition FROM segments WHERE workspace_id = ? AND id = ?`+s.forUpdate()), d.WorkspaceID, segmentID).Scan(&def)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			a.Error = "the segment was deleted"
		case err != nil:
			return err
		case def != "":
			a.Error = "the segment has conditions now: automations add only to static segments"
		}
		if a.Error != "" {
			return s.recordAttempt(ctx, tx, d, a, DeliveryOutcome{})
		}
		delivered = true
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.AddByAutomation */
			INSERT INTO segment_members (segment_id, contact_id, workspace_id, added, since)
			SELECT ?, id, workspace_id, 'automation', ? FROM contacts WHERE workspace_id = ? AND id = ?
			ON CONFLICT (segment_id, contact_id) DO NOTHING`), segmentID, ms(now), d.WorkspaceID, d.ContactID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.AddByAutomation */
				UPDATE segments SET members = members + 1, updated_at = ? WHERE id = ?`), ms(now), segmentID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.AddByAutomation */
				INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, behavioural, at)
				VALUES (?, 'segment-entered', ?, ?, ?, ?)`), d.WorkspaceID, segmentID, d.ContactID, d.Behavioural, ms(now)); err != nil {
				return err
			}
		}
		return s.recordAttempt(ctx, tx, d, a, DeliveryOutcome{Done: true})
	})
	return delivered, err
}

// AutomationDeliveries returns the rule's latest deliveries with their
// attempts.
func (s *Store) AutomationDeliveries(ctx context.Context, workspaceID, ruleID int64, limit int) ([]foyer.DeliveryLog, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.AutomationDeliveries */
		SELECT `+deliveryColumns+` FROM automation_deliveries WHERE workspace_id = ? AND rule_id = ?
		ORDER BY id DESC LIMIT ?`), workspaceID, ruleID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	var out []foyer.DeliveryLog
	byID := map[int64]int{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: deliveries: %w", err)
		}
		byID[d.ID] = len(out)
		out = append(out, foyer.DeliveryLog{AutomationDelivery: d})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	rows, err = s.db.QueryContext(ctx, s.rebind(`/* Store.AutomationDeliveries */
		SELECT a.id, a.delivery_id, a.at, a.http_status, a.error, a.duration_ms
		FROM automation_attempts a JOIN automation_deliveries d ON d.id = a.delivery_id
		WHERE d.workspace_id = ? AND d.rule_id = ? AND d.id >= ? ORDER BY a.id`), workspaceID, ruleID, out[len(out)-1].ID)
	if err != nil {
		return nil, fmt.Errorf("store: attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a foyer.DeliveryAttempt
		var at, dur int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, &at, &a.HTTPStatus, &a.Error, &dur); err != nil {
			return nil, fmt.Errorf("store: attempts: %w", err)
		}
		a.At, a.Duration = fromMS(at), time.Duration(dur)*time.Millisecond
		if i, ok := byID[a.DeliveryID]; ok {
			out[i].Attempts = append(out[i].Attempts, a)
		}
	}
	return out, rows.Err()
}

// MayTrackContact reports whether the workspace's contact may be tracked
// now (foyer.MayTrack); false for a contact that is not there.
func (s *Store) MayTrackContact(ctx context.Context, workspaceID, contactID int64) (bool, error) {
	ok, err := s.mayTrackContact(ctx, s.db, workspaceID, contactID)
	if err != nil {
		return false, fmt.Errorf("store: may track: %w", err)
	}
	return ok, nil
}
