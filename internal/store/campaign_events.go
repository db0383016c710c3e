package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/foyerhq/foyer"
)

// EmailToken returns what a pixel or link token leads to, by its hash,
// in one indexed query through a kept statement.
func (s *Store) EmailToken(ctx context.Context, token string) (*foyer.EmailToken, error) {
	var t foyer.EmailToken
	var sent, at int64
	var status, mode, basis string
	err := s.readRow(ctx, `/* Store.EmailToken */
		SELECT t.workspace_id, t.campaign_id, t.recipient_id, t.link_id, COALESCE(l.url, ''), r.sent_at,
			COALESCE(c.id, 0), COALESCE(c.tracking_consent, ''), COALESCE(c.tracking_consent_at, 0),
			w.tracking_mode, w.persona_basis,
			(SELECT COUNT(*) FROM campaign_links x WHERE x.campaign_id = t.campaign_id)
		FROM campaign_tokens t
		JOIN campaign_recipients r ON r.id = t.recipient_id
		JOIN workspaces w ON w.id = t.workspace_id
		LEFT JOIN campaign_links l ON l.id = t.link_id AND l.campaign_id = t.campaign_id
		LEFT JOIN contacts c ON c.id = r.contact_id AND c.workspace_id = t.workspace_id
		WHERE t.token_hash = ?`, tokenHash(token)).Scan(&t.WorkspaceID, &t.CampaignID, &t.RecipientID, &t.LinkID, &t.URL, &sent,
		&t.ContactID, &status, &at, &mode, &basis, &t.Links)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no such link")
	}
	if err != nil {
		return nil, fmt.Errorf("store: email token: %w", err)
	}
	t.SentAt = fromMS(sent)
	if t.ContactID != 0 && !foyer.MayTrack(foyer.TrackingMode(mode), consentState(status, at)) {
		t.ContactID = 0
	}
	t.Linkable = t.ContactID != 0 && basis != string(foyer.PersonaOff)
	return &t, nil
}

// RecordEmailEvents writes the events in one transaction. For each, the
// recipient's contact is checked first (MayTrack now): one that may no
// longer be tracked is detached before the event is written. An event of
// a recipient that is gone (its campaign deleted) is dropped.
func (s *Store) RecordEmailEvents(ctx context.Context, events []foyer.EmailEvent) error {
	if len(events) == 0 {
		return nil
	}
	s.ingestMu.Lock() // the kept statements
	defer s.ingestMu.Unlock()
	return s.inTx(ctx, "email events", func(tx *sql.Tx) error {
		t := &txStmts{tx: tx, stmts: map[string]*sql.Stmt{}}
		for i := range events {
			if err := s.recordEmailEvent(ctx, t, &events[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// recordEmailEvent is one event of RecordEmailEvents.
func (s *Store) recordEmailEvent(ctx context.Context, t *txStmts, e *foyer.EmailEvent) error {
	var contact, at int64
	var status, mode string
	err := s.queryRow(ctx, t, `/* Store.RecordEmailEvents */
		SELECT COALESCE(r.contact_id, 0), COALESCE(c.tracking_consent, ''), COALESCE(c.tracking_consent_at, 0), w.tracking_mode
		FROM campaign_recipients r JOIN workspaces w ON w.id = r.workspace_id
		LEFT JOIN contacts c ON c.id = r.contact_id AND c.workspace_id = r.workspace_id
		WHERE r.id = ? AND r.workspace_id = ? AND r.campaign_id = ?`, e.RecipientID, e.WorkspaceID, e.CampaignID).Scan(&contact, &status, &at, &mode)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if contact != 0 && !foyer.MayTrack(foyer.TrackingMode(mode), consentState(status, at)) {
		if _, err := s.exec(ctx, t, `/* Store.RecordEmailEvents */
			UPDATE campaign_recipients SET contact_id = NULL WHERE id = ?`, e.RecipientID); err != nil {
			return err
		}
	}
	when := ms(e.At)
	if _, err := s.exec(ctx, t, `/* Store.RecordEmailEvents */
		INSERT INTO email_events (workspace_id, campaign_id, recipient_id, link_id, kind, at, machine) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.WorkspaceID, e.CampaignID, e.RecipientID, e.LinkID, string(e.Kind), when, e.Machine); err != nil {
		return err
	}
	if e.Machine != "" {
		return nil
	}
	if e.Kind == foyer.HitOpen {
		_, err := s.exec(ctx, t, `/* Store.RecordEmailEvents */
			UPDATE campaign_recipients SET first_open_at = ? WHERE id = ? AND (first_open_at = 0 OR first_open_at > ?)`,
			when, e.RecipientID, when)
		return err
	}
	if _, err := s.exec(ctx, t, `/* Store.RecordEmailEvents */
		UPDATE campaign_recipients SET first_click_at = ? WHERE id = ? AND (first_click_at = 0 OR first_click_at > ?)`,
		when, e.RecipientID, when); err != nil {
		return err
	}
	if e.Links < 2 {
		return nil // one link clicked is what a person does
	}
	// Every link of the message clicked within AllLinksWindow: a link
	// checker, whose clicks of the window are all set apart.
	since := when - foyer.AllLinksWindow.Milliseconds()
	var distinct int
	if err := s.queryRow(ctx, t, `/* Store.RecordEmailEvents */
		SELECT COUNT(DISTINCT link_id) FROM email_events WHERE recipient_id = ? AND kind = 'click' AND at >= ? AND at <= ?`,
		e.RecipientID, since, when).Scan(&distinct); err != nil {
		return err
	}
	if distinct < e.Links {
		return nil
	}
	if _, err := s.exec(ctx, t, `/* Store.RecordEmailEvents */
		UPDATE email_events SET machine = ? WHERE recipient_id = ? AND kind = 'click' AND at >= ? AND at <= ? AND machine = ''`,
		foyer.MachineAllLinks, e.RecipientID, since, when); err != nil {
		return err
	}
	_, err = s.exec(ctx, t, `/* Store.RecordEmailEvents */
		UPDATE campaign_recipients SET first_click_at = COALESCE((SELECT MIN(at) FROM email_events
			WHERE recipient_id = ? AND kind = 'click' AND machine = ''), 0) WHERE id = ?`, e.RecipientID, e.RecipientID)
	return err
}

// EngagedContacts lists the tracked contacts (linked, and MayTrack now)
// who opened or clicked the campaign, by name; untracked counts the
// recipients who opened or clicked and are not listed.
func (s *Store) EngagedContacts(ctx context.Context, workspaceID, campaignID int64) ([]foyer.EngagedContact, int64, error) {
	if s.keys == nil {
		return nil, 0, errNoKeys
	}
	var engaged int64
	if err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.EngagedContacts */
		SELECT COUNT(*) FROM campaign_recipients WHERE workspace_id = ? AND campaign_id = ? AND (first_open_at <> 0 OR first_click_at <> 0)`),
		workspaceID, campaignID).Scan(&engaged); err != nil {
		return nil, 0, fmt.Errorf("store: engaged contacts: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.EngagedContacts */
		SELECT `+contactColumnsC+`, w.tracking_mode, r.first_open_at, r.first_click_at,
			(SELECT COUNT(*) FROM email_events e WHERE e.recipient_id = r.id AND e.kind = 'open' AND e.machine = ''),
			(SELECT COUNT(*) FROM email_events e WHERE e.recipient_id = r.id AND e.kind = 'click' AND e.machine = '')
		FROM campaign_recipients r JOIN contacts c ON c.id = r.contact_id AND c.workspace_id = r.workspace_id
		JOIN workspaces w ON w.id = r.workspace_id
		WHERE r.workspace_id = ? AND r.campaign_id = ? AND (r.first_open_at <> 0 OR r.first_click_at <> 0)`),
		workspaceID, campaignID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: engaged contacts: %w", err)
	}
	defer rows.Close()
	byContact := map[int64]*foyer.EngagedContact{}
	var shown int64
	for rows.Next() {
		var mode string
		var open, click, opens, clicks int64
		c, err := s.scanContact(func(dst ...any) error {
			return rows.Scan(append(dst, &mode, &open, &click, &opens, &clicks)...)
		})
		if err != nil {
			return nil, 0, fmt.Errorf("store: engaged contacts: %w", err)
		}
		if !foyer.MayTrack(foyer.TrackingMode(mode), c.Consent) {
			continue
		}
		shown++
		e := byContact[c.ID]
		if e == nil {
			e = &foyer.EngagedContact{ContactID: c.ID, Name: PersonName(c), Email: c.Email}
			byContact[c.ID] = e
		}
		e.FirstOpen, e.FirstClick = earliest(e.FirstOpen, open), earliest(e.FirstClick, click)
		e.Opens, e.Clicks = e.Opens+opens, e.Clicks+clicks
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: engaged contacts: %w", err)
	}
	out := make([]foyer.EngagedContact, 0, len(byContact))
	for _, e := range byContact {
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ContactID < out[j].ContactID
	})
	return out, engaged - shown, nil
}

// earliest returns the earlier of t and the time v (Unix ms, 0: none).
func earliest(t time.Time, v int64) time.Time {
	if v == 0 {
		return t
	}
	if u := fromMS(v); t.IsZero() || u.Before(t) {
		return u
	}
	return t
}

// ContactCampaigns lists the campaigns sent to the contact while linked
// to it, newest first; none when MayTrack does not allow it now.
func (s *Store) ContactCampaigns(ctx context.Context, workspaceID, contactID int64) ([]foyer.ContactCampaign, error) {
	var status, mode string
	var at int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.ContactCampaigns */
		SELECT c.tracking_consent, c.tracking_consent_at, w.tracking_mode FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
		WHERE c.workspace_id = ? AND c.id = ?`), workspaceID, contactID).Scan(&status, &at, &mode)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no contact %d", contactID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: contact campaigns: %w", err)
	}
	if !foyer.MayTrack(foyer.TrackingMode(mode), consentState(status, at)) {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ContactCampaigns */
		SELECT m.id, m.name, r.sent_at, r.first_open_at, r.first_click_at
		FROM campaign_recipients r JOIN campaigns m ON m.id = r.campaign_id
		WHERE r.workspace_id = ? AND r.contact_id = ? ORDER BY r.sent_at DESC, r.id DESC LIMIT 100`), workspaceID, contactID)
	if err != nil {
		return nil, fmt.Errorf("store: contact campaigns: %w", err)
	}
	defer rows.Close()
	var out []foyer.ContactCampaign
	for rows.Next() {
		var c foyer.ContactCampaign
		var sent, open, click int64
		if err := rows.Scan(&c.CampaignID, &c.Name, &sent, &open, &click); err != nil {
			return nil, fmt.Errorf("store: contact campaigns: %w", err)
		}
		c.SentAt, c.FirstOpen, c.FirstClick = fromMS(sent), earliest(time.Time{}, open), earliest(time.Time{}, click)
		out = append(out, c)
	}
	return out, rows.Err()
}
