package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/foyerhq/foyer"
)

// newEmailToken returns a random token of 192 bits, base64url.
func newEmailToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SendCampaign makes the recipients' messages' rows and tokens in one
// transaction. A recipient is linked to its contact only when MayTrack
// allows it now (Persona Insights does not matter here); else its row has
// no contact from the start.
func (s *Store) SendCampaign(ctx context.Context, workspaceID, campaignID int64, to []foyer.Recipient) ([]foyer.RecipientTokens, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	if len(to) > foyer.MaxCampaignRecipients {
		return nil, foyer.Errorf(foyer.EINVALID, "%d recipients: at most %d a call", len(to), foyer.MaxCampaignRecipients)
	}
	var out []foyer.RecipientTokens
	err := s.inTx(ctx, "send campaign", func(tx *sql.Tx) error {
		var err error
		out, _, err = s.sendCampaignTx(ctx, tx, workspaceID, campaignID, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sendCampaignTx makes the recipients' rows and tokens in tx, and
// returns with them the contact each recipient named (0 for an error).
func (s *Store) sendCampaignTx(ctx context.Context, tx *sql.Tx, workspaceID, campaignID int64, to []foyer.Recipient) ([]foyer.RecipientTokens, []int64, error) {
	out := make([]foyer.RecipientTokens, len(to))
	contacts := make([]int64, len(to))
	err := func() error {
		var found int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.SendCampaign */
			SELECT id FROM campaigns WHERE workspace_id = ? AND id = ?`), workspaceID, campaignID).Scan(&found)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no campaign %d", campaignID)
		}
		if err != nil {
			return err
		}
		mode, err := s.trackingMode(ctx, tx, workspaceID)
		if err != nil {
			return err
		}
		var links []int64
		rows, err := tx.QueryContext(ctx, s.rebind(`/* Store.SendCampaign */
			SELECT id FROM campaign_links WHERE campaign_id = ? ORDER BY position`), campaignID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			links = append(links, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := ms(s.now())
		for i, r := range to {
			contact, tracked, err := s.recipientContact(ctx, tx, workspaceID, mode, r)
			if err != nil {
				if foyer.ErrorCode(err) == foyer.EINTERNAL {
					return err
				}
				out[i].Err = err
				continue
			}
			contacts[i] = contact
			var linked any // NULL: no link to the contact at all
			if tracked {
				linked = contact
			}
			rt := &out[i]
			rt.Tracked = tracked
			if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.SendCampaign */
				INSERT INTO campaign_recipients (workspace_id, campaign_id, contact_id, sent_at) VALUES (?, ?, ?, ?) RETURNING id`),
				workspaceID, campaignID, linked, now).Scan(&rt.RecipientID); err != nil {
				return err
			}
			rt.Open = newEmailToken()
			rt.Links = make([]string, len(links))
			args := []any{tokenHash(rt.Open), workspaceID, campaignID, rt.RecipientID, int64(0)}
			for j, l := range links {
				rt.Links[j] = newEmailToken()
				args = append(args, tokenHash(rt.Links[j]), workspaceID, campaignID, rt.RecipientID, l)
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.SendCampaign */
				INSERT INTO campaign_tokens (token_hash, workspace_id, campaign_id, recipient_id, link_id) VALUES `+
				strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?),", len(links)+1), ",")), args...); err != nil {
				return err
			}
		}
		return nil
	}()
	if err != nil {
		return nil, nil, err
	}
	return out, contacts, nil
}

// recipientContact finds the contact a recipient names, by ID or email,
// and whether MayTrack allows tracking it now; ENOTFOUND or EINVALID when
// it names none.
func (s *Store) recipientContact(ctx context.Context, tx querier, workspaceID int64, mode foyer.TrackingMode, r foyer.Recipient) (int64, bool, error) {
	var cond string
	var arg any
	switch {
	case r.ContactID != 0 && r.Email != "":
		return 0, false, foyer.Errorf(foyer.EINVALID, "give a contact_id or an email, not both")
	case r.ContactID != 0:
		cond, arg = "id = ?", r.ContactID
	case r.Email != "":
		norm, err := foyer.NormalizeContactEmail(r.Email)
		if err != nil {
			return 0, false, err
		}
		cond, arg = "email_hash = ?", s.emailLookup(workspaceID, norm)
	default:
		return 0, false, foyer.Errorf(foyer.EINVALID, "a recipient needs a contact_id or an email")
	}
	var id, at int64
	var status string
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.recipientContact */
		SELECT id, tracking_consent, tracking_consent_at FROM contacts WHERE workspace_id = ? AND `+cond),
		workspaceID, arg).Scan(&id, &status, &at)
	if errors.Is(err, sql.ErrNoRows) {
		if r.ContactID != 0 {
			return 0, false, foyer.Errorf(foyer.ENOTFOUND, "no contact %d", r.ContactID)
		}
		return 0, false, foyer.Errorf(foyer.ENOTFOUND, "no contact with that email")
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: recipient: %w", err)
	}
	return id, foyer.MayTrack(mode, consentState(status, at)), nil
}

// detachContact unlinks the contact's campaign recipients (it may no
// longer be tracked, or is erased): their opens and clicks stay counted,
// linked to nobody.
func (s *Store) detachContact(ctx context.Context, tx querier, workspaceID, contactID int64) error {
	_, err := tx.ExecContext(ctx, s.rebind(`/* Store.detachContact */
		UPDATE campaign_recipients SET contact_id = NULL WHERE workspace_id = ? AND contact_id = ?`), workspaceID, contactID)
	return err
}

// RecordBounce marks a recipient of the workspace's campaign as bounced,
// keeping its first bounce; the reason is kept without the addresses it
// may quote.
func (s *Store) RecordBounce(ctx context.Context, workspaceID, campaignID, recipientID int64, reason string) error {
	reason = foyer.ScrubBounce(reason)
	return s.inTx(ctx, "bounce", func(tx *sql.Tx) error {
		var found int64
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.RecordBounce */
			SELECT id FROM campaign_recipients WHERE workspace_id = ? AND campaign_id = ? AND id = ?`),
			workspaceID, campaignID, recipientID).Scan(&found)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no recipient %d of campaign %d", recipientID, campaignID)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.RecordBounce */
			UPDATE campaign_recipients SET bounced_at = ?, bounce = ? WHERE id = ? AND bounced_at = 0`),
			ms(s.now()), reason, recipientID)
		return err
	})
}
