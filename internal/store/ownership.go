package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// checkSite returns ENOTFOUND unless the site is the workspace's: another
// workspace's site looks like one that does not exist.
func (s *Store) checkSite(ctx context.Context, workspaceID, siteID int64) error {
	return s.checkOwned(ctx, "sites", "site", workspaceID, siteID)
}

// checkCompany returns ENOTFOUND unless the company is the workspace's.
func (s *Store) checkCompany(ctx context.Context, workspaceID, companyID int64) error {
	return s.checkOwned(ctx, "companies", "company", workspaceID, companyID)
}

// checkOwned returns ENOTFOUND, naming the row as noun, unless the row id
// of table belongs to the workspace.
func (s *Store) checkOwned(ctx context.Context, table, noun string, workspaceID, id int64) error {
	var one int
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.checkOwned */
		SELECT 1 FROM `+table+` WHERE id = ? AND workspace_id = ?`), id, workspaceID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "%s %d not found", noun, id)
	}
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", noun, id, err)
	}
	return nil
}
