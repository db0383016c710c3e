package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foyerhq/foyer"
)

// link is a browser's link to a contact, as the writer reads it when a
// visit starts or goes on: contact is 0 when the browser is linked to
// nobody, or to a contact that may not be tracked now.
type link struct {
	contact int64
	via     foyer.IdentifyVia
}

func (l link) contactID() sql.NullInt64 {
	return sql.NullInt64{Int64: l.contact, Valid: l.contact != 0}
}

// at is when a visit starting at ts is identified from: ts when linked.
func (l link) at(ts int64) int64 {
	if l.contact == 0 {
		return 0
	}
	return ts
}

// visitorLink reads the browser's link, and keeps it only when Persona
// Insights is on in the workspace and MayTrack allows the contact now: it
// is checked for every visit as it is stored, so that a refusal, a switch
// to opt-in mode or an unlink holds from the next event on.
//
// A visitor the cache knows to be linked to nobody needs no look-up: links
// are made only here, by the one writer (identify, which takes the
// visitor out of the cache first). With several writers on one PostgreSQL
// database, a visitor another writer links is seen as linked once this
// writer's cache entry for it goes, and its visits are anonymous until
// then: the safe way to be late.
func (s *Store) visitorLink(ctx context.Context, a *appendTx, vid int64) (link, error) {
	if _, ok := s.cache.unlinked[vid]; ok {
		return link{}, nil
	}
	var l link
	var via int64
	var status, mode, basis string
	var at int64
	err := s.queryRow(ctx, &a.txStmts, `/* Store.visitorLink */
		SELECT l.contact_id, l.via, c.tracking_consent, c.tracking_consent_at, w.tracking_mode, w.persona_basis
		FROM visitor_links l JOIN contacts c ON c.id = l.contact_id JOIN workspaces w ON w.id = l.workspace_id
		WHERE l.visitor_id = ?`, vid).Scan(&l.contact, &via, &status, &at, &mode, &basis)
	if errors.Is(err, sql.ErrNoRows) {
		if len(s.cache.unlinked) >= s.cache.limit {
			clear(s.cache.unlinked)
		}
		s.cache.unlinked[vid] = struct{}{}
		return link{}, nil
	}
	if err != nil {
		return link{}, fmt.Errorf("visitor link: %w", err)
	}
	if !mayLink(status, at, mode, basis) {
		return link{}, nil
	}
	l.via = foyer.IdentifyVia(via)
	return l, nil
}

// identify stores an identification: the hit's visitor is linked to its
// contact from now on, and so is its current visit from the hit's time, if
// it has one. The collector matched the contact an instant ago; whether it
// is still in the workspace, and still may be tracked, is checked here
// again, in the transaction, so that nothing is linked that should not be.
// Earlier visits stay anonymous.
func (s *Store) identify(ctx context.Context, a *appendTx, h *foyer.Hit) error {
	if h.ContactID == 0 {
		return nil
	}
	ws, err := s.workspaceOf(ctx, a, h.SiteID)
	if err != nil {
		return err
	}
	vid, err := s.visitorID(ctx, a, h)
	if err != nil {
		return err
	}
	delete(s.cache.unlinked, vid) // linked from now, unless the transaction fails
	delete(a.fresh, vid)          // its next visit looks the link up
	ts := ms(h.Time)
	// The contact must be the site's workspace's: INSERT … SELECT finds
	// nothing to insert otherwise.
	res, err := s.exec(ctx, &a.txStmts, `/* Store.identify */
		INSERT INTO visitor_links (visitor_id, workspace_id, contact_id, via, linked_at)
		SELECT ?, workspace_id, id, ?, ? FROM contacts WHERE id = ? AND workspace_id = ?
		ON CONFLICT (visitor_id) DO UPDATE SET contact_id = excluded.contact_id, via = excluded.via,
			linked_at = excluded.linked_at, workspace_id = excluded.workspace_id`,
		vid, int64(h.Via), ts, h.ContactID, ws)
	if err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	l, err := s.visitorLink(ctx, a, vid)
	if err != nil {
		return err
	}
	if l.contact != h.ContactID {
		// It may not be tracked (any more): the link is not kept.
		_, err := s.exec(ctx, &a.txStmts, `/* Store.identify */ DELETE FROM visitor_links WHERE visitor_id = ?`, vid)
		return err
	}
	cur, ok := a.visits[vid]
	if !ok {
		cur, ok = s.cache.visits[vid]
	}
	if !ok {
		if cur, ok, err = s.latestVisit(ctx, a, vid); err != nil {
			return err
		}
	}
	// A visit that ended, or is another contact's, is left as it is: the
	// next event starts a new visit, the contact's.
	if !ok || ts-cur.lastAt > s.timeout.Milliseconds() || cur.contact == h.ContactID || cur.contact != 0 {
		return nil
	}
	if _, err := s.exec(ctx, &a.txStmts, `/* Store.identify */
		UPDATE sessions SET contact_id = ?, identified_via = ?, identified_at = ? WHERE id = ?`,
		h.ContactID, int64(h.Via), ts, cur.id); err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	cur.contact = h.ContactID
	a.visits[vid] = cur
	return nil
}
