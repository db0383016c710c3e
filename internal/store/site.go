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

// CreateWorkspace stores w and sets its ID and CreatedAt.
func (s *Store) CreateWorkspace(ctx context.Context, w *foyer.Workspace) error {
	return s.createWorkspace(ctx, s.db, w)
}

func (s *Store) createWorkspace(ctx context.Context, q querier, w *foyer.Workspace) error {
	w.Name = strings.TrimSpace(w.Name)
	if w.Name == "" {
		return foyer.Errorf(foyer.EINVALID, "workspace name is required")
	}
	w.CreatedAt = s.now().UTC().Truncate(1e6)
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.CreateWorkspace */
		INSERT INTO workspaces (name, created_at) VALUES (?, ?) RETURNING id`),
		w.Name, ms(w.CreatedAt)).Scan(&w.ID)
	if isUniqueViolation(err) {
		return foyer.Errorf(foyer.ECONFLICT, "a workspace named %q exists", w.Name)
	}
	if err != nil {
		return fmt.Errorf("store: create workspace: %w", err)
	}
	return nil
}

// WorkspaceByName returns the named workspace, or ENOTFOUND.
func (s *Store) WorkspaceByName(ctx context.Context, name string) (*foyer.Workspace, error) {
	return s.workspaceWhere(ctx, s.db, "name", name, fmt.Sprintf("named %q", name))
}

// WorkspaceByID returns the workspace, or ENOTFOUND.
func (s *Store) WorkspaceByID(ctx context.Context, id int64) (*foyer.Workspace, error) {
	return s.workspaceWhere(ctx, s.db, "id", id, fmt.Sprint(id))
}

// workspaceWhere returns the workspace whose column col (id or name) is v,
// or ENOTFOUND naming it as what.
func (s *Store) workspaceWhere(ctx context.Context, q querier, col string, v any, what string) (*foyer.Workspace, error) {
	var w foyer.Workspace
	var created int64
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.workspaceWhere */
		SELECT id, name, created_at FROM workspaces WHERE `+col+` = ?`), v).Scan(&w.ID, &w.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no workspace %s", what)
	}
	if err != nil {
		return nil, fmt.Errorf("store: workspace %s: %w", what, err)
	}
	w.CreatedAt = fromMS(created)
	return &w, nil
}

// CreateSite stores site and sets its ID and CreatedAt.
func (s *Store) CreateSite(ctx context.Context, site *foyer.Site) error {
	if err := foyer.ValidateSite(site); err != nil {
		return fmt.Errorf("store: create site %q: %w", site.Key, err)
	}
	site.CreatedAt = s.now().UTC().Truncate(1e6)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create site %q: %w", site.Key, err)
	}
	defer tx.Rollback()
	err = tx.QueryRowContext(ctx, s.rebind(`/* Store.CreateSite */
		INSERT INTO sites (workspace_id, site_key, name, hostnames, honor_gpc, consent_mode, excluded_paths,
			keep_params, identify_forms, identify_email_links, identify_marked_forms, identify_hubspot, identify_params, created_at)
		SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM workspaces WHERE id = ? RETURNING id`),
		site.Key, site.Name, strings.Join(site.Hostnames, "\n"), site.HonorGPC, string(site.Consent),
		strings.Join(site.ExcludedPaths, "\n"), strings.Join(site.KeepParams, "\n"),
		site.Identify.Forms, site.Identify.EmailLinks, site.Identify.MarkedForms, site.Identify.HubSpot,
		strings.Join(site.Identify.Params, " "), ms(site.CreatedAt), site.WorkspaceID).Scan(&site.ID)
	switch {
	case isUniqueViolation(err):
		return foyer.Errorf(foyer.ECONFLICT, "site key %q is taken", site.Key)
	case errors.Is(err, sql.ErrNoRows):
		return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", site.WorkspaceID)
	case err != nil:
		return fmt.Errorf("store: create site %q: %w", site.Key, err)
	}
	// SQLite may give a deleted site's ID again: it is no longer deleted.
	if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.CreateSite */
		DELETE FROM deleted_sites WHERE site_id = ?`), site.ID); err != nil {
		return fmt.Errorf("store: create site %q: %w", site.Key, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: create site %q: %w", site.Key, err)
	}
	s.ingestMu.Lock()
	delete(s.deleted, site.ID)
	s.ingestMu.Unlock()
	return nil
}

const siteColumns = `id, workspace_id, site_key, name, hostnames, honor_gpc, consent_mode, excluded_paths,
	keep_params, identify_forms, identify_email_links, identify_marked_forms, identify_hubspot, identify_params, created_at`

func scanSite(row interface{ Scan(...any) error }) (*foyer.Site, error) {
	var site foyer.Site
	var hosts, consent, excluded, keep, params string
	var created int64
	if err := row.Scan(&site.ID, &site.WorkspaceID, &site.Key, &site.Name, &hosts, &site.HonorGPC, &consent, &excluded,
		&keep, &site.Identify.Forms, &site.Identify.EmailLinks, &site.Identify.MarkedForms, &site.Identify.HubSpot,
		&params, &created); err != nil {
		return nil, err
	}
	if params != "" {
		site.Identify.Params = strings.Fields(params)
	}
	if hosts != "" {
		site.Hostnames = strings.Split(hosts, "\n")
	}
	if excluded != "" {
		site.ExcludedPaths = strings.Split(excluded, "\n")
	}
	if keep != "" {
		site.KeepParams = strings.Split(keep, "\n")
	}
	site.Consent = foyer.ConsentMode(consent)
	site.CreatedAt = fromMS(created)
	return &site, nil
}

// SiteByKey returns the site with the public key, or ENOTFOUND.
func (s *Store) SiteByKey(ctx context.Context, key string) (*foyer.Site, error) {
	site, err := scanSite(s.db.QueryRowContext(ctx, s.rebind(`/* Store.SiteByKey */
		SELECT `+siteColumns+` FROM sites WHERE site_key = ?`), key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "unknown site key %q", key)
	}
	if err != nil {
		return nil, fmt.Errorf("store: site %q: %w", key, err)
	}
	return site, nil
}

// Sites returns a workspace's sites, by key.
func (s *Store) Sites(ctx context.Context, workspaceID int64) ([]*foyer.Site, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Sites */
		SELECT `+siteColumns+` FROM sites WHERE workspace_id = ? ORDER BY site_key`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: sites: %w", err)
	}
	defer rows.Close()
	var sites []*foyer.Site
	for rows.Next() {
		site, err := scanSite(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sites: %w", err)
		}
		sites = append(sites, site)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sites: %w", err)
	}
	return sites, nil
}

// LastVisit returns when the site's latest visit started (an index lookup
// on sessions(site_id, started_at)).
func (s *Store) LastVisit(ctx context.Context, siteID int64) (time.Time, error) {
	var last sql.NullInt64
	if err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.LastVisit */
		SELECT MAX(started_at) FROM sessions WHERE site_id = ?`), siteID).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("store: last visit: %w", err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	return fromMS(last.Int64), nil
}

// Workspaces lists every workspace, oldest first.
func (s *Store) Workspaces(ctx context.Context) ([]*foyer.Workspace, error) {
	rows, err := s.db.QueryContext(ctx, `/* Store.Workspaces */ SELECT id, name, created_at FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: workspaces: %w", err)
	}
	defer rows.Close()
	var out []*foyer.Workspace
	for rows.Next() {
		var w foyer.Workspace
		var created int64
		if err := rows.Scan(&w.ID, &w.Name, &created); err != nil {
			return nil, fmt.Errorf("store: workspaces: %w", err)
		}
		w.CreatedAt = fromMS(created)
		out = append(out, &w)
	}
	return out, rows.Err()
}
