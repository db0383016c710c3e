package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/foyerhq/foyer"
)

// UpdateContactProfile replaces the profile fields of the workspace's
// contact (names, role, phone, company, language), re-sealed under its own
// data key, and when consent is not nil records that change too, all in
// one transaction, with foyer.ActorContact as the author of both; it
// returns the contact as stored. ENOTFOUND for another workspace's
// contact, EINVALID for a field over its size or an unknown language.
func (s *Store) UpdateContactProfile(ctx context.Context, workspaceID, id int64, p foyer.ContactProfile, consent *foyer.ConsentChange) (*foyer.Contact, error) {
	var change *foyer.ConsentChange
	if consent != nil {
		ch := *consent
		ch.Actor = foyer.ActorContact
		change = &ch
	}
	c, _, _, err := s.EditContact(ctx, workspaceID, id, foyer.ActorContact, func(c *foyer.Contact) error {
		c.FirstName, c.LastName, c.Role, c.Phone, c.Company, c.Language = p.FirstName, p.LastName, p.Role, p.Phone, p.Company, p.Language
		return nil
	}, change)
	return c, err
}

// Unsubscribe records that the workspace's contact unsubscribed from its
// emails, at the first time it did, and returns that time; the change is
// in the contact's record of changes (field "unsubscribed"), once.
// ENOTFOUND for another workspace's contact.
func (s *Store) Unsubscribe(ctx context.Context, workspaceID, id int64) (time.Time, error) {
	var at time.Time
	err := s.inTx(ctx, "unsubscribe", func(tx *sql.Tx) error {
		now := ms(s.now())
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.Unsubscribe */
			UPDATE contacts SET unsubscribed_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ? AND unsubscribed_at = 0`),
			now, now, workspaceID, id)
		if err != nil {
			return fmt.Errorf("store: unsubscribe: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if err := s.logContactChange(ctx, tx, workspaceID, id, foyer.ActorContact, "updated", []string{"unsubscribed"}); err != nil {
				return err
			}
		}
		at, err = s.unsubscribed(ctx, tx, workspaceID, id)
		return err
	})
	return at, err
}

// Unsubscribed returns when the workspace's contact unsubscribed from its
// emails, the zero time when it has not; ENOTFOUND for another
// workspace's contact.
func (s *Store) Unsubscribed(ctx context.Context, workspaceID, id int64) (time.Time, error) {
	return s.unsubscribed(ctx, s.db, workspaceID, id)
}

func (s *Store) unsubscribed(ctx context.Context, q querier, workspaceID, id int64) (time.Time, error) {
	var at int64
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.Unsubscribed */
		SELECT unsubscribed_at FROM contacts WHERE workspace_id = ? AND id = ?`), workspaceID, id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, foyer.Errorf(foyer.ENOTFOUND, "no contact %d", id)
	}
	if err != nil || at == 0 {
		return time.Time{}, err
	}
	return fromMS(at), nil
}

// ContactForms returns the workspace's settings of the hosted forms;
// ENOTFOUND for no workspace.
func (s *Store) ContactForms(ctx context.Context, workspaceID int64) (foyer.ContactForms, error) {
	var f foyer.ContactForms
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.ContactForms */
		SELECT unsubscribe_offers_optout, logo_type <> '' FROM workspaces WHERE id = ?`), workspaceID).Scan(&f.UnsubscribeOffersOptOut, &f.HasLogo)
	if errors.Is(err, sql.ErrNoRows) {
		return f, foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	if err != nil {
		return f, fmt.Errorf("store: contact forms: %w", err)
	}
	return f, nil
}

// SetContactForms stores the workspace's settings of the hosted forms
// (but HasLogo, which SetLogo changes); ENOTFOUND for no workspace.
func (s *Store) SetContactForms(ctx context.Context, workspaceID int64, f foyer.ContactForms) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetContactForms */
		UPDATE workspaces SET unsubscribe_offers_optout = ? WHERE id = ?`), f.UnsubscribeOffersOptOut, workspaceID)
	if err != nil {
		return fmt.Errorf("store: contact forms: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	return nil
}

// SetLogo stores the workspace's logo of media type typ (image/png or
// image/jpeg), or removes it when data is empty. EINVALID for another type
// or over foyer.MaxLogoSize; ENOTFOUND for no workspace.
func (s *Store) SetLogo(ctx context.Context, workspaceID int64, data []byte, typ string) error {
	var logo any
	switch {
	case len(data) == 0:
		typ = ""
	case typ != "image/png" && typ != "image/jpeg":
		return foyer.Errorf(foyer.EINVALID, "a logo is a PNG or JPEG image, not %s", typ)
	case len(data) > foyer.MaxLogoSize:
		return foyer.Errorf(foyer.EINVALID, "a logo has at most %d KiB", foyer.MaxLogoSize>>10)
	default:
		logo = data
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetLogo */
		UPDATE workspaces SET logo = ?, logo_type = ? WHERE id = ?`), logo, typ, workspaceID)
	if err != nil {
		return fmt.Errorf("store: logo: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	return nil
}

// Logo returns the workspace's logo and its media type; ENOTFOUND when it
// has none.
func (s *Store) Logo(ctx context.Context, workspaceID int64) ([]byte, string, error) {
	var data []byte
	var typ string
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.Logo */
		SELECT logo, logo_type FROM workspaces WHERE id = ? AND logo_type <> ''`), workspaceID).Scan(&data, &typ)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", foyer.Errorf(foyer.ENOTFOUND, "workspace %d has no logo", workspaceID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: logo: %w", err)
	}
	return data, typ, nil
}
