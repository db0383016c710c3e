package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

// SiteByID returns the site of the workspace, or ENOTFOUND, also when the
// site belongs to another workspace.
func (s *Store) SiteByID(ctx context.Context, workspaceID, siteID int64) (*foyer.Site, error) {
	site, err := scanSite(s.db.QueryRowContext(ctx, s.rebind(`/* Store.SiteByID */
		SELECT `+siteColumns+` FROM sites WHERE id = ? AND workspace_id = ?`), siteID, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "site %d not found", siteID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: site %d: %w", siteID, err)
	}
	return site, nil
}

// UpdateSite stores the settings of the site site.ID of workspace
// site.WorkspaceID: name, hostnames, GPC, consent mode, excluded paths,
// kept query parameters and identification features, validated and normalised as ValidateSite does.
// The key and creation time stay; UpdateSite sets them in site. It returns
// ENOTFOUND when the workspace has no such site (another workspace's site
// is left alone), EINVALID for bad settings, and stores nothing on error.
func (s *Store) UpdateSite(ctx context.Context, site *foyer.Site) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: update site %d: %w", site.ID, err)
	}
	defer tx.Rollback()
	if err := s.updateSite(ctx, tx, site); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: update site %d: %w", site.ID, err)
	}
	return nil
}

func (s *Store) updateSite(ctx context.Context, tx *sql.Tx, site *foyer.Site) error {
	var created int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.UpdateSite */
		SELECT site_key, created_at FROM sites WHERE id = ? AND workspace_id = ?`),
		site.ID, site.WorkspaceID).Scan(&site.Key, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "site %d not found", site.ID)
	}
	if err != nil {
		return fmt.Errorf("store: update site %d: %w", site.ID, err)
	}
	site.CreatedAt = fromMS(created)
	if err := foyer.ValidateSite(site); err != nil {
		return fmt.Errorf("store: update site %d: %w", site.ID, err)
	}
	_, err = tx.ExecContext(ctx, s.rebind(`/* Store.UpdateSite */
		UPDATE sites SET name = ?, hostnames = ?, honor_gpc = ?, consent_mode = ?, excluded_paths = ?,
			keep_params = ?, identify_forms = ?, identify_email_links = ?, identify_marked_forms = ?,
			identify_hubspot = ?, identify_params = ?
		WHERE id = ? AND workspace_id = ?`),
		site.Name, strings.Join(site.Hostnames, "\n"), site.HonorGPC, string(site.Consent),
		strings.Join(site.ExcludedPaths, "\n"), strings.Join(site.KeepParams, "\n"),
		site.Identify.Forms, site.Identify.EmailLinks, site.Identify.MarkedForms, site.Identify.HubSpot,
		strings.Join(site.Identify.Params, " "), site.ID, site.WorkspaceID)
	if err != nil {
		return fmt.Errorf("store: update site %d: %w", site.ID, err)
	}
	return nil
}
