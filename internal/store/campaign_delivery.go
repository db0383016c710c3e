package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
)

// Campaign deliveries (see foyer.DeliveryService): the messages Foyer
// sends itself through the SMTP relay. A recipient linked to its contact
// has no address here: it is read from the contact when the message goes.
// An untracked recipient's address is sealed in its row, and cleared with
// the message's tokens as soon as the message is done.

// deliveryPurpose names the key that seals the deliveries' addresses and
// tokens.
const deliveryPurpose = "campaign deliveries"

// deliveryField binds a sealed value to its recipient.
func deliveryField(workspaceID, recipientID int64, what string) string {
	return what + " of recipient " + strconv.FormatInt(recipientID, 10) + " of workspace " + strconv.FormatInt(workspaceID, 10)
}

// deliveryTokens is what is sealed of a message's tokens.
type deliveryTokens struct {
	Open  string   `json:"o"`
	Links []string `json:"l,omitempty"`
}

// QueueDeliveries makes the messages as SendCampaign does and queues them
// under a new job, in one transaction.
func (s *Store) QueueDeliveries(ctx context.Context, job foyer.DeliveryJob) ([]foyer.RecipientTokens, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	if job.PerMinute == 0 {
		job.PerMinute = foyer.DefaultDeliveryPace
	}
	switch {
	case job.PerMinute < 1 || job.PerMinute > foyer.MaxDeliveryPace:
		return nil, foyer.Errorf(foyer.EINVALID, "per_minute: from 1 to %d messages a minute", foyer.MaxDeliveryPace)
	case len(job.To) > foyer.MaxCampaignRecipients:
		return nil, foyer.Errorf(foyer.EINVALID, "%d recipients: at most %d a call", len(job.To), foyer.MaxCampaignRecipients)
	}
	dk, err := s.keys.Sealer(deliveryPurpose)
	if err != nil {
		return nil, err
	}
	var out []foyer.RecipientTokens
	err = s.inTx(ctx, "queue deliveries", func(tx *sql.Tx) error {
		made, contacts, err := s.sendCampaignTx(ctx, tx, job.WorkspaceID, job.CampaignID, job.To)
		if err != nil {
			return err
		}
		out = made
		var jobID int64
		if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.QueueDeliveries */
			INSERT INTO campaign_delivery_jobs (workspace_id, campaign_id, base_url, per_minute, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
			job.WorkspaceID, job.CampaignID, job.BaseURL, job.PerMinute, job.CreatedBy, ms(s.now())).Scan(&jobID); err != nil {
			return err
		}
		for i, m := range made {
			if m.Err != nil {
				continue
			}
			plain, _ := json.Marshal(deliveryTokens{Open: m.Open, Links: m.Links})
			tokens := dk.Seal(deliveryField(job.WorkspaceID, m.RecipientID, "tokens"), plain)
			var address, hash any // none for a recipient linked to its contact
			if !m.Tracked {
				c, err := s.contactWhere(ctx, tx, "id = ?", job.WorkspaceID, contacts[i], strconv.FormatInt(contacts[i], 10))
				if err != nil {
					return err
				}
				address = dk.Seal(deliveryField(job.WorkspaceID, m.RecipientID, "address"), []byte(c.Email))
				hash = s.emailLookup(job.WorkspaceID, c.Email)
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.QueueDeliveries */
				INSERT INTO campaign_deliveries (workspace_id, campaign_id, job_id, recipient_id, address, address_hash, tokens)
				VALUES (?, ?, ?, ?, ?, ?, ?)`),
				job.WorkspaceID, job.CampaignID, jobID, m.RecipientID, address, hash, tokens); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecoverDeliveries marks the messages left "sending" by a previous run
// as unknown: the relay may have taken them, so they are not sent again.
// It clears their address and tokens, and returns how many there were.
func (s *Store) RecoverDeliveries(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.RecoverDeliveries */
		UPDATE campaign_deliveries SET state = 'unknown', address = NULL, address_hash = NULL, tokens = NULL, done_at = ?,
			error = 'interrupted while the relay had it: not sent again'
		WHERE state = 'sending'`), ms(s.now()))
	if err != nil {
		return 0, fmt.Errorf("store: recover deliveries: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// TakeDelivery takes the next message due at now, of any workspace: a
// queued message of a job whose pace allows one now. It marks it sending
// and moves the job's next time by its pace, in one transaction, and
// returns it with its address and tokens; ENOTFOUND when none is due.
// A message whose recipient has no address any more (its contact erased,
// or no longer linked) is marked failed and the next is taken.
func (s *Store) TakeDelivery(ctx context.Context, now time.Time) (*foyer.Delivery, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	dk, err := s.keys.Sealer(deliveryPurpose)
	if err != nil {
		return nil, err
	}
	for {
		var d *foyer.Delivery
		var skipped bool
		err := s.inTx(ctx, "take delivery", func(tx *sql.Tx) error {
			d, skipped = nil, false
			var jobID, perMinute, attempts int64
			var contactID sql.NullInt64
			var address, tokens []byte
			d0 := &foyer.Delivery{}
			err := tx.QueryRowContext(ctx, s.rebind(`/* Store.TakeDelivery */
				SELECT d.id, d.workspace_id, d.campaign_id, d.recipient_id, d.address, d.tokens, d.attempts,
					j.id, j.per_minute, j.base_url, r.contact_id
				FROM campaign_deliveries d
				JOIN campaign_delivery_jobs j ON j.id = d.job_id
				JOIN campaign_recipients r ON r.id = d.recipient_id
				WHERE d.state = 'queued' AND d.not_before <= ? AND j.next_at <= ?
				ORDER BY j.next_at, d.id LIMIT 1`), ms(now), ms(now)).Scan(
				&d0.ID, &d0.WorkspaceID, &d0.CampaignID, &d0.RecipientID, &address, &tokens, &attempts,
				&jobID, &perMinute, &d0.BaseURL, &contactID)
			if errors.Is(err, sql.ErrNoRows) {
				return foyer.Errorf(foyer.ENOTFOUND, "no message due")
			}
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, s.rebind(`/* Store.TakeDelivery */
				UPDATE campaign_deliveries SET state = 'sending', attempts = attempts + 1 WHERE id = ? AND state = 'queued'`), d0.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				skipped = true // another sender took it
				return nil
			}
			if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.TakeDelivery */
				UPDATE campaign_delivery_jobs SET next_at = ? WHERE id = ?`),
				ms(now)+int64(time.Minute/time.Millisecond)/perMinute, jobID); err != nil {
				return err
			}
			d0.Attempts = int(attempts) + 1
			switch {
			case contactID.Valid:
				c, err := s.contactWhere(ctx, tx, "id = ?", d0.WorkspaceID, contactID.Int64, strconv.FormatInt(contactID.Int64, 10))
				if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
					return err
				}
				if c != nil {
					d0.To = c.Email
				}
			case address != nil:
				to, err := dk.Open(deliveryField(d0.WorkspaceID, d0.RecipientID, "address"), address)
				if err != nil {
					return fmt.Errorf("open address: %w", err)
				}
				d0.To = string(to)
			}
			var tk deliveryTokens
			if tokens != nil {
				plain, err := dk.Open(deliveryField(d0.WorkspaceID, d0.RecipientID, "tokens"), tokens)
				if err != nil {
					return fmt.Errorf("open tokens: %w", err)
				}
				if err := json.Unmarshal(plain, &tk); err != nil {
					return fmt.Errorf("tokens: %w", err)
				}
			}
			if d0.To == "" || tokens == nil {
				skipped = true
				return s.finishDelivery(ctx, tx, d0.ID, foyer.DeliveryOutcome{State: foyer.MessageFailed,
					Reason: "no address: the contact was erased, or is no longer linked to this message"}, now)
			}
			d0.Open, d0.Links = tk.Open, tk.Links
			if err := tx.QueryRowContext(ctx, s.rebind(`/* Store.TakeDelivery */
				SELECT subject, html FROM campaigns WHERE id = ? AND workspace_id = ?`), d0.CampaignID, d0.WorkspaceID).Scan(&d0.Subject, &d0.HTML); err != nil {
				return err
			}
			d = d0
			return nil
		})
		if err != nil {
			return nil, err
		}
		if !skipped {
			return d, nil
		}
	}
}

// FinishDelivery records what became of a message the sender took: sent
// (the recipient is delivered), bounced (the recipient's bounce, the
// reason kept without addresses), failed, or queued again for a retry.
// A message done for good loses its address and tokens.
func (s *Store) FinishDelivery(ctx context.Context, id int64, out foyer.DeliveryOutcome) error {
	return s.inTx(ctx, "finish delivery", func(tx *sql.Tx) error {
		return s.finishDelivery(ctx, tx, id, out, s.now())
	})
}

func (s *Store) finishDelivery(ctx context.Context, tx *sql.Tx, id int64, out foyer.DeliveryOutcome, now time.Time) error {
	reason := foyer.ScrubBounce(out.Reason)
	if out.State == foyer.MessageQueued {
		_, err := tx.ExecContext(ctx, s.rebind(`/* Store.FinishDelivery */
			UPDATE campaign_deliveries SET state = 'queued', not_before = ?, error = ? WHERE id = ? AND state = 'sending'`),
			ms(out.Retry), reason, id)
		return err
	}
	switch out.State {
	case foyer.MessageSent, foyer.MessageBounced, foyer.MessageFailed:
	default:
		return foyer.Errorf(foyer.EINVALID, "a message cannot end %q", out.State)
	}
	var recipient, ws int64
	err := tx.QueryRowContext(ctx, s.rebind(`/* Store.FinishDelivery */
		UPDATE campaign_deliveries SET state = ?, error = ?, done_at = ?, address = NULL, address_hash = NULL, tokens = NULL
		WHERE id = ? AND state = 'sending' RETURNING recipient_id, workspace_id`),
		string(out.State), reason, ms(now), id).Scan(&recipient, &ws)
	if errors.Is(err, sql.ErrNoRows) {
		return foyer.Errorf(foyer.ENOTFOUND, "no message %d being sent", id)
	}
	if err != nil {
		return err
	}
	switch out.State {
	case foyer.MessageSent:
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.FinishDelivery */
			UPDATE campaign_recipients SET delivered_at = ? WHERE id = ? AND workspace_id = ?`), ms(now), recipient, ws)
	case foyer.MessageBounced:
		_, err = tx.ExecContext(ctx, s.rebind(`/* Store.FinishDelivery */
			UPDATE campaign_recipients SET bounced_at = ?, bounce = ? WHERE id = ? AND workspace_id = ? AND bounced_at = 0`),
			ms(now), reason, recipient, ws)
	}
	return err
}

// DeliveryProgress counts the messages of the campaign's delivery jobs.
func (s *Store) DeliveryProgress(ctx context.Context, workspaceID, campaignID int64) (foyer.DeliveryProgress, error) {
	var p foyer.DeliveryProgress
	var found int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.DeliveryProgress */
		SELECT id FROM campaigns WHERE workspace_id = ? AND id = ?`), workspaceID, campaignID).Scan(&found)
	if errors.Is(err, sql.ErrNoRows) {
		return p, foyer.Errorf(foyer.ENOTFOUND, "no campaign %d", campaignID)
	}
	if err != nil {
		return p, fmt.Errorf("store: delivery progress: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.DeliveryProgress */
		SELECT state, COUNT(*) FROM campaign_deliveries WHERE workspace_id = ? AND campaign_id = ? GROUP BY state`), workspaceID, campaignID)
	if err != nil {
		return p, fmt.Errorf("store: delivery progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int64
		if err := rows.Scan(&state, &n); err != nil {
			return p, fmt.Errorf("store: delivery progress: %w", err)
		}
		switch foyer.MessageState(state) {
		case foyer.MessageQueued:
			p.Queued = n
		case foyer.MessageSending:
			p.Sending = n
		case foyer.MessageSent:
			p.Sent = n
		case foyer.MessageBounced:
			p.Bounced = n
		case foyer.MessageFailed:
			p.Failed = n
		case foyer.MessageUnknown:
			p.Unknown = n
		}
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("store: delivery progress: %w", err)
	}
	err = s.db.QueryRowContext(ctx, s.rebind(`/* Store.DeliveryProgress */
		SELECT per_minute FROM campaign_delivery_jobs WHERE workspace_id = ? AND campaign_id = ? ORDER BY id DESC LIMIT 1`),
		workspaceID, campaignID).Scan(&p.PerMinute)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: delivery progress: %w", err)
	}
	return p, nil
}

// forgetDeliveryAddress fails the queued messages of an erased contact
// that keep its address (those of an untracked recipient), clearing it.
func (s *Store) forgetDeliveryAddress(ctx context.Context, tx querier, workspaceID int64, emailHash []byte) error {
	_, err := tx.ExecContext(ctx, s.rebind(`/* Store.forgetDeliveryAddress */
		UPDATE campaign_deliveries SET state = 'failed', address = NULL, address_hash = NULL, tokens = NULL, done_at = ?,
			error = 'the contact was erased'
		WHERE workspace_id = ? AND address_hash = ? AND state = 'queued'`), ms(s.now()), workspaceID, emailHash)
	return err
}
