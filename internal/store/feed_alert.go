package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// SetFeedAlert subscribes a member to one of the workspace's saved feeds,
// or changes the subscription's frequency.
func (s *Store) SetFeedAlert(ctx context.Context, a *foyer.FeedAlert) error {
	if !a.Frequency.Valid() {
		return foyer.Errorf(foyer.EINVALID, "there is no frequency %q: choose immediately, daily or weekly", a.Frequency)
	}
	now := ms(s.now())
	var created, checked, cut, sent int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.SetFeedAlert */
		INSERT INTO feed_alerts (workspace_id, user_id, saved_feed_id, frequency, created_at, cut_at)
		SELECT f.workspace_id, m.user_id, f.id, ?, ?, ? FROM saved_feeds f
		JOIN memberships m ON m.workspace_id = f.workspace_id AND m.user_id = ?
		WHERE f.id = ? AND f.workspace_id = ?
		ON CONFLICT (user_id, saved_feed_id) DO UPDATE SET frequency = excluded.frequency
		RETURNING id, created_at, checked_at, cut_at, last_sent_at, last_sent_count`),
		string(a.Frequency), now, now, a.UserID, a.SavedFeedID, a.WorkspaceID).Scan(&a.ID, &created, &checked, &cut, &sent, &a.LastSentCount)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "saved feed %d not found", a.SavedFeedID)
	}
	if err != nil {
		return fmt.Errorf("store: set feed alert: %w", err)
	}
	a.CreatedAt, a.CheckedAt, a.CutAt, a.LastSentAt = fromMS(created), timeOrZero(checked), fromMS(cut), timeOrZero(sent)
	return nil
}

// timeOrZero is the time of v Unix ms, or the zero time for 0.
func timeOrZero(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMS(v)
}

// DeleteFeedAlert ends a member's subscription to a saved feed.
func (s *Store) DeleteFeedAlert(ctx context.Context, workspaceID, userID, savedFeedID int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.DeleteFeedAlert */
		DELETE FROM feed_alerts WHERE workspace_id = ? AND user_id = ? AND saved_feed_id = ?`), workspaceID, userID, savedFeedID)
	if err != nil {
		return fmt.Errorf("store: delete feed alert: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: delete feed alert: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no alert on saved feed %d", savedFeedID)
	}
	return nil
}

// feedAlertColumns are the columns scanFeedAlert reads, from feed_alerts a
// joined with saved_feeds f, workspaces w, users u and memberships m.
const feedAlertColumns = `a.id, a.workspace_id, a.user_id, a.saved_feed_id, a.frequency, a.created_at, a.checked_at, a.cut_at,
	a.last_sent_at, a.last_sent_count, f.name, f.query, w.name, u.email, u.time_zone, m.role`

const feedAlertJoins = ` FROM feed_alerts a
	JOIN saved_feeds f ON f.id = a.saved_feed_id AND f.workspace_id = a.workspace_id
	JOIN workspaces w ON w.id = a.workspace_id
	JOIN users u ON u.id = a.user_id
	JOIN memberships m ON m.workspace_id = a.workspace_id AND m.user_id = a.user_id`

func scanFeedAlert(row interface{ Scan(...any) error }) (foyer.FeedAlert, error) {
	var a foyer.FeedAlert
	var freq, role string
	var created, checked, cut, sent int64
	err := row.Scan(&a.ID, &a.WorkspaceID, &a.UserID, &a.SavedFeedID, &freq, &created, &checked, &cut, &sent, &a.LastSentCount,
		&a.FeedName, &a.FeedQuery, &a.WorkspaceName, &a.Email, &a.TimeZone, &role)
	a.Frequency, a.Role = foyer.AlertFrequency(freq), foyer.Role(role)
	a.CreatedAt, a.CheckedAt, a.CutAt, a.LastSentAt = fromMS(created), timeOrZero(checked), fromMS(cut), timeOrZero(sent)
	return a, err
}

// FeedAlert returns a member's subscription to a saved feed.
func (s *Store) FeedAlert(ctx context.Context, workspaceID, userID, savedFeedID int64) (*foyer.FeedAlert, error) {
	a, err := scanFeedAlert(s.db.QueryRowContext(ctx, s.rebind(`/* Store.FeedAlert */
		SELECT `+feedAlertColumns+feedAlertJoins+`
		WHERE a.workspace_id = ? AND a.user_id = ? AND a.saved_feed_id = ?`), workspaceID, userID, savedFeedID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no alert on saved feed %d", savedFeedID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: feed alert: %w", err)
	}
	return &a, nil
}

// UserFeedAlerts returns a user's subscriptions, by workspace and feed.
func (s *Store) UserFeedAlerts(ctx context.Context, userID int64) ([]foyer.FeedAlert, error) {
	return s.feedAlerts(ctx, `/* Store.UserFeedAlerts */ SELECT `+feedAlertColumns+feedAlertJoins+`
		WHERE a.user_id = ? ORDER BY w.name, a.workspace_id, f.name, a.id`, userID)
}

// FeedAlerts returns every member's subscriptions, for the alert job.
func (s *Store) FeedAlerts(ctx context.Context) ([]foyer.FeedAlert, error) {
	return s.feedAlerts(ctx, `/* Store.FeedAlerts */ SELECT `+feedAlertColumns+feedAlertJoins+` ORDER BY a.id`)
}

func (s *Store) feedAlerts(ctx context.Context, q string, args ...any) ([]foyer.FeedAlert, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("store: feed alerts: %w", err)
	}
	defer rows.Close()
	var out []foyer.FeedAlert
	for rows.Next() {
		a, err := scanFeedAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("store: feed alerts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// RecordAlertCheck notes the companies a check found in an alert's feed.
// Only companies of the alert's workspace are noted. A company already
// noted keeps its place; while no email has listed it, its figures follow
// the latest check. It reads the companies already settled (noted before
// the first check, or listed by an email) and writes the others in an
// upsert of up to alertChunk companies each.
func (s *Store) RecordAlertCheck(ctx context.Context, alertID int64, found []foyer.AlertMatch, now time.Time) (int, error) {
	added := 0
	err := s.inTx(ctx, "record alert check", func(tx *sql.Tx) error {
		var workspaceID, checked, before int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordAlertCheck */
			SELECT workspace_id, checked_at, (SELECT COUNT(*) FROM feed_alert_companies WHERE alert_id = a.id)
			FROM feed_alerts a WHERE id = ?`), alertID).Scan(&workspaceID, &checked, &before)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "alert %d not found", alertID)
		}
		if err != nil {
			return err
		}
		// Only the companies not yet noted, and those still waiting for
		// their email (whose figures change), are written.
		rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.RecordAlertCheck */
			SELECT company_id FROM feed_alert_companies WHERE alert_id = ? AND NOT (fresh AND delivery_id IS NULL)`), alertID)
		if err != nil {
			return err
		}
		settled := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			settled[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		found = slices.DeleteFunc(slices.Clone(found), func(m foyer.AlertMatch) bool { return settled[m.CompanyID] })
		fresh := checked != 0 // the first check takes what it finds as known
		for len(found) > 0 {
			chunk := found[:min(alertChunk, len(found))]
			found = found[len(chunk):]
			args := []any{alertID, ms(now), fresh}
			var values strings.Builder
			for i, m := range chunk {
				if i > 0 {
					values.WriteString(", ")
				}
				values.WriteString("(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
				args = append(args, m.CompanyID, m.Visits, m.Pageviews)
			}
			args = append(args, workspaceID)
			// The VALUES list's columns are column1… in both dialects.
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordAlertCheck */
				INSERT INTO feed_alert_companies (alert_id, company_id, found_at, fresh, visits, pageviews)
				SELECT ?, c.id, ?, ?, v.column2, v.column3 FROM (VALUES `+values.String()+`) AS v
				JOIN companies c ON c.id = v.column1 AND c.workspace_id = ?
				WHERE true
				ON CONFLICT (alert_id, company_id) DO UPDATE SET visits = excluded.visits, pageviews = excluded.pageviews
				WHERE feed_alert_companies.fresh AND feed_alert_companies.delivery_id IS NULL`), args...); err != nil {
				return err
			}
		}
		var after int64
		if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordAlertCheck */
			SELECT COUNT(*) FROM feed_alert_companies WHERE alert_id = ?`), alertID).Scan(&after); err != nil {
			return err
		}
		if fresh {
			added = int(after - before)
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.RecordAlertCheck */
			UPDATE feed_alerts SET checked_at = ? WHERE id = ?`), ms(now), alertID)
		return err
	})
	return added, err
}

// alertChunk is how many companies one statement of RecordAlertCheck
// notes.
const alertChunk = 500

// alertHiddenFilter is the SQL that leaves out the companies c that the
// workspace's feed hides (by a correction or by their type), and its
// arguments.
func (s *Store) alertHiddenFilter(ctx context.Context, workspaceID int64) (string, []any, error) {
	h, err := s.hiddenOf(ctx, workspaceID)
	if err != nil {
		return "", nil, err
	}
	filter, args := h.typeFilter("c")
	return " AND c.hidden_kind = ''" + filter, args, nil
}

// TakeAlertDelivery writes the email of an alert's new companies.
func (s *Store) TakeAlertDelivery(ctx context.Context, alertID int64, now time.Time) (*foyer.AlertDelivery, error) {
	var workspaceID int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.TakeAlertDelivery */
		SELECT workspace_id FROM feed_alerts WHERE id = ?`), alertID).Scan(&workspaceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "alert %d not found", alertID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: take alert delivery: %w", err)
	}
	hidden, hargs, err := s.alertHiddenFilter(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	var d *foyer.AlertDelivery
	err = s.inTx(ctx, "take alert delivery", func(tx *sql.Tx) error {
		// COALESCE keeps PostgreSQL off the index of delivery_id, which
		// holds every alert's waiting companies under NULL: the alert's
		// own rows come from the primary key.
		rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.TakeAlertDelivery */
			SELECT c.id FROM feed_alert_companies fa JOIN companies c ON c.id = fa.company_id AND c.workspace_id = ?
			WHERE fa.alert_id = ? AND fa.fresh AND COALESCE(fa.delivery_id, 0) = 0`+hidden+` ORDER BY c.id`),
			append([]any{workspaceID, alertID}, hargs...)...)
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.TakeAlertDelivery */
			UPDATE feed_alerts SET cut_at = ? WHERE id = ?`), ms(now), alertID); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		d = &foyer.AlertDelivery{AlertID: alertID, CreatedAt: fromMS(ms(now))}
		if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.TakeAlertDelivery */
			INSERT INTO feed_alert_deliveries (alert_id, created_at, companies) VALUES (?, ?, ?) RETURNING id`),
			alertID, ms(now), len(ids)).Scan(&d.ID); err != nil {
			return err
		}
		for chunk := range chunks(ids, 500) {
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.TakeAlertDelivery */
				UPDATE feed_alert_companies SET delivery_id = ? WHERE alert_id = ? AND company_id IN (`+placeholders(len(chunk))+`)`),
				append([]any{d.ID, alertID}, chunk...)...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || d == nil {
		return nil, err
	}
	if d.Companies, err = s.deliveryCompanies(ctx, workspaceID, d.ID); err != nil {
		return nil, err
	}
	return d, nil
}

// chunks splits s into slices of at most n.
func chunks(s []any, n int) func(func([]any) bool) {
	return func(yield func([]any) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// deliveryCompanies reads the companies a delivery lists that the
// workspace's feed does not hide (now), by name.
func (s *Store) deliveryCompanies(ctx context.Context, workspaceID, deliveryID int64) ([]foyer.AlertCompany, error) {
	hidden, hargs, err := s.alertHiddenFilter(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.deliveryCompanies */
		SELECT `+companyColumns+`, fa.visits, fa.pageviews FROM feed_alert_companies fa
		JOIN companies c ON c.id = fa.company_id AND c.workspace_id = ?
		WHERE fa.delivery_id = ?`+hidden+` ORDER BY LOWER(c.name), c.id`), append([]any{workspaceID, deliveryID}, hargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: alert companies: %w", err)
	}
	defer rows.Close()
	var out []foyer.AlertCompany
	for rows.Next() {
		var ac foyer.AlertCompany
		if ac.Company, err = scanCompany(rows.Scan, workspaceID, &ac.Visits, &ac.Pageviews); err != nil {
			return nil, fmt.Errorf("store: alert companies: %w", err)
		}
		out = append(out, ac)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: alert companies: %w", err)
	}
	companies := make([]*foyer.Company, len(out))
	for i := range out {
		companies[i] = &out[i].Company
	}
	return out, s.fillProfiles(ctx, companies)
}

// UnsentAlertDeliveries returns the alert's emails not yet sent.
func (s *Store) UnsentAlertDeliveries(ctx context.Context, alertID int64) ([]foyer.AlertDelivery, error) {
	var workspaceID int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.UnsentAlertDeliveries */
		SELECT workspace_id FROM feed_alerts WHERE id = ?`), alertID).Scan(&workspaceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "alert %d not found", alertID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: unsent alert deliveries: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.UnsentAlertDeliveries */
		SELECT id, created_at, attempts FROM feed_alert_deliveries WHERE alert_id = ? AND sent_at = 0 ORDER BY id`), alertID)
	if err != nil {
		return nil, fmt.Errorf("store: unsent alert deliveries: %w", err)
	}
	var out []foyer.AlertDelivery
	for rows.Next() {
		d := foyer.AlertDelivery{AlertID: alertID}
		var created int64
		if err := rows.Scan(&d.ID, &created, &d.Attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: unsent alert deliveries: %w", err)
		}
		d.CreatedAt = fromMS(created)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: unsent alert deliveries: %w", err)
	}
	for i := range out {
		if out[i].Companies, err = s.deliveryCompanies(ctx, workspaceID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// MarkAlertSent records a delivery's sending, or a failed attempt.
func (s *Store) MarkAlertSent(ctx context.Context, deliveryID int64, now time.Time, listed int, failure error) error {
	return s.inTx(ctx, "mark alert sent", func(tx *sql.Tx) error {
		if failure != nil {
			msg := failure.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			_, err := tx.ExecContext(ctx, s.rebind(`/* Store.MarkAlertSent */
				UPDATE feed_alert_deliveries SET attempts = attempts + 1, last_error = ? WHERE id = ?`), msg, deliveryID)
			return err
		}
		var alertID int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.MarkAlertSent */
			UPDATE feed_alert_deliveries SET attempts = attempts + 1, sent_at = ?, companies = ?, last_error = '' WHERE id = ?
			RETURNING alert_id`), ms(now), listed, deliveryID).Scan(&alertID)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "alert delivery %d not found", deliveryID)
		}
		if err != nil || listed == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.MarkAlertSent */
			UPDATE feed_alerts SET last_sent_at = ?, last_sent_count = ? WHERE id = ?`), ms(now), listed, alertID)
		return err
	})
}
