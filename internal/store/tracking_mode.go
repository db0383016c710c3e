package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// TrackingMode returns the workspace's contact-tracking consent mode.
func (s *Store) TrackingMode(ctx context.Context, workspaceID int64) (foyer.TrackingMode, error) {
	return s.trackingMode(ctx, s.db, workspaceID)
}

func (s *Store) trackingMode(ctx context.Context, q querier, workspaceID int64) (foyer.TrackingMode, error) {
	var mode string
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.TrackingMode */
		SELECT tracking_mode FROM workspaces WHERE id = ?`), workspaceID).Scan(&mode)
	if errors.Is(err, sql.ErrNoRows) {
		return "", foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	if err != nil {
		return "", fmt.Errorf("store: tracking mode: %w", err)
	}
	return foyer.TrackingMode(mode), nil
}

// SetTrackingMode switches the workspace to mode and appends the switch to
// its consent history (source mode, no contact), with actor and reason, in
// one transaction; changed is false, and nothing is written, when the
// workspace is in that mode already. The reason is kept in plain text: it
// belongs to no contact.
func (s *Store) SetTrackingMode(ctx context.Context, workspaceID int64, mode foyer.TrackingMode, actor, reason string) (changed bool, err error) {
	if mode != foyer.TrackingOptIn && mode != foyer.TrackingOptOut {
		return false, foyer.Errorf(foyer.EINVALID, "%q is not a tracking mode: use opt-out or opt-in", string(mode))
	}
	err = s.inTx(ctx, "tracking mode", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.SetTrackingMode */
			UPDATE workspaces SET tracking_mode = ? WHERE id = ? AND tracking_mode <> ?`), string(mode), workspaceID, string(mode))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := s.trackingMode(ctx, tx, workspaceID); err != nil {
				return err // ENOTFOUND
			}
			return nil
		}
		changed = true
		why := "applied: contacts with no answer may be tracked (opt-out mode)"
		if mode == foyer.TrackingOptIn {
			why = "applied: only contacts who accepted may be tracked (opt-in mode)"
		}
		e := foyer.ConsentEntry{WorkspaceID: workspaceID, At: s.now(), Action: foyer.ModeAction(mode), Source: foyer.SourceMode,
			Actor: actor, Reason: reason, Applied: true, Why: why}
		if err := s.appendConsentEntry(ctx, tx, &e); err != nil {
			return err
		}
		if err := s.markWorkspaceFull(ctx, tx, workspaceID); err != nil {
			return err
		}
		return s.detachUntracked(ctx, tx, workspaceID, mode)
	})
	return changed, err
}

// detachUntracked detaches from their campaigns the contacts that MayTrack
// no longer allows in mode, after a switch of the workspace's mode.
func (s *Store) detachUntracked(ctx context.Context, tx *sql.Tx, workspaceID int64, mode foyer.TrackingMode) error {
	rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.detachUntracked */
		SELECT DISTINCT c.id, c.tracking_consent, c.tracking_consent_at FROM campaign_recipients r
		JOIN contacts c ON c.id = r.contact_id AND c.workspace_id = r.workspace_id WHERE r.workspace_id = ?`), workspaceID)
	if err != nil {
		return err
	}
	var gone []int64
	for rows.Next() {
		var id, at int64
		var status string
		if err := rows.Scan(&id, &status, &at); err != nil {
			rows.Close()
			return err
		}
		if !foyer.MayTrack(mode, consentState(status, at)) {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range gone {
		if err := s.detachContact(ctx, tx, workspaceID, id); err != nil {
			return err
		}
	}
	return nil
}
