package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// The retention job (EnforceRetention) applies each workspace's
// foyer.Retention in short transactions of at most Batch rows each, so
// that neither SQLite's one writer (the collector's) nor PostgreSQL's row
// locks wait long behind it:
//
//   - Raw events older than the cutoff go, and only those the roll-up has
//     read (at or below the roll-up's mark), so that every roll-up stays
//     as it is. The events table has no index by time and no workspace:
//     the event marks (migration 0015) bound the IDs to look at, and the
//     job deletes by ranges of the key, each event joined to its visit's
//     site. The visits stay, with their counters: a visit's pages are no
//     longer listed once its events are gone. workspaces.events_purged_to
//     records how far every event of the workspace older than the cutoff
//     is gone, and the next run starts there.
//   - Browsers' links to contacts made before the link cutoff go, and the
//     visits that started before it are unlinked from their contact (they
//     stay as anonymous visits).
//   - Contacts with no activity since the review cutoff (created, changed,
//     consent changed, an identified visit or a browser linked) are
//     flagged for review (contacts.review_at), never deleted; a flagged
//     contact active again is unflagged.
//
// Each workspace's run of each kind is recorded in retention_runs.

// RetentionOptions tunes EnforceRetention.
type RetentionOptions struct {
	// Batch bounds the rows one transaction deletes or changes: 5,000
	// when 0.
	Batch int
	// Pause is the wait between two transactions, in which the
	// collector's writer gets its turn.
	Pause time.Duration
	// OnCommit, when not nil, is called after each transaction that
	// changed rows commits, with the kind and how many (a test hook).
	OnCommit func(kind foyer.RetentionKind, n int64)
}

// DefaultRetentionBatch is how many rows a transaction of the retention
// job changes at most.
const DefaultRetentionBatch = 5000

// wsRetention is a workspace's settings, as the job reads them.
type wsRetention struct {
	id       int64
	r        foyer.Retention
	purgedTo int64
}

// EnforceRetention applies every workspace's retention once (see above)
// and returns what it did, a record per workspace and kind, as it also
// stores them. It stops at the first error, or when ctx ends; what it
// committed until then stays done.
func (s *Store) EnforceRetention(ctx context.Context, opt RetentionOptions) ([]foyer.RetentionRun, error) {
	if opt.Batch <= 0 {
		opt.Batch = DefaultRetentionBatch
	}
	now := s.now()
	wss, err := s.retentionWorkspaces(ctx)
	if err != nil {
		return nil, err
	}
	// On PostgreSQL: the partitions of events ahead, and the old ones gone.
	dropped, err := s.maintainPartitions(ctx, now, wss)
	if err != nil {
		return nil, err
	}
	var runs []foyer.RetentionRun
	for _, w := range wss {
		day := 24 * time.Hour
		steps := []struct {
			kind   foyer.RetentionKind
			cutoff time.Time
			run    func(cutoff int64) (int64, error)
		}{
			{foyer.RetentionEvents, now.Add(-time.Duration(w.r.EventDays) * day), func(c int64) (int64, error) {
				n, err := s.purgeEvents(ctx, opt, w, c)
				return dropped[w.id] + n, err
			}},
			{foyer.RetentionLinks, now.Add(-time.Duration(w.r.LinkDays) * day), func(c int64) (int64, error) { return s.purgeLinks(ctx, opt, w.id, c) }},
			{foyer.RetentionVisits, now.Add(-time.Duration(w.r.LinkDays) * day), func(c int64) (int64, error) { return s.unlinkOldVisits(ctx, opt, w.id, c) }},
			{foyer.RetentionReview, now.AddDate(0, -w.r.ReviewMonths, 0), func(c int64) (int64, error) { return s.flagInactive(ctx, opt, w.id, c, ms(now)) }},
		}
		for _, st := range steps {
			n, err := st.run(ms(st.cutoff))
			if err != nil {
				return runs, fmt.Errorf("store: retention: workspace %d: %s: %w", w.id, st.kind, err)
			}
			run := foyer.RetentionRun{At: fromMS(ms(now)), WorkspaceID: w.id, Kind: st.kind, Removed: n, Cutoff: fromMS(ms(st.cutoff))}
			if _, err := s.db.ExecContext(ctx, s.rebind(`/* Store.EnforceRetention */
				INSERT INTO retention_runs (workspace_id, at, kind, removed, cutoff) VALUES (?, ?, ?, ?, ?)`),
				w.id, ms(run.At), string(run.Kind), n, ms(run.Cutoff)); err != nil {
				return runs, fmt.Errorf("store: retention: record: %w", err)
			}
			runs = append(runs, run)
		}
	}
	return runs, nil
}

func (s *Store) retentionWorkspaces(ctx context.Context) ([]wsRetention, error) {
	rows, err := s.db.QueryContext(ctx, `/* Store.EnforceRetention */
		SELECT id, retention_event_days, retention_link_days, retention_review_months, events_purged_to FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: retention: %w", err)
	}
	defer rows.Close()
	var out []wsRetention
	for rows.Next() {
		var w wsRetention
		if err := rows.Scan(&w.id, &w.r.EventDays, &w.r.LinkDays, &w.r.ReviewMonths, &w.purgedTo); err != nil {
			return nil, fmt.Errorf("store: retention: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// pause waits d between two transactions, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// eventBounds returns, for a cutoff time, the IDs between which the
// workspace's events older than it that the roll-up has read lie: every
// event up to sure is older (the last event mark before the cutoff says
// so), and every event after upto is newer or not read yet (upto is the
// first mark at or after the cutoff, or the roll-up's mark when none).
func (s *Store) eventBounds(ctx context.Context, cutoff int64) (sure, upto int64, err error) {
	var mark int64
	if err := s.db.QueryRowContext(ctx, `/* Store.eventBounds */
		SELECT last_event_id FROM rollup_marks WHERE name = 'sessions'`).Scan(&mark); err != nil {
		return 0, 0, err
	}
	err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.eventBounds */
		SELECT event_id FROM event_marks WHERE minute <= ? AND max_ts < ? ORDER BY minute DESC LIMIT 1`),
		cutoff/60_000, cutoff).Scan(&sure)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, err
	}
	err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.eventBounds */
		SELECT event_id FROM event_marks WHERE minute >= ? AND max_ts >= ? ORDER BY minute LIMIT 1`),
		cutoff/60_000, cutoff).Scan(&upto)
	if errors.Is(err, sql.ErrNoRows) {
		upto, err = mark, nil
	}
	if err != nil {
		return 0, 0, err
	}
	upto = min(upto, mark)
	return min(sure, upto), upto, nil
}

// purgeEvents deletes the workspace's events older than cutoff that the
// roll-up has read, by ranges of Batch IDs, a transaction each, and
// returns how many.
func (s *Store) purgeEvents(ctx context.Context, opt RetentionOptions, w wsRetention, cutoff int64) (int64, error) {
	sure, upto, err := s.eventBounds(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	lo := w.purgedTo
	var first sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `/* Store.purgeEvents */ SELECT MIN(id) FROM events`).Scan(&first); err != nil {
		return 0, err
	}
	if first.Valid && first.Int64-1 > lo {
		lo = first.Int64 - 1
	}
	var total int64
	for lo < upto {
		hi := min(lo+int64(opt.Batch), upto)
		n, err := s.purgeEventRange(ctx, w.id, lo, hi, cutoff, min(hi, sure))
		if err != nil {
			return total, err
		}
		total += n
		if n > 0 && opt.OnCommit != nil {
			opt.OnCommit(foyer.RetentionEvents, n)
		}
		lo = hi
		if lo < upto {
			if err := pause(ctx, opt.Pause); err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// purgeEventRange deletes, in one transaction, the workspace's events of
// IDs in (lo, hi] older than cutoff, and records that every one of its
// events up to done is gone.
func (s *Store) purgeEventRange(ctx context.Context, workspaceID, lo, hi, cutoff, done int64) (int64, error) {
	// The writer waits meanwhile (on SQLite it would anyway), so that the
	// highest event ID stays top (keepEventIDs) and a change of an
	// organisation's company (refold) does not read events half deleted.
	unlock := s.lockIngest()
	defer unlock()
	var n int64
	err := s.inTx(ctx, "purge events", func(tx *sql.Tx) error {
		var top sql.NullInt64
		if s.dialect == SQLite {
			if err := tx.QueryRowContext(ctx, `/* Store.purgeEventRange */ SELECT MAX(id) FROM events`).Scan(&top); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.purgeEventRange */
			DELETE FROM events WHERE id > ? AND id <= ? AND ts < ?
			AND EXISTS (SELECT 1 FROM sessions s JOIN sites si ON si.id = s.site_id
				WHERE s.id = events.session_id AND si.workspace_id = ?)`), lo, hi, cutoff, workspaceID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if err := s.keepEventIDs(ctx, tx, top); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.purgeEventRange */
			UPDATE workspaces SET events_purged_to = ? WHERE id = ? AND events_purged_to < ?`), done, workspaceID, done)
		return err
	})
	return n, err
}

// batches runs step, one transaction at a time, until it changes fewer
// than Batch rows, and returns how many it changed in all.
func (s *Store) batches(ctx context.Context, opt RetentionOptions, kind foyer.RetentionKind, step func(tx *sql.Tx) (int64, error)) (int64, error) {
	var total int64
	for {
		var n int64
		err := s.inTx(ctx, "retention "+string(kind), func(tx *sql.Tx) error {
			var err error
			n, err = step(tx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n > 0 && opt.OnCommit != nil {
			opt.OnCommit(kind, n)
		}
		if n < int64(opt.Batch) {
			return total, nil
		}
		if err := pause(ctx, opt.Pause); err != nil {
			return total, err
		}
	}
}

// purgeLinks deletes the workspace's browser links made before cutoff.
func (s *Store) purgeLinks(ctx context.Context, opt RetentionOptions, workspaceID, cutoff int64) (int64, error) {
	return s.batches(ctx, opt, foyer.RetentionLinks, func(tx *sql.Tx) (int64, error) {
		return s.unlinkBatch(ctx, tx, `/* Store.purgeLinks */
			SELECT visitor_id, contact_id, linked_at FROM visitor_links
			WHERE workspace_id = ? AND linked_at < ? LIMIT ?`, workspaceID, cutoff, opt.Batch, `/* Store.purgeLinks */
			DELETE FROM visitor_links WHERE visitor_id IN (%s)`)
	})
}

// unlinkOldVisits makes the workspace's identified visits that started
// before cutoff anonymous.
func (s *Store) unlinkOldVisits(ctx context.Context, opt RetentionOptions, workspaceID, cutoff int64) (int64, error) {
	return s.batches(ctx, opt, foyer.RetentionVisits, func(tx *sql.Tx) (int64, error) {
		return s.unlinkBatch(ctx, tx, `/* Store.unlinkOldVisits */
			SELECT s.id, s.contact_id, s.started_at FROM sessions s JOIN sites si ON si.id = s.site_id
			WHERE si.workspace_id = ? AND s.contact_id IS NOT NULL AND s.started_at < ? LIMIT ?`, workspaceID, cutoff, opt.Batch, `/* Store.unlinkOldVisits */
			UPDATE sessions SET contact_id = NULL, identified_via = 0, identified_at = 0 WHERE id IN (%s)`)
	})
}

// unlinkBatch reads rows of (key, contact, time) with pick, keeps in each
// contact's seen_at the latest time among them (activity that still
// counts for flagInactive), and runs change (%s: the keys' placeholders) on
// the keys. It returns how many rows pick found.
func (s *Store) unlinkBatch(ctx context.Context, tx *sql.Tx, pick string, workspaceID, cutoff int64, limit int, change string) (int64, error) {
	rows, err := tx.QueryContext(ctx, s.rebind(pick), workspaceID, cutoff, limit)
	if err != nil {
		return 0, err
	}
	var keys []any
	seen := map[int64]int64{}
	for rows.Next() {
		var key, contact, at int64
		if err := rows.Scan(&key, &contact, &at); err != nil {
			rows.Close()
			return 0, err
		}
		keys = append(keys, key)
		seen[contact] = max(seen[contact], at)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(keys) == 0 {
		return 0, err
	}
	for contact, at := range seen {
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.unlinkBatch */
			UPDATE contacts SET seen_at = ? WHERE id = ? AND seen_at < ?`), at, contact, at); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, s.rebind(fmt.Sprintf(change, placeholders(len(keys)))), keys...); err != nil {
		return 0, err
	}
	return int64(len(keys)), nil
}

// contactActiveSince is the condition that a contact (of the alias
// contacts) has been active since a time (six parameters, all the time):
// created, changed or its consent changed since, or an identified visit
// started or a browser linked to it since (seen_at keeps the latest of
// those the retention job unlinked).
const contactActiveSince = `(contacts.created_at >= ? OR contacts.updated_at >= ? OR contacts.tracking_consent_at >= ?
	OR contacts.seen_at >= ?
	OR EXISTS (SELECT 1 FROM sessions s WHERE s.contact_id = contacts.id AND s.started_at >= ?)
	OR EXISTS (SELECT 1 FROM visitor_links l WHERE l.contact_id = contacts.id AND l.linked_at >= ?))`

// flagInactive flags the workspace's contacts inactive since cutoff for
// review, and unflags those active again, by ranges of Batch IDs, and
// returns how many it flagged.
func (s *Store) flagInactive(ctx context.Context, opt RetentionOptions, workspaceID, cutoff, now int64) (int64, error) {
	var top sql.NullInt64
	if err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.flagInactive */
		SELECT MAX(id) FROM contacts WHERE workspace_id = ?`), workspaceID).Scan(&top); err != nil {
		return 0, err
	}
	var total int64
	since := []any{cutoff, cutoff, cutoff, cutoff, cutoff, cutoff}
	for lo := int64(0); lo < top.Int64; lo += int64(opt.Batch) {
		hi := lo + int64(opt.Batch)
		var n int64
		err := s.inTx(ctx, "flag inactive contacts", func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.rebind(`/* Store.flagInactive */
				UPDATE contacts SET review_at = ? WHERE workspace_id = ? AND id > ? AND id <= ? AND review_at = 0
				AND NOT `+contactActiveSince), append([]any{now, workspaceID, lo, hi}, since...)...)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			_, err = tx.ExecContext(ctx, s.rebind(`/* Store.flagInactive */
				UPDATE contacts SET review_at = 0 WHERE workspace_id = ? AND id > ? AND id <= ? AND review_at > 0
				AND `+contactActiveSince), append([]any{workspaceID, lo, hi}, since...)...)
			return err
		})
		if err != nil {
			return total, err
		}
		total += n
		if n > 0 && opt.OnCommit != nil {
			opt.OnCommit(foyer.RetentionReview, n)
		}
		if hi < top.Int64 {
			if err := pause(ctx, opt.Pause); err != nil {
				return total, err
			}
		}
	}
	return total, nil
}
