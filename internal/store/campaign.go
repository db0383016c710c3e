package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// Campaigns: a workspace's messages, their links, and the counts of what
// their recipients did (see foyer.CampaignService). The recipient row is
// the only link from an open or a click to a contact, and it is NULL for
// a recipient who may not be tracked.

// checkCampaign checks a new campaign's fields.
func checkCampaign(c *foyer.Campaign) error {
	c.Name, c.Subject = strings.TrimSpace(c.Name), strings.TrimSpace(c.Subject)
	for _, f := range []struct{ name, v string }{{"name", c.Name}, {"subject", c.Subject}} {
		switch {
		case f.v == "":
			return foyer.Errorf(foyer.EINVALID, "the campaign's %s is required", f.name)
		case len(f.v) > foyer.MaxCampaignName:
			return foyer.Errorf(foyer.EINVALID, "the campaign's %s is over %d bytes", f.name, foyer.MaxCampaignName)
		case !utf8.ValidString(f.v):
			return foyer.Errorf(foyer.EINVALID, "the campaign's %s is not valid UTF-8", f.name)
		}
	}
	switch {
	case strings.TrimSpace(c.HTML) == "":
		return foyer.Errorf(foyer.EINVALID, "the campaign's html is required")
	case len(c.HTML) > foyer.MaxCampaignHTML:
		return foyer.Errorf(foyer.EINVALID, "the campaign's html is over %d KiB", foyer.MaxCampaignHTML>>10)
	case !utf8.ValidString(c.HTML):
		return foyer.Errorf(foyer.EINVALID, "the campaign's html is not valid UTF-8")
	case len(c.Links) > foyer.MaxCampaignLinks:
		return foyer.Errorf(foyer.EINVALID, "the message has %d links: at most %d", len(c.Links), foyer.MaxCampaignLinks)
	}
	return nil
}

// CreateCampaign stores c and its links in one transaction.
func (s *Store) CreateCampaign(ctx context.Context, c *foyer.Campaign) error {
	if err := checkCampaign(c); err != nil {
		return err
	}
	c.CreatedAt = s.now().UTC().Truncate(time.Millisecond)
	return s.inTx(ctx, "create campaign", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.CreateCampaign */
			INSERT INTO campaigns (workspace_id, name, subject, html, created_by, created_at)
			SELECT id, ?, ?, ?, ?, ? FROM workspaces WHERE id = ? RETURNING id`),
			c.Name, c.Subject, c.HTML, c.CreatedBy, ms(c.CreatedAt), c.WorkspaceID).Scan(&c.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", c.WorkspaceID)
		}
		if err != nil {
			return err
		}
		for i := range c.Links {
			l := &c.Links[i]
			l.Position = i + 1
			if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.CreateCampaign */
				INSERT INTO campaign_links (workspace_id, campaign_id, position, url) VALUES (?, ?, ?, ?) RETURNING id`),
				c.WorkspaceID, c.ID, l.Position, l.URL).Scan(&l.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Campaigns lists the workspace's campaigns, newest first, with totals.
func (s *Store) Campaigns(ctx context.Context, workspaceID int64) ([]*foyer.Campaign, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Campaigns */
		SELECT id, name, subject, created_by, created_at FROM campaigns WHERE workspace_id = ? ORDER BY id DESC`), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	defer rows.Close()
	var out []*foyer.Campaign
	byID := map[int64]*foyer.Campaign{}
	for rows.Next() {
		c := &foyer.Campaign{WorkspaceID: workspaceID}
		var at int64
		if err := rows.Scan(&c.ID, &c.Name, &c.Subject, &c.CreatedBy, &at); err != nil {
			return nil, fmt.Errorf("store: campaigns: %w", err)
		}
		c.CreatedAt = fromMS(at)
		out = append(out, c)
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	if err := s.campaignTotals(ctx, workspaceID, 0, byID); err != nil {
		return nil, fmt.Errorf("store: campaigns: %w", err)
	}
	return out, nil
}

// Campaign returns a campaign of the workspace with its links and totals.
func (s *Store) Campaign(ctx context.Context, workspaceID, id int64) (*foyer.Campaign, error) {
	c := &foyer.Campaign{ID: id, WorkspaceID: workspaceID}
	var at int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Campaign */
		SELECT name, subject, html, created_by, created_at FROM campaigns WHERE workspace_id = ? AND id = ?`),
		workspaceID, id).Scan(&c.Name, &c.Subject, &c.HTML, &c.CreatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no campaign %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: campaign: %w", err)
	}
	c.CreatedAt = fromMS(at)
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Campaign */
		SELECT id, position, url FROM campaign_links WHERE campaign_id = ? AND workspace_id = ? ORDER BY position`), id, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: campaign: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l foyer.CampaignLink
		if err := rows.Scan(&l.ID, &l.Position, &l.URL); err != nil {
			return nil, fmt.Errorf("store: campaign: %w", err)
		}
		c.Links = append(c.Links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: campaign: %w", err)
	}
	if err := s.campaignTotals(ctx, workspaceID, id, map[int64]*foyer.Campaign{id: c}); err != nil {
		return nil, fmt.Errorf("store: campaign: %w", err)
	}
	return c, nil
}

// campaignTotals fills the totals of the campaigns in byID (of one
// campaign when only is not 0, else of every campaign of the workspace),
// and the clicks of their links.
func (s *Store) campaignTotals(ctx context.Context, workspaceID, only int64, byID map[int64]*foyer.Campaign) error {
	if len(byID) == 0 {
		return nil
	}
	cond, args := "workspace_id = ?", []any{workspaceID}
	if only != 0 {
		cond, args = "workspace_id = ? AND campaign_id = ?", []any{workspaceID, only}
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.campaignTotals */
		SELECT campaign_id, COUNT(*),
			SUM(CASE WHEN bounced_at <> 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN first_open_at <> 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN first_click_at <> 0 THEN 1 ELSE 0 END),
			SUM(CASE WHEN contact_id IS NULL THEN 1 ELSE 0 END)
		FROM campaign_recipients WHERE `+cond+` GROUP BY campaign_id`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t foyer.CampaignTotals
		if err := rows.Scan(&id, &t.Sent, &t.Bounced, &t.UniqueOpens, &t.UniqueClicks, &t.Untracked); err != nil {
			return err
		}
		if c := byID[id]; c != nil {
			c.Totals = t
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	links := map[int64]*foyer.CampaignLink{}
	for _, c := range byID {
		for i := range c.Links {
			links[c.Links[i].ID] = &c.Links[i]
		}
	}
	ev, err := s.db.QueryContext(ctx, s.rebind(`/* Store.campaignTotals */
		SELECT campaign_id, kind, link_id, CASE WHEN machine = '' THEN 0 ELSE 1 END, COUNT(*), COUNT(DISTINCT recipient_id)
		FROM email_events WHERE `+cond+` GROUP BY campaign_id, kind, link_id, CASE WHEN machine = '' THEN 0 ELSE 1 END`), args...)
	if err != nil {
		return err
	}
	defer ev.Close()
	for ev.Next() {
		var id, link, machine, n, distinct int64
		var kind string
		if err := ev.Scan(&id, &kind, &link, &machine, &n, &distinct); err != nil {
			return err
		}
		c := byID[id]
		if c == nil {
			continue
		}
		t := &c.Totals
		switch {
		case kind == string(foyer.HitOpen) && machine == 0:
			t.Opens += n
		case kind == string(foyer.HitOpen):
			t.MachineOpens += n
		case machine == 0:
			t.Clicks += n
		default:
			t.MachineClicks += n
		}
		if l := links[link]; l != nil && kind == string(foyer.HitClick) {
			if machine == 0 {
				l.Clicks, l.UniqueClicks = l.Clicks+n, l.UniqueClicks+distinct
			} else {
				l.MachineClicks += n
			}
		}
	}
	if err := ev.Err(); err != nil {
		return err
	}
	for _, c := range byID {
		c.Totals.Finish()
	}
	return nil
}
