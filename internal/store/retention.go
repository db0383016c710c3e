package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// Retention returns the workspace's retention settings, or ENOTFOUND.
func (s *Store) Retention(ctx context.Context, workspaceID int64) (foyer.Retention, error) {
	var r foyer.Retention
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Retention */
		SELECT retention_event_days, retention_link_days, retention_review_months FROM workspaces WHERE id = ?`),
		workspaceID).Scan(&r.EventDays, &r.LinkDays, &r.ReviewMonths)
	if errors.Is(err, sql.ErrNoRows) {
		return r, foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	if err != nil {
		return r, fmt.Errorf("store: retention: %w", err)
	}
	return r, nil
}

// SetRetention stores the workspace's retention settings: EINVALID unless
// they validate, ENOTFOUND when the workspace does not exist. The next run
// of the retention job applies them.
func (s *Store) SetRetention(ctx context.Context, workspaceID int64, r foyer.Retention) error {
	if err := r.Validate(); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetRetention */
		UPDATE workspaces SET retention_event_days = ?, retention_link_days = ?, retention_review_months = ? WHERE id = ?`),
		r.EventDays, r.LinkDays, r.ReviewMonths, workspaceID)
	if err != nil {
		return fmt.Errorf("store: set retention: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	return nil
}

// RetentionRuns returns the workspace's latest records of the retention
// job, newest first (limit 1 to 500).
func (s *Store) RetentionRuns(ctx context.Context, workspaceID int64, limit int) ([]foyer.RetentionRun, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.RetentionRuns */
		SELECT workspace_id, at, kind, removed, cutoff FROM retention_runs
		WHERE workspace_id = ? ORDER BY id DESC LIMIT ?`), workspaceID, min(max(limit, 1), 500))
	if err != nil {
		return nil, fmt.Errorf("store: retention runs: %w", err)
	}
	defer rows.Close()
	var out []foyer.RetentionRun
	for rows.Next() {
		var r foyer.RetentionRun
		var at, cutoff int64
		var kind string
		if err := rows.Scan(&r.WorkspaceID, &at, &kind, &r.Removed, &cutoff); err != nil {
			return nil, fmt.Errorf("store: retention runs: %w", err)
		}
		r.At, r.Cutoff, r.Kind = fromMS(at), fromMS(cutoff), foyer.RetentionKind(kind)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: retention runs: %w", err)
	}
	return out, nil
}

// ContactsToReview counts the workspace's contacts that the retention job
// flagged as inactive.
func (s *Store) ContactsToReview(ctx context.Context, workspaceID int64) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.ContactsToReview */
		SELECT COUNT(*) FROM contacts WHERE workspace_id = ? AND review_at > 0`), workspaceID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: contacts to review: %w", err)
	}
	return n, nil
}

// KeepContact unflags a contact flagged for review and makes it active
// from now, in one transaction with the record of its change; ENOTFOUND
// when the workspace has no such contact.
func (s *Store) KeepContact(ctx context.Context, workspaceID, contactID int64, actor string) error {
	return s.inTx(ctx, "keep contact", func(tx *sql.Tx) error {
		var review int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.KeepContact */
			SELECT review_at FROM contacts WHERE id = ? AND workspace_id = ?`+s.forUpdate()), contactID, workspaceID).Scan(&review)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no contact %d", contactID)
		}
		if err != nil || review == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.KeepContact */
			UPDATE contacts SET review_at = 0, updated_at = ? WHERE id = ?`), ms(s.now()), contactID); err != nil {
			return err
		}
		return s.logContactChange(ctx, tx, workspaceID, contactID, actor, "updated", []string{"kept after review"})
	})
}
