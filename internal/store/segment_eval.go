package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// Evaluation of segments and scores. A batch of a workspace's contacts is
// read (their fields opened only when a condition or rule tests one), the
// behaviour of the ones MayTrack allows is read next (an untracked
// contact's behaviour is never even read), and from both come each
// contact's score and each dynamic segment's verdict; then one
// transaction writes what changed, with an automation_events row for each
// entry, exit and score change.

// evalChunk is how many contacts one evaluation transaction covers.
const evalChunk = 1000

// evalPlan is what evaluating a workspace needs to know, read once per run.
type evalPlan struct {
	ws       int64
	mode     foyer.TrackingMode
	halfLife int
	now      time.Time
	segs     []*foyer.Segment // the dynamic ones
	rules    []*foyer.ScoreRule
	// What to read of each contact.
	sealed, company, visits, events, campaigns bool
	horizon                                    time.Time // the oldest behaviour that counts
}

// contactRules returns the plan's rules for contacts.
func (p *evalPlan) targetRules(t foyer.ScoreTarget) []*foyer.ScoreRule {
	var out []*foyer.ScoreRule
	for _, r := range p.rules {
		if r.Target == t {
			out = append(out, r)
		}
	}
	return out
}

// plan reads the workspace's mode, half-life, dynamic segments and rules.
func (s *Store) plan(ctx context.Context, workspaceID int64) (*evalPlan, error) {
	p := &evalPlan{ws: workspaceID, now: s.now().UTC().Truncate(time.Millisecond)}
	var mode string
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.plan */
		SELECT tracking_mode, score_half_life_days FROM workspaces WHERE id = ?`), workspaceID).Scan(&mode, &p.halfLife)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", workspaceID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: evaluation plan: %w", err)
	}
	p.mode = foyer.TrackingMode(mode)
	segs, err := s.Segments(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	for _, sg := range segs {
		if !sg.Static() {
			p.segs = append(p.segs, sg)
		}
	}
	if p.rules, err = s.ScoreRules(ctx, workspaceID); err != nil {
		return nil, err
	}
	days := 0
	note := func(c foyer.Condition, window int) {
		switch c.Kind {
		case foyer.CondContact:
			p.sealed = true
		case foyer.CondCompany:
			p.company = true
		case foyer.CondVisited, foyer.CondEngaged:
			p.visits, p.events = true, true
		case foyer.CondForm:
			p.visits = true
		case foyer.CondOpened, foyer.CondClicked:
			p.campaigns = true
		}
		if c.Kind.Behavioural() {
			days = max(days, window)
		}
	}
	// Rules count behaviour until it has decayed to under a thousandth.
	ruleDays := min(10*max(p.halfLife, 1), foyer.MaxConditionDays)
	for _, r := range p.rules {
		note(r.Condition, ruleDays)
	}
	for _, sg := range p.segs {
		for _, c := range sg.Definition.Conditions {
			note(c, c.Days)
			if c.Kind == foyer.CondScore {
				for _, r := range p.rules {
					if r.Target == foyer.TargetContact {
						note(r.Condition, ruleDays)
					}
				}
			}
		}
	}
	p.horizon = p.now.Add(-time.Duration(days) * 24 * time.Hour)
	return p, nil
}

// evalVisit is an identified visit of a contact (or any visit of a
// company), with what happened in it after its identification.
type evalVisit struct {
	id           int64
	start        time.Time
	viaForm      bool
	identifiedAt time.Time
	first, last  int64
	pages        []evalPage
	read         bool  // whether pages holds its events
	engagedMS    int64 // the session's, when its events are not read
}

// evalPage is a page view or an engagement ping of a visit.
type evalPage struct {
	at        time.Time
	path      string
	engagedMS int64
}

// evalCampaign is a contact's first open and click of a campaign (Unix
// ms, 0 for none).
type evalCampaign struct {
	campaign, openAt, clickAt int64
}

// evalContact is a contact with what its evaluation reads.
type evalContact struct {
	c         *foyer.Contact
	company   *foyer.Company
	tracked   bool
	visits    []*evalVisit
	campaigns []evalCampaign
	score     int64 // the new score, milli
	behaviour int64 // of which from behaviour
}

// loadContacts reads the workspace's contacts that where (with args)
// selects, with their companies and, for the tracked ones, behaviour.
func (s *Store) loadContacts(ctx context.Context, p *evalPlan, limit int, where string, args ...any) ([]*evalContact, error) {
	cols := `c.id, COALESCE(c.company_id, 0), c.crm_id, c.tracking_consent, c.tracking_consent_at, c.updated_at,
		COALESCE(co.name, ''), COALESCE(co.domain, ''), COALESCE(co.country, ''), COALESCE(co.city, ''),
		COALESCE(co.type, ''), COALESCE(co.industry, ''), COALESCE(co.size, '')`
	if p.sealed {
		cols += `, c.key_id, c.data_key, c.sealed`
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.loadContacts */
		SELECT `+cols+` FROM contacts c LEFT JOIN companies co ON co.id = c.company_id
		WHERE c.workspace_id = ? AND `+where+` ORDER BY c.id LIMIT `+strconv.Itoa(limit)), append([]any{p.ws}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: evaluate contacts: %w", err)
	}
	var out []*evalContact
	type sealedRow struct {
		keyID          string
		wrapped, value []byte
	}
	var sealed []sealedRow
	for rows.Next() {
		c := &foyer.Contact{WorkspaceID: p.ws}
		co := &foyer.Company{}
		var status, typ string
		var at, updated int64
		dst := []any{&c.ID, &c.CompanyID, &c.CRMID, &status, &at, &updated,
			&co.Name, &co.Domain, &co.Country, &co.City, &typ, &co.Industry, &co.Size}
		var sr sealedRow
		if p.sealed {
			dst = append(dst, &sr.keyID, &sr.wrapped, &sr.value)
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: evaluate contacts: %w", err)
		}
		c.Consent, c.UpdatedAt = consentState(status, at), fromMS(updated)
		co.ID, co.Type = c.CompanyID, foyer.OrgType(typ)
		e := &evalContact{c: c, tracked: foyer.MayTrack(p.mode, c.Consent)}
		if c.CompanyID != 0 {
			e.company = co
		}
		out = append(out, e)
		sealed = append(sealed, sr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: evaluate contacts: %w", err)
	}
	if p.sealed {
		if s.keys == nil {
			return nil, errNoKeys
		}
		for i, e := range out {
			if err := s.openSealed(ctx, e.c, sealed[i].keyID, sealed[i].wrapped, sealed[i].value); err != nil {
				return nil, err
			}
		}
	}
	var tracked []*evalContact
	for _, e := range out {
		if e.tracked {
			tracked = append(tracked, e)
		}
	}
	if len(tracked) > 0 {
		if err := s.loadBehaviour(ctx, p, tracked); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openSealed opens a contact's sealed fields into c.
func (s *Store) openSealed(ctx context.Context, c *foyer.Contact, keyID string, wrapped, value []byte) error {
	dk, err := s.dataKey(ctx, s.db, wrapped, contactOwner(c.WorkspaceID, keyID))
	if err != nil {
		return fmt.Errorf("store: contact %d: %w", c.ID, err)
	}
	plain, err := dk.Open("contact", value)
	if err != nil {
		return fmt.Errorf("store: contact %d: %w", c.ID, err)
	}
	var f sealedContact
	if err := json.Unmarshal(plain, &f); err != nil {
		return fmt.Errorf("store: contact %d: %w", c.ID, err)
	}
	c.Email, c.FirstName, c.LastName, c.Role, c.Phone, c.Attrs = f.Email, f.FirstName, f.LastName, f.Role, f.Phone, f.Attrs
	c.Company, c.Language = f.Company, f.Language
	return nil
}

// idArgs returns the contacts' IDs as arguments.
func idArgs(list []*evalContact) []any {
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = e.c.ID
	}
	return out
}

// loadBehaviour reads the identified visits and campaign engagement of
// tracked contacts since the plan's horizon. Only callers that checked
// MayTrack pass contacts here.
func (s *Store) loadBehaviour(ctx context.Context, p *evalPlan, list []*evalContact) error {
	byID := make(map[int64]*evalContact, len(list))
	for _, e := range list {
		byID[e.c.ID] = e
	}
	ids := idArgs(list)
	if p.visits {
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.loadBehaviour */
			SELECT s.id, s.contact_id, s.started_at, s.identified_via, s.identified_at,
				COALESCE(s.first_event_id, 0), COALESCE(s.last_event_id, 0), s.engaged_ms
			FROM sessions s JOIN sites si ON si.id = s.site_id
			WHERE si.workspace_id = ? AND s.contact_id IN (`+placeholders(len(ids))+`) AND s.last_at >= ?`),
			append(append([]any{p.ws}, ids...), ms(p.horizon))...)
		if err != nil {
			return fmt.Errorf("store: evaluate visits: %w", err)
		}
		var all []*evalVisit
		for rows.Next() {
			v := &evalVisit{}
			var contact, started, via, identified int64
			if err := rows.Scan(&v.id, &contact, &started, &via, &identified, &v.first, &v.last, &v.engagedMS); err != nil {
				rows.Close()
				return fmt.Errorf("store: evaluate visits: %w", err)
			}
			v.start, v.identifiedAt = fromMS(started), fromMS(identified)
			v.viaForm = foyer.IdentifyVia(via) == foyer.ViaForm
			byID[contact].visits = append(byID[contact].visits, v)
			all = append(all, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: evaluate visits: %w", err)
		}
		if p.events {
			if err := s.loadVisitEvents(ctx, all, true); err != nil {
				return err
			}
		}
	}
	if p.campaigns {
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.loadBehaviour */
			SELECT contact_id, campaign_id, first_open_at, first_click_at FROM campaign_recipients
			WHERE workspace_id = ? AND contact_id IN (`+placeholders(len(ids))+`) AND (first_open_at > 0 OR first_click_at > 0)`),
			append([]any{p.ws}, ids...)...)
		if err != nil {
			return fmt.Errorf("store: evaluate campaigns: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var contact int64
			var c evalCampaign
			if err := rows.Scan(&contact, &c.campaign, &c.openAt, &c.clickAt); err != nil {
				return fmt.Errorf("store: evaluate campaigns: %w", err)
			}
			if c.openAt == 0 || (c.clickAt != 0 && c.clickAt < c.openAt) {
				c.openAt = c.clickAt // a click shows the message was opened
			}
			byID[contact].campaigns = append(byID[contact].campaigns, c)
		}
		return rows.Err()
	}
	return nil
}

// visitEventsChunk is how many visits one query of loadVisitEvents reads.
const visitEventsChunk = 100

// loadVisitEvents reads the page views and engagement of visits, from
// their identification on when identified is set.
func (s *Store) loadVisitEvents(ctx context.Context, visits []*evalVisit, identified bool) error {
	byID := make(map[int64]*evalVisit, len(visits))
	var withEvents []*evalVisit
	for _, v := range visits {
		v.read = true
		if v.first != 0 {
			byID[v.id] = v
			withEvents = append(withEvents, v)
		}
	}
	for i := 0; i < len(withEvents); i += visitEventsChunk {
		chunk := withEvents[i:min(i+visitEventsChunk, len(withEvents))]
		var parts []string
		var args []any
		for _, v := range chunk {
			parts = append(parts, `SELECT session_id, ts, kind, COALESCE(engaged_ms, 0) AS engaged_ms, page_id
				FROM events WHERE id >= ? AND id <= ? AND session_id = ? AND ts >= ?`)
			from := int64(0)
			if identified {
				from = ms(v.identifiedAt)
			}
			args = append(args, v.first, v.last, v.id, from)
		}
		rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.loadVisitEvents */
			SELECT e.session_id, e.ts, e.kind, e.engaged_ms, COALESCE(p.path, '')
			FROM (`+strings.Join(parts, " UNION ALL ")+`) AS e LEFT JOIN pages p ON p.id = e.page_id`), args...)
		if err != nil {
			return fmt.Errorf("store: evaluate visit pages: %w", err)
		}
		for rows.Next() {
			var id, ts, kind, engaged int64
			var path string
			if err := rows.Scan(&id, &ts, &kind, &engaged, &path); err != nil {
				rows.Close()
				return fmt.Errorf("store: evaluate visit pages: %w", err)
			}
			pg := evalPage{at: fromMS(ts)}
			switch foyer.EventKind(kind) {
			case foyer.KindPageview:
				pg.path = path
			case foyer.KindEngagement:
				pg.engagedMS = engaged
			default:
				continue
			}
			byID[id].pages = append(byID[id].pages, pg)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: evaluate visit pages: %w", err)
		}
	}
	return nil
}
