package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

var _ foyer.RequestService = (*Store)(nil)

// maxReference bounds a request's reference, in bytes.
const maxReference = 200

// OpenRequest records a data-subject request about a contact of the
// workspace.
func (s *Store) OpenRequest(ctx context.Context, r *foyer.SubjectRequest) error {
	if !r.Kind.Valid() {
		return foyer.Errorf(foyer.EINVALID, "unknown kind of request %q: want access, rectification, erasure or objection", r.Kind)
	}
	r.Reference = cutUTF8(strings.TrimSpace(r.Reference), maxReference)
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = s.now()
	}
	r.ReceivedAt = r.ReceivedAt.UTC().Truncate(time.Millisecond)
	if r.ReceivedAt.After(s.now().Add(time.Minute)) {
		return foyer.Errorf(foyer.EINVALID, "a request cannot be received in the future")
	}
	return s.inTx(ctx, "open request", func(tx *sql.Tx) error {
		var days int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.OpenRequest */
			SELECT w.request_days FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
			WHERE c.id = ? AND c.workspace_id = ?`), r.ContactID, r.WorkspaceID).Scan(&days)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no contact %d", r.ContactID)
		}
		if err != nil {
			return err
		}
		r.Status = foyer.RequestOpen
		r.DueAt = r.ReceivedAt.AddDate(0, 0, int(days))
		r.ClosedAt, r.ClosedBy, r.Outcome = time.Time{}, "", ""
		return tx.QueryRowContext(ctx, s.rebind(`/* Store.OpenRequest */
			INSERT INTO subject_requests (workspace_id, contact_id, kind, status, reference, received_at, due_at, opened_by)
			VALUES (?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id`),
			r.WorkspaceID, r.ContactID, string(r.Kind), r.Reference, ms(r.ReceivedAt), ms(r.DueAt), r.OpenedBy).Scan(&r.ID)
	})
}

const requestColumns = `id, workspace_id, contact_id, kind, status, reference, received_at, due_at, opened_by, closed_at, closed_by, outcome`

func scanRequest(scan func(...any) error) (foyer.SubjectRequest, error) {
	var r foyer.SubjectRequest
	var kind, status string
	var received, due, closed int64
	err := scan(&r.ID, &r.WorkspaceID, &r.ContactID, &kind, &status, &r.Reference, &received, &due, &r.OpenedBy, &closed, &r.ClosedBy, &r.Outcome)
	r.Kind, r.Status, r.ReceivedAt, r.DueAt = foyer.RequestKind(kind), foyer.RequestStatus(status), fromMS(received), fromMS(due)
	if closed != 0 {
		r.ClosedAt = fromMS(closed)
	}
	return r, err
}

// SubjectRequests lists the workspace's requests: the open ones by due
// date, then the closed ones newest first.
func (s *Store) SubjectRequests(ctx context.Context, workspaceID int64, q foyer.RequestQuery) ([]foyer.SubjectRequest, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	where, args := "workspace_id = ?", []any{workspaceID}
	if q.ContactID != 0 {
		where += " AND contact_id = ?"
		args = append(args, q.ContactID)
	}
	if q.OpenOnly {
		where += " AND status = 'open'"
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.SubjectRequests */
		SELECT `+requestColumns+` FROM subject_requests WHERE `+where+`
		ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END,
			CASE WHEN status = 'open' THEN due_at ELSE -closed_at END, id LIMIT ?`), append(args, q.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: requests: %w", err)
	}
	defer rows.Close()
	var out []foyer.SubjectRequest
	for rows.Next() {
		r, err := scanRequest(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("store: requests: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SubjectRequest returns a request of the workspace.
func (s *Store) SubjectRequest(ctx context.Context, workspaceID, id int64) (*foyer.SubjectRequest, error) {
	r, err := scanRequest(s.db.QueryRowContext(ctx, s.rebind(`/* Store.SubjectRequest */
		SELECT `+requestColumns+` FROM subject_requests WHERE id = ? AND workspace_id = ?`), id, workspaceID).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no request %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: request: %w", err)
	}
	return &r, nil
}

// CloseRequest records that an open request was handled or rejected.
func (s *Store) CloseRequest(ctx context.Context, workspaceID, id int64, status foyer.RequestStatus, outcome, actor string) (*foyer.SubjectRequest, error) {
	if status != foyer.RequestDone && status != foyer.RequestRejected {
		return nil, foyer.Errorf(foyer.EINVALID, "a request is closed as done or rejected, not %q", status)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.CloseRequest */
		UPDATE subject_requests SET status = ?, closed_at = ?, closed_by = ?, outcome = ?
		WHERE id = ? AND workspace_id = ? AND status = 'open'`),
		string(status), ms(now), actor, cutUTF8(outcome, 1000), id, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: close request: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("store: close request: %w", err)
	}
	r, err := s.SubjectRequest(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return r, foyer.Errorf(foyer.ECONFLICT, "request %d is %s already", id, r.Status)
	}
	return r, nil
}

// RequestDays is how many days the workspace gives itself to answer.
func (s *Store) RequestDays(ctx context.Context, workspaceID int64) (int, error) {
	var days int
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.RequestDays */
		SELECT request_days FROM workspaces WHERE id = ?`), workspaceID).Scan(&days)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	if err != nil {
		return 0, fmt.Errorf("store: request days: %w", err)
	}
	return days, nil
}

// SetRequestDays sets how many days the workspace gives itself to answer.
func (s *Store) SetRequestDays(ctx context.Context, workspaceID int64, days int) error {
	if days < 1 || days > foyer.MaxRequestDays {
		return foyer.Errorf(foyer.EINVALID, "give 1 to %d days to answer a request", foyer.MaxRequestDays)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetRequestDays */
		UPDATE workspaces SET request_days = ? WHERE id = ?`), days, workspaceID)
	if err != nil {
		return fmt.Errorf("store: set request days: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set request days: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	return nil
}
