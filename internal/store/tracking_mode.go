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
		// Who may be tracked changed: segments and scores follow.
		return s.markWorkspaceFull(ctx, tx, workspaceID)
	})
	return changed, err
}
