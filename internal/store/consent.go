package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/vault"
)

// RecordConsent applies a change of a contact's tracking consent by
// foyer.ApplyConsent and appends it to the workspace's history, applied or
// not, in one transaction: the entry is sealed after the previous one
// (the workspace's head, locked), and the head moves to it. It returns
// the contact's resulting state, whether the change was applied, and why.
func (s *Store) RecordConsent(ctx context.Context, workspaceID, contactID int64, in foyer.ConsentChange) (next foyer.ConsentState, applied bool, why string, err error) {
	if s.keys == nil {
		return next, false, "", errNoKeys
	}
	err = s.inTx(ctx, "consent", func(tx *sql.Tx) error {
		var err error
		next, applied, why, err = s.recordConsent(ctx, tx, workspaceID, contactID, in)
		return err
	})
	return next, applied, why, err
}

// recordConsent is RecordConsent in the transaction tx (or a txCache of it).
func (s *Store) recordConsent(ctx context.Context, tx querier, workspaceID, contactID int64, in foyer.ConsentChange) (next foyer.ConsentState, applied bool, why string, err error) {
	err = func() error {
		var keyID, status string
		var wrapped []byte
		var at int64
		// The contact's row locked, so that two changes of it apply in turn.
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordConsent */
			SELECT key_id, data_key, tracking_consent, tracking_consent_at FROM contacts WHERE workspace_id = ? AND id = ?`+s.forUpdate()),
			workspaceID, contactID).Scan(&keyID, &wrapped, &status, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no contact %d", contactID)
		}
		if err != nil {
			return err
		}
		stored := consentState(status, at)
		now := s.now()
		if next, applied, why, err = foyer.ApplyConsent(stored, in, now); err != nil {
			return err
		}
		dk, err := s.dataKey(ctx, tx, wrapped, contactOwner(workspaceID, keyID))
		if err != nil {
			return err
		}
		e := foyer.NewConsentEntry(workspaceID, contactID, in, applied, why, now)
		e.Reason = string(dk.Seal("consent reason", []byte(in.Reason)))
		if err := s.appendConsentEntry(ctx, tx, &e); err != nil {
			return err
		}
		if !applied {
			return nil
		}
		if _, err = tx.ExecContext(ctx, s.rebind(`/* Store.RecordConsent */
				UPDATE contacts SET tracking_consent = ?, tracking_consent_at = ?, updated_at = ?, review_at = 0 WHERE id = ?`),
			string(next.Status), msOrZero(next.At), ms(now), contactID); err != nil {
			return err
		}
		// Its segments and scores follow.
		if err := s.markDirty(ctx, tx, workspaceID, contactID); err != nil {
			return err
		}
		// A contact who may no longer be tracked is detached from the
		// campaigns it received: its opens and clicks stay counted, and
		// link to nobody.
		if foyer.MayTrack(foyer.TrackingOptIn, next) {
			return nil // trackable in the strictest mode: in the workspace's too
		}
		mode, err := s.trackingMode(ctx, tx, workspaceID)
		if err != nil {
			return err
		}
		if !foyer.MayTrack(mode, next) {
			return s.detachContact(ctx, tx, workspaceID, contactID)
		}
		return nil
	}()
	return next, applied, why, err
}

// consentState is a contact's consent as stored: its status, and its date
// in Unix ms (0: none).
func consentState(status string, at int64) foyer.ConsentState {
	c := foyer.ConsentState{Status: foyer.ConsentStatus(status)}
	if at != 0 {
		c.At = fromMS(at)
	}
	return c
}

// appendConsentEntry appends e, its reason already sealed, to its
// workspace's history in the transaction tx: after the workspace's head,
// locked, which then moves to e. It sets e's ID and hashes.
func (s *Store) appendConsentEntry(ctx context.Context, tx querier, e *foyer.ConsentEntry) error {
	// In a batch (a txCache), the head is read and locked once and moved
	// in memory, and written once before the batch commits (flushHeads):
	// on PostgreSQL each write of the row is a version of it that later
	// reads in the transaction walk.
	tc, batch := tx.(*txCache)
	var head []byte
	if batch {
		if h, ok := tc.heads[e.WorkspaceID]; ok {
			head = h[:]
		}
	}
	if head == nil {
		var err error
		if head, err = s.lockHead(ctx, tx, e.WorkspaceID); err != nil {
			return err
		}
	}
	if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.appendConsentEntry */
		INSERT INTO consent_history (workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		e.WorkspaceID, e.ContactID, ms(e.At), msOrZero(e.StatusAt), string(e.Action), string(e.Source), e.Actor, []byte(e.Reason),
		e.Applied, e.Why, head, head).Scan(&e.ID); err != nil {
		return err
	}
	e.Seal([32]byte(head))
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.appendConsentEntry */
		UPDATE consent_history SET hash = ? WHERE id = ?`), e.Hash[:], e.ID); err != nil {
		return err
	}
	if batch {
		if tc.heads == nil {
			tc.heads = map[int64][32]byte{}
		}
		tc.heads[e.WorkspaceID] = e.Hash
		return nil
	}
	_, err := tx.ExecContext(ctx, s.rebind(`/* Store.appendConsentEntry */
		UPDATE consent_heads SET hash = ? WHERE workspace_id = ?`), e.Hash[:], e.WorkspaceID)
	return err
}

// lockHead reads the workspace's head of the history, creating it when
// missing, and on PostgreSQL locks it until the transaction ends: the lock
// orders the workspace's appends (SQLite has one writer).
func (s *Store) lockHead(ctx context.Context, tx querier, workspaceID int64) ([]byte, error) {
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.appendConsentEntry */
		INSERT INTO consent_heads (workspace_id, hash) SELECT id, ? FROM workspaces WHERE id = ?
		ON CONFLICT (workspace_id) DO NOTHING`), make([]byte, 32), workspaceID); err != nil {
		return nil, err
	}
	var head []byte
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.appendConsentEntry */
		SELECT hash FROM consent_heads WHERE workspace_id = ?`+s.forUpdate()), workspaceID).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	return head, err
}

// flushHeads writes the heads a batch moved in memory, before it commits.
func (s *Store) flushHeads(ctx context.Context, tc *txCache) error {
	for ws, h := range tc.heads {
		if _, err := tc.ExecContext(ctx, s.rebind(`/* Store.appendConsentEntry */
			UPDATE consent_heads SET hash = ? WHERE workspace_id = ?`), h[:], ws); err != nil {
			return err
		}
	}
	return nil
}

// msOrZero is t in Unix ms, 0 for the zero time.
func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}

// consentEntries reads a workspace's history in ID order (one contact's
// when contactID is not 0), the reasons as sealed.
func (s *Store) consentEntries(ctx context.Context, workspaceID, contactID int64) ([]foyer.ConsentEntry, error) {
	return s.consentPage(ctx, workspaceID, contactID, 0, math.MaxInt32)
}

// consentPage is consentEntries from after the entry afterID, at most
// limit entries.
func (s *Store) consentPage(ctx context.Context, workspaceID, contactID, afterID int64, limit int) ([]foyer.ConsentEntry, error) {
	var out []foyer.ConsentEntry
	err := s.eachConsentEntry(ctx, s.db, workspaceID, contactID, afterID, limit, func(e *foyer.ConsentEntry) bool {
		out = append(out, *e)
		return true
	})
	return out, err
}

// eachConsentEntry calls fn with each entry consentPage would return, in
// turn, until fn returns false; the entry is reused between calls.
func (s *Store) eachConsentEntry(ctx context.Context, q0 querier, workspaceID, contactID, afterID int64, limit int, fn func(*foyer.ConsentEntry) bool) error {
	q, args := `WHERE workspace_id = ?`, []any{workspaceID}
	if contactID != 0 { // +: by the contact's index, not the workspace's in ID order
		q, args = `WHERE contact_id = ? AND +workspace_id = ?`, []any{contactID, workspaceID}
	}
	rows, err := q0.QueryContext(ctx, s.rebind(`/* Store.consentEntries */
		SELECT id, workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash
		FROM consent_history `+q+` AND id > ? ORDER BY id LIMIT ?`), append(args, afterID, limit)...)
	if err != nil {
		return fmt.Errorf("store: consent history: %w", err)
	}
	defer rows.Close()
	var e foyer.ConsentEntry
	var at, statusAt int64
	var action, source string
	var reason, prev, hash []byte
	for rows.Next() {
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.ContactID, &at, &statusAt, &action, &source, &e.Actor, &reason,
			&e.Applied, &e.Why, &prev, &hash); err != nil {
			return fmt.Errorf("store: consent history: %w", err)
		}
		e.At, e.StatusAt = fromMS(at), time.Time{}
		if statusAt != 0 {
			e.StatusAt = fromMS(statusAt)
		}
		e.Action, e.Source, e.Reason = foyer.ConsentAction(action), foyer.ConsentSource(source), string(reason)
		copy(e.PrevHash[:], prev)
		copy(e.Hash[:], hash)
		if !fn(&e) {
			break
		}
	}
	return rows.Err()
}

// ConsentHistory returns a contact's history, oldest first, its reasons
// opened.
func (s *Store) ConsentHistory(ctx context.Context, workspaceID, contactID int64) ([]foyer.ConsentEntry, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	dk, err := s.contactKey(ctx, s.db, workspaceID, contactID) // ENOTFOUND for another workspace's
	if err != nil {
		return nil, err
	}
	entries, err := s.consentEntries(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	for i := range entries {
		r, err := dk.Open("consent reason", []byte(entries[i].Reason))
		if err != nil {
			return nil, fmt.Errorf("store: consent entry %d: %w", entries[i].ID, err)
		}
		entries[i].Reason = string(r)
	}
	return entries, nil
}

// ReasonGone stands for the reason of an entry whose contact, and with it
// the key that sealed the reason, was deleted.
const ReasonGone = "(unreadable: the contact was deleted)"

// WorkspaceConsentHistory returns a page of the workspace's whole history
// in ID order: at most limit entries after the entry afterID (0 for the
// start), the switches of mode (no contact) among them, the reasons opened
// (ReasonGone when the contact is gone).
func (s *Store) WorkspaceConsentHistory(ctx context.Context, workspaceID, afterID int64, limit int) ([]foyer.ConsentEntry, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	entries, err := s.consentPage(ctx, workspaceID, 0, afterID, min(max(limit, 1), 5000))
	if err != nil {
		return nil, err
	}
	keys := map[int64]*vault.DataKey{}
	for i := range entries {
		e := &entries[i]
		if e.ContactID == 0 {
			continue // a mode switch's reason is not sealed
		}
		dk, ok := keys[e.ContactID]
		if !ok {
			dk, err = s.contactKey(ctx, s.db, workspaceID, e.ContactID)
			if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
				return nil, err
			}
			keys[e.ContactID] = dk
		}
		if dk == nil {
			e.Reason = ReasonGone
			continue
		}
		r, err := dk.Open("consent reason", []byte(e.Reason))
		if err != nil {
			return nil, fmt.Errorf("store: consent entry %d: %w", e.ID, err)
		}
		e.Reason = string(r)
	}
	return entries, nil
}

// VerifyConsent checks the workspace's whole history against its hashes and
// its head; nil when intact. It needs no master key.
func (s *Store) VerifyConsent(ctx context.Context, workspaceID int64) (*foyer.ChainBreak, error) {
	// The head and the entries as of one moment: an entry appended
	// meanwhile is not half seen.
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("store: verify consent: %w", err)
	}
	defer tx.Rollback()
	var head *[32]byte
	var h []byte
	err = tx.QueryRowContext(ctx, s.rebind(`/* Store.VerifyConsent */
		SELECT hash FROM consent_heads WHERE workspace_id = ?`), workspaceID).Scan(&h)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("store: consent head: %w", err)
	case len(h) != 32:
		return &foyer.ChainBreak{Problem: "the workspace's head of the history is not a hash (altered)"}, nil
	default:
		head = (*[32]byte)(h)
	}
	var v foyer.ChainVerifier
	var last int64
	err = s.eachConsentEntry(ctx, tx, workspaceID, 0, 0, math.MaxInt32, func(e *foyer.ConsentEntry) bool {
		last = e.ID
		return v.Add(e)
	})
	if err != nil {
		return nil, err
	}
	if head == nil && v.Entries() > 0 {
		return &foyer.ChainBreak{ID: last, Problem: "the workspace's head of the history is missing (deleted)"}, nil
	}
	return v.End(head), nil
}
