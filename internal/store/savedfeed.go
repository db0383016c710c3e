package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// SaveFeed stores a workspace's saved feed.
func (s *Store) SaveFeed(ctx context.Context, f *foyer.SavedFeed) error {
	if err := foyer.ValidateSavedFeed(f); err != nil {
		return err
	}
	f.CreatedAt = s.now().UTC().Truncate(1e6)
	var by any
	if f.CreatedBy != 0 {
		by = f.CreatedBy
	}
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.SaveFeed */
		INSERT INTO saved_feeds (workspace_id, name, query, created_by, created_at)
		SELECT id, ?, ?, ?, ? FROM workspaces WHERE id = ? RETURNING id`),
		f.Name, f.Query, by, ms(f.CreatedAt), f.WorkspaceID).Scan(&f.ID)
	switch {
	case isUniqueViolation(err):
		return foyer.Errorf(foyer.ECONFLICT, "a feed named %q exists", f.Name)
	case errors.Is(err, sql.ErrNoRows):
		return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", f.WorkspaceID)
	case err != nil:
		return fmt.Errorf("store: save feed: %w", err)
	}
	return nil
}

const savedFeedColumns = `id, workspace_id, name, query, COALESCE(created_by, 0), created_at`

func scanSavedFeed(row interface{ Scan(...any) error }) (foyer.SavedFeed, error) {
	var f foyer.SavedFeed
	var created int64
	err := row.Scan(&f.ID, &f.WorkspaceID, &f.Name, &f.Query, &f.CreatedBy, &created)
	f.CreatedAt = fromMS(created)
	return f, err
}

// SavedFeeds returns the workspace's saved feeds, by name.
func (s *Store) SavedFeeds(ctx context.Context, workspaceID int64) ([]foyer.SavedFeed, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.SavedFeeds */
		SELECT `+savedFeedColumns+` FROM saved_feeds WHERE workspace_id = ? ORDER BY name, id`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: saved feeds: %w", err)
	}
	defer rows.Close()
	var out []foyer.SavedFeed
	for rows.Next() {
		f, err := scanSavedFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("store: saved feeds: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// SavedFeed returns one of the workspace's saved feeds.
func (s *Store) SavedFeed(ctx context.Context, workspaceID, id int64) (*foyer.SavedFeed, error) {
	f, err := scanSavedFeed(s.db.QueryRowContext(ctx, s.rebind(`/* Store.SavedFeed */
		SELECT `+savedFeedColumns+` FROM saved_feeds WHERE id = ? AND workspace_id = ?`), id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "saved feed %d not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: saved feed: %w", err)
	}
	return &f, nil
}

// DeleteSavedFeed deletes one of the workspace's saved feeds.
func (s *Store) DeleteSavedFeed(ctx context.Context, workspaceID, id int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.DeleteSavedFeed */
		DELETE FROM saved_feeds WHERE id = ? AND workspace_id = ?`), id, workspaceID)
	if err != nil {
		return fmt.Errorf("store: delete saved feed: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: delete saved feed: %w", err)
	} else if n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "saved feed %d not found", id)
	}
	return nil
}
