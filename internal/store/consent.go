package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
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

// recordConsent is RecordConsent in the transaction tx.
func (s *Store) recordConsent(ctx context.Context, tx *sql.Tx, workspaceID, contactID int64, in foyer.ConsentChange) (next foyer.ConsentState, applied bool, why string, err error) {
	err = func() error {
		// The head first: on PostgreSQL its lock orders the workspace's
		// appends; SQLite has one writer.
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordConsent */
			INSERT INTO consent_heads (workspace_id, hash) SELECT id, ? FROM workspaces WHERE id = ?
			ON CONFLICT (workspace_id) DO NOTHING`), make([]byte, 32), workspaceID); err != nil {
			return err
		}
		lock := ""
		if s.dialect == Postgres {
			lock = " FOR UPDATE"
		}
		var head []byte
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordConsent */
			SELECT hash FROM consent_heads WHERE workspace_id = ?`+lock), workspaceID).Scan(&head)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
		}
		if err != nil {
			return err
		}
		var keyID, status string
		var wrapped []byte
		var at int64
		err = tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordConsent */
			SELECT key_id, data_key, tracking_consent, tracking_consent_at FROM contacts WHERE workspace_id = ? AND id = ?`),
			workspaceID, contactID).Scan(&keyID, &wrapped, &status, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no contact %d", contactID)
		}
		if err != nil {
			return err
		}
		stored := foyer.ConsentState{Status: foyer.ConsentStatus(status)}
		if at != 0 {
			stored.At = fromMS(at)
		}
		now := s.now()
		if next, applied, why, err = foyer.ApplyConsent(stored, in, now); err != nil {
			return err
		}
		dk, err := s.keys.DataKey(wrapped, contactOwner(workspaceID, keyID))
		if err != nil {
			return err
		}
		e := foyer.NewConsentEntry(workspaceID, contactID, in, applied, why, now)
		e.Reason = string(dk.Seal("consent reason", []byte(in.Reason)))
		if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordConsent */
			INSERT INTO consent_history (workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
			workspaceID, contactID, ms(e.At), msOrZero(e.StatusAt), string(e.Action), string(e.Source), e.Actor, []byte(e.Reason),
			applied, why, head, head).Scan(&e.ID); err != nil {
			return err
		}
		e.Seal([32]byte(head))
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordConsent */
			UPDATE consent_history SET hash = ? WHERE id = ?`), e.Hash[:], e.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.RecordConsent */
			UPDATE consent_heads SET hash = ? WHERE workspace_id = ?`), e.Hash[:], workspaceID); err != nil {
			return err
		}
		if applied {
			_, err = tx.ExecContext(ctx, s.rebind(`/* Store.RecordConsent */
				UPDATE contacts SET tracking_consent = ?, tracking_consent_at = ?, updated_at = ? WHERE id = ?`),
				string(next.Status), msOrZero(next.At), ms(now), contactID)
		}
		return err
	}()
	return next, applied, why, err
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
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.consentEntries */
		SELECT id, workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash
		FROM consent_history WHERE workspace_id = ? AND (? = 0 OR contact_id = ?) ORDER BY id`), workspaceID, contactID, contactID)
	if err != nil {
		return nil, fmt.Errorf("store: consent history: %w", err)
	}
	defer rows.Close()
	var out []foyer.ConsentEntry
	for rows.Next() {
		var e foyer.ConsentEntry
		var at, statusAt int64
		var action, source string
		var reason, prev, hash []byte
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.ContactID, &at, &statusAt, &action, &source, &e.Actor, &reason,
			&e.Applied, &e.Why, &prev, &hash); err != nil {
			return nil, fmt.Errorf("store: consent history: %w", err)
		}
		e.At = fromMS(at)
		if statusAt != 0 {
			e.StatusAt = fromMS(statusAt)
		}
		e.Action, e.Source, e.Reason = foyer.ConsentAction(action), foyer.ConsentSource(source), string(reason)
		copy(e.PrevHash[:], prev)
		copy(e.Hash[:], hash)
		out = append(out, e)
	}
	return out, rows.Err()
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

// VerifyConsent checks the workspace's whole history against its hashes and
// its head; nil when intact. It needs no master key.
func (s *Store) VerifyConsent(ctx context.Context, workspaceID int64) (*foyer.ChainBreak, error) {
	entries, err := s.consentEntries(ctx, workspaceID, 0)
	if err != nil {
		return nil, err
	}
	var head *[32]byte
	var h []byte
	err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.VerifyConsent */
		SELECT hash FROM consent_heads WHERE workspace_id = ?`), workspaceID).Scan(&h)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if len(entries) > 0 {
			return &foyer.ChainBreak{ID: entries[len(entries)-1].ID, Problem: "the workspace's head of the history is missing (deleted)"}, nil
		}
	case err != nil:
		return nil, fmt.Errorf("store: consent head: %w", err)
	case len(h) != 32:
		return &foyer.ChainBreak{Problem: "the workspace's head of the history is not a hash (altered)"}, nil
	default:
		head = (*[32]byte)(h)
	}
	return foyer.VerifyChain(entries, head), nil
}
