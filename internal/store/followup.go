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

var _ foyer.FollowUpService = (*Store)(nil)

// AddNote stores a note on a company of the workspace.
func (s *Store) AddNote(ctx context.Context, n *foyer.Note) error {
	if err := foyer.ValidateNote(n); err != nil {
		return err
	}
	n.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	var author any
	if n.AuthorID != 0 {
		author = n.AuthorID
	}
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.AddNote */
		INSERT INTO company_notes (workspace_id, company_id, author_id, body, created_at)
		SELECT workspace_id, id, ?, ?, ? FROM companies WHERE id = ? AND workspace_id = ? RETURNING id`),
		author, n.Body, ms(n.CreatedAt), n.CompanyID, n.WorkspaceID).Scan(&n.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "company %d not found", n.CompanyID)
	}
	if err != nil {
		return fmt.Errorf("store: add note: %w", err)
	}
	if n.AuthorID != 0 {
		err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.AddNote */
			SELECT CASE WHEN name <> '' THEN name ELSE email END FROM users WHERE id = ?`), n.AuthorID).Scan(&n.Author)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: add note: %w", err)
		}
	}
	return nil
}

const noteColumns = `n.id, n.workspace_id, n.company_id, COALESCE(n.author_id, 0),
	COALESCE(CASE WHEN u.name <> '' THEN u.name ELSE u.email END, ''), n.body, n.created_at`

func scanNote(row interface{ Scan(...any) error }) (foyer.Note, error) {
	var n foyer.Note
	var created int64
	err := row.Scan(&n.ID, &n.WorkspaceID, &n.CompanyID, &n.AuthorID, &n.Author, &n.Body, &created)
	n.CreatedAt = fromMS(created)
	return n, err
}

// Note returns one of the workspace's notes.
func (s *Store) Note(ctx context.Context, workspaceID, noteID int64) (*foyer.Note, error) {
	n, err := scanNote(s.db.QueryRowContext(ctx, s.rebind(`/* Store.Note */
		SELECT `+noteColumns+` FROM company_notes n LEFT JOIN users u ON u.id = n.author_id
		WHERE n.id = ? AND n.workspace_id = ?`), noteID, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "note %d not found", noteID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: note: %w", err)
	}
	return &n, nil
}

// DeleteNote deletes one of the workspace's notes.
func (s *Store) DeleteNote(ctx context.Context, workspaceID, noteID int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.DeleteNote */
		DELETE FROM company_notes WHERE id = ? AND workspace_id = ?`), noteID, workspaceID)
	if err != nil {
		return fmt.Errorf("store: delete note: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: delete note: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "note %d not found", noteID)
	}
	return nil
}

// Notes returns the notes on a company of the workspace, newest first.
func (s *Store) Notes(ctx context.Context, workspaceID, companyID int64) ([]foyer.Note, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Notes */
		SELECT `+noteColumns+` FROM company_notes n LEFT JOIN users u ON u.id = n.author_id
		WHERE n.company_id = ? AND n.workspace_id = ? ORDER BY n.created_at DESC, n.id DESC`), companyID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: notes: %w", err)
	}
	defer rows.Close()
	var out []foyer.Note
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, fmt.Errorf("store: notes: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// lockCompany returns ENOTFOUND unless the company is the workspace's,
// and on PostgreSQL locks its row until tx ends, so that two changes of
// its tags or assignee do not pass each other's checks (SQLite's
// transaction holds the write lock already).
func (s *Store) lockCompany(ctx context.Context, tx *sql.Tx, workspaceID, companyID int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.lockCompany */
		SELECT id FROM companies WHERE id = ? AND workspace_id = ?`+s.forUpdate()), companyID, workspaceID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "company %d not found", companyID)
	}
	return err
}

// AddTag tags a company of the workspace.
func (s *Store) AddTag(ctx context.Context, workspaceID, companyID int64, tag string) error {
	tag, key, err := foyer.NormalizeTag(tag)
	if err != nil {
		return err
	}
	return s.inTx(ctx, "add tag", func(tx *sql.Tx) error {
		if err := s.lockCompany(ctx, tx, workspaceID, companyID); err != nil {
			return err
		}
		var n, has int
		if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.AddTag */
			SELECT COUNT(*), COUNT(CASE WHEN tag_key = ? THEN 1 END) FROM company_tags WHERE company_id = ?`),
			key, companyID).Scan(&n, &has); err != nil {
			return err
		}
		switch {
		case has > 0:
			return nil
		case n >= foyer.MaxCompanyTags:
			return foyer.Errorf(foyer.ECONFLICT, "a company has at most %d tags: remove one first", foyer.MaxCompanyTags)
		}
		_, err := tx.ExecContext(ctx, s.rebind(`/* Store.AddTag */
			INSERT INTO company_tags (company_id, tag_key, workspace_id, tag, created_at) VALUES (?, ?, ?, ?, ?)`),
			companyID, key, workspaceID, tag, ms(s.now()))
		return err
	})
}

// RemoveTag removes a tag of a company of the workspace.
func (s *Store) RemoveTag(ctx context.Context, workspaceID, companyID int64, tag string) error {
	_, key, err := foyer.NormalizeTag(tag)
	if err != nil {
		return foyer.Errorf(foyer.ENOTFOUND, "no such tag")
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RemoveTag */
		DELETE FROM company_tags WHERE company_id = ? AND workspace_id = ? AND tag_key = ?`), companyID, workspaceID, key)
	if err != nil {
		return fmt.Errorf("store: remove tag: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: remove tag: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "the company has no tag %q", tag)
	}
	return nil
}

// Tags returns a company's tags, by key.
func (s *Store) Tags(ctx context.Context, workspaceID, companyID int64) ([]string, error) {
	byID, err := s.tagsOf(ctx, workspaceID, []int64{companyID})
	return byID[companyID], err
}

// tagsOf returns the tags of the workspace's companies ids, by key.
func (s *Store) tagsOf(ctx context.Context, workspaceID int64, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{workspaceID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.tagsOf */
		SELECT company_id, tag FROM company_tags
		WHERE workspace_id = ? AND company_id IN (`+placeholders(len(ids))+`) ORDER BY company_id, tag_key`), args...)
	if err != nil {
		return nil, fmt.Errorf("store: tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return nil, fmt.Errorf("store: tags: %w", err)
		}
		out[id] = append(out[id], tag)
	}
	return out, rows.Err()
}

// tagRows sets the Tags of each row of a page of the feed.
func (s *Store) tagRows(ctx context.Context, workspaceID int64, page []foyer.FeedRow) error {
	ids := make([]int64, len(page))
	for i := range page {
		ids[i] = page[i].ID
	}
	byID, err := s.tagsOf(ctx, workspaceID, ids)
	for i := range page {
		page[i].Tags = byID[page[i].ID]
	}
	return err
}

// Assign assigns a company of the workspace to one of its members, or to
// nobody.
func (s *Store) Assign(ctx context.Context, workspaceID, companyID, userID int64) error {
	return s.inTx(ctx, "assign", func(tx *sql.Tx) error {
		if err := s.lockCompany(ctx, tx, workspaceID, companyID); err != nil {
			return err
		}
		if userID == 0 {
			_, err := tx.ExecContext(ctx, s.rebind(`/* Store.Assign */
				DELETE FROM company_assignees WHERE company_id = ?`), companyID)
			return err
		}
		var one int
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.Assign */
			SELECT 1 FROM memberships WHERE workspace_id = ? AND user_id = ?`), workspaceID, userID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.EINVALID, "user %d is not a member of this workspace: assign the company to a member", userID)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.Assign */
			INSERT INTO company_assignees (company_id, workspace_id, user_id, assigned_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (company_id) DO UPDATE SET workspace_id = excluded.workspace_id,
				user_id = excluded.user_id, assigned_at = excluded.assigned_at`),
			companyID, workspaceID, userID, ms(s.now()))
		return err
	})
}

// Assignee returns the ID of the member a company of the workspace is
// assigned to, 0 for nobody.
func (s *Store) Assignee(ctx context.Context, workspaceID, companyID int64) (int64, error) {
	if err := s.checkCompany(ctx, workspaceID, companyID); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Assignee */
		SELECT user_id FROM company_assignees WHERE company_id = ? AND workspace_id = ?`), companyID, workspaceID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: assignee: %w", err)
	}
	return id, nil
}

// followUpFilter returns the feed's conditions on the team's tags and
// assignments of companies c, each starting with " AND ".
func followUpFilter(q foyer.FeedQuery, c string) (string, []any) {
	var b strings.Builder
	var args []any
	if q.Tag != "" {
		key := strings.ToLower(strings.Join(strings.Fields(q.Tag), " "))
		b.WriteString(" AND EXISTS (SELECT 1 FROM company_tags t WHERE t.company_id = " + c + ".id AND t.workspace_id = ? AND t.tag_key = ?)")
		args = append(args, q.WorkspaceID, key)
	}
	if q.AssignedTo != 0 {
		b.WriteString(" AND EXISTS (SELECT 1 FROM company_assignees a WHERE a.company_id = " + c + ".id AND a.workspace_id = ? AND a.user_id = ?)")
		args = append(args, q.WorkspaceID, q.AssignedTo)
	}
	if q.Unassigned {
		b.WriteString(" AND NOT EXISTS (SELECT 1 FROM company_assignees a WHERE a.company_id = " + c + ".id)")
	}
	return b.String(), args
}
