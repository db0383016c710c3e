package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/referrer"
)

// PersonaSettings returns the workspace's Persona Insights settings.
func (s *Store) PersonaSettings(ctx context.Context, workspaceID int64) (foyer.PersonaSettings, error) {
	var p foyer.PersonaSettings
	var basis string
	var at, checked int64
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.PersonaSettings */
		SELECT persona_basis, persona_by, persona_at, hubspot_token IS NOT NULL, hubspot_error, hubspot_checked_at
		FROM workspaces WHERE id = ?`), workspaceID).Scan(&basis, &p.By, &at, &p.HubSpot, &p.HubSpotError, &checked)
	if errors.Is(err, sql.ErrNoRows) {
		return p, foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	if err != nil {
		return p, fmt.Errorf("store: persona settings: %w", err)
	}
	p.Basis = foyer.PersonaBasis(basis)
	if at != 0 {
		p.At = fromMS(at)
	}
	if checked != 0 {
		p.HubSpotCheckedAt = fromMS(checked)
	}
	return p, nil
}

// SetPersonaBasis switches Persona Insights on with the basis, or off
// with foyer.PersonaOff. Switching it off also forgets every browser
// linked to a contact, so that switching it on again links nobody from
// before: identification is never retroactive.
func (s *Store) SetPersonaBasis(ctx context.Context, workspaceID int64, basis foyer.PersonaBasis, actor string) error {
	if _, err := foyer.ParsePersonaBasis(string(basis)); err != nil {
		return err
	}
	return s.inTx(ctx, "persona basis", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.SetPersonaBasis */
			UPDATE workspaces SET persona_basis = ?, persona_by = ?, persona_at = ? WHERE id = ?`),
			string(basis), actor, ms(s.now()), workspaceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
		}
		if basis == foyer.PersonaOff {
			_, err = tx.ExecContext(ctx, s.rebind(`/* Store.SetPersonaBasis */
				DELETE FROM visitor_links WHERE workspace_id = ?`), workspaceID)
		}
		return err
	})
}

// trackable reads, with the query (whose columns are a contact's ID,
// tracking consent and its date, and its workspace's tracking mode and
// Persona Insights basis), the contact it finds, and returns its ID when
// Persona Insights is on and MayTrack allows it; 0 otherwise.
func (s *Store) trackable(ctx context.Context, query string, args ...any) (int64, error) {
	var id, at int64
	var status, mode, basis string
	err := s.readRow(ctx, query, args...).Scan(&id, &status, &at, &mode, &basis)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !mayLink(status, at, mode, basis) {
		return 0, nil
	}
	return id, nil
}

// mayLink reports whether a contact whose stored tracking consent is
// status, dated at, may be linked to visits in a workspace of the tracking
// mode and Persona Insights basis: Persona Insights on, and MayTrack.
func mayLink(status string, at int64, mode, basis string) bool {
	return basis != string(foyer.PersonaOff) && foyer.MayTrack(foyer.TrackingMode(mode), consentState(status, at))
}

// trackableColumns are the columns trackable reads, of contacts c and
// workspaces w.
const trackableColumns = `c.id, c.tracking_consent, c.tracking_consent_at, w.tracking_mode, w.persona_basis`

// MatchIdentifiers returns the workspace's trackable contact that ids
// name: by the token (unexpired), else by the email; 0 when none. Names
// alone never match. It writes nothing, and an error never names the
// identifiers.
func (s *Store) MatchIdentifiers(ctx context.Context, workspaceID int64, ids *foyer.Identifiers) (int64, error) {
	if s.keys == nil {
		return 0, nil // no keyring, no contacts
	}
	var id int64
	var err error
	switch {
	case ids.Token != "":
		id, err = s.trackable(ctx, `/* Store.MatchIdentifiers */
			SELECT `+trackableColumns+` FROM contact_tokens t
			JOIN contacts c ON c.id = t.contact_id JOIN workspaces w ON w.id = t.workspace_id
			WHERE t.token_hash = ? AND t.workspace_id = ? AND t.expires_at > ?`,
			tokenHash(ids.Token), workspaceID, ms(s.now()))
	case ids.Email != "":
		norm, nerr := foyer.NormalizeContactEmail(ids.Email)
		if nerr != nil {
			return 0, nil
		}
		id, err = s.matchEmail(ctx, workspaceID, norm)
	}
	if err != nil {
		return 0, fmt.Errorf("store: match identifiers: %w", err)
	}
	return id, nil
}

// matchEmail returns the workspace's trackable contact with the
// normalised email, or 0.
func (s *Store) matchEmail(ctx context.Context, workspaceID int64, email string) (int64, error) {
	return s.trackable(ctx, `/* Store.matchEmail */
		SELECT `+trackableColumns+` FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
		WHERE c.workspace_id = ? AND c.email_hash = ?`, workspaceID, s.emailLookup(workspaceID, email))
}

// MatchCRM returns the workspace's trackable contact with the CRM ID, else
// the one with the email, or 0. A contact with that CRM ID that may not be
// tracked is not looked past: the email of the same person finds nobody
// else.
func (s *Store) MatchCRM(ctx context.Context, workspaceID int64, crmID, email string) (int64, error) {
	if s.keys == nil {
		return 0, nil
	}
	if crmID != "" {
		var found int64
		err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.MatchCRM */
			SELECT id FROM contacts WHERE workspace_id = ? AND crm_id = ? AND crm_id <> '' ORDER BY id LIMIT 1`),
			workspaceID, crmID).Scan(&found)
		switch {
		case err == nil:
			id, err := s.trackable(ctx, `/* Store.MatchCRM */
				SELECT `+trackableColumns+` FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
				WHERE c.id = ?`, found)
			if err != nil {
				return 0, fmt.Errorf("store: match CRM: %w", err)
			}
			return id, nil
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("store: match CRM: %w", err)
		}
	}
	if email == "" {
		return 0, nil
	}
	norm, err := foyer.NormalizeContactEmail(email)
	if err != nil {
		return 0, nil
	}
	id, err := s.matchEmail(ctx, workspaceID, norm)
	if err != nil {
		return 0, fmt.Errorf("store: match CRM: %w", err)
	}
	return id, nil
}

// tokenHash is what contact_tokens keeps of a token.
func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateContactToken makes a random token of 192 bits for the links of
// tracked emails; only its hash is stored.
func (s *Store) CreateContactToken(ctx context.Context, workspaceID, contactID int64, life time.Duration, actor string) (*foyer.ContactToken, error) {
	if life <= 0 {
		life = foyer.DefaultTokenLife
	}
	b := make([]byte, 24)
	rand.Read(b)
	t := &foyer.ContactToken{Token: base64.RawURLEncoding.EncodeToString(b), ContactID: contactID}
	now := s.now().UTC().Truncate(time.Millisecond)
	t.Expires = now.Add(life)
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.CreateContactToken */
		INSERT INTO contact_tokens (token_hash, workspace_id, contact_id, created_at, expires_at, created_by)
		SELECT ?, workspace_id, id, ?, ?, ? FROM contacts WHERE id = ? AND workspace_id = ?`),
		tokenHash(t.Token), ms(now), ms(t.Expires), actor, contactID, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("store: contact token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no contact %d", contactID)
	}
	return t, nil
}

// visitColumns are the columns scanVisit reads, of sessions s and
// visitors v.
const visitColumns = `s.id, s.site_id, s.started_at, s.last_at, s.pageviews, s.engaged_ms, s.referrer,
	s.utm_source, s.utm_medium, s.utm_campaign, s.country, s.city, v.uid,
	COALESCE(s.first_event_id, 0), COALESCE(s.last_event_id, 0),
	COALESCE(s.contact_id, 0), s.identified_via, s.identified_at`

// visitRow is a visit as scanVisit reads it, with its event range.
type visitRow struct {
	foyer.Visit
	events [2]int64
}

// scanVisit reads a row that starts with visitColumns, then more.
func scanVisit(scan func(...any) error, more ...any) (visitRow, error) {
	var r visitRow
	v := &r.Visit
	var started, last, contact, via, identified int64
	dst := append([]any{&v.ID, &v.SiteID, &started, &last, &v.Pageviews, &v.EngagedMS, &v.Referrer,
		&v.UTMSource, &v.UTMMedium, &v.UTMCampaign, &v.Country, &v.City, &v.VisitorUID,
		&r.events[0], &r.events[1], &contact, &via, &identified}, more...)
	if err := scan(dst...); err != nil {
		return r, err
	}
	v.StartedAt, v.LastAt = fromMS(started), fromMS(last)
	src := referrer.Of(v.UTMSource, v.Referrer)
	v.Source, v.SourceKind = src.Name, src.Kind.Label()
	if contact != 0 {
		v.Person = &foyer.VisitPerson{ContactID: contact, Via: foyer.IdentifyVia(via), IdentifiedAt: fromMS(identified)}
	}
	return r, nil
}

// fillVisits reads the pages of visits (rows[i] is visits[i]'s) and the
// names of the contacts they are linked to.
func (s *Store) fillVisits(ctx context.Context, workspaceID int64, visits []foyer.Visit, rows []visitRow) error {
	ranges := make([][2]int64, len(rows))
	for i := range rows {
		ranges[i] = rows[i].events
	}
	for i := 0; i < len(visits); i += visitPagesChunk {
		j := min(i+visitPagesChunk, len(visits))
		if err := s.visitPages(ctx, visits[i:j], ranges[i:j]); err != nil {
			return err
		}
	}
	return s.visitPersons(ctx, workspaceID, visits)
}

// visitPersons fills the names and roles of the contacts the visits are
// linked to, opening each contact's sealed fields once.
func (s *Store) visitPersons(ctx context.Context, workspaceID int64, visits []foyer.Visit) error {
	var ids []any
	seen := map[int64]bool{}
	for _, v := range visits {
		if v.Person != nil && !seen[v.Person.ContactID] {
			seen[v.Person.ContactID] = true
			ids = append(ids, v.Person.ContactID)
		}
	}
	if len(ids) == 0 || s.keys == nil {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.visitPersons */
		SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND id IN (`+placeholders(len(ids))+`)`),
		append([]any{workspaceID}, ids...)...)
	if err != nil {
		return fmt.Errorf("store: visit persons: %w", err)
	}
	list, err := s.scanContacts(rows)
	if err != nil {
		return fmt.Errorf("store: visit persons: %w", err)
	}
	byID := make(map[int64]*foyer.Contact, len(list))
	for _, c := range list {
		byID[c.ID] = c
	}
	for i := range visits {
		p := visits[i].Person
		if p == nil {
			continue
		}
		c := byID[p.ContactID]
		if c == nil { // another workspace's contact: never shown
			visits[i].Person = nil
			continue
		}
		p.Name, p.Role = PersonName(c), c.Role
	}
	return nil
}

// PersonName is how a visit names its contact: the first and last name,
// else the email.
func PersonName(c *foyer.Contact) string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Email
}

// ContactVisits returns a page of the contact's identified visits, newest
// first, each with the pages from its identification on.
func (s *Store) ContactVisits(ctx context.Context, workspaceID, contactID, beforeID int64, limit int) ([]foyer.IdentifiedVisit, error) {
	if err := s.checkOwned(ctx, "contacts", "contact", workspaceID, contactID); err != nil {
		return nil, err
	}
	if beforeID <= 0 {
		beforeID = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ContactVisits */
		SELECT `+visitColumns+`, COALESCE(s.company_id, 0), COALESCE(co.name, ''), si.name
		FROM sessions s JOIN visitors v ON v.id = s.visitor_id JOIN sites si ON si.id = s.site_id
		LEFT JOIN companies co ON co.id = s.company_id
		WHERE s.contact_id = ? AND si.workspace_id = ? AND s.id < ?
		ORDER BY s.id DESC LIMIT ?`), contactID, workspaceID, beforeID, min(max(limit, 1), 200))
	if err != nil {
		return nil, fmt.Errorf("store: contact visits: %w", err)
	}
	var out []foyer.IdentifiedVisit
	var vrows []visitRow
	for rows.Next() {
		var iv foyer.IdentifiedVisit
		r, err := scanVisit(rows.Scan, &iv.CompanyID, &iv.CompanyName, &iv.SiteName)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: contact visits: %w", err)
		}
		iv.Visit = r.Visit
		out = append(out, iv)
		vrows = append(vrows, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: contact visits: %w", err)
	}
	visits := make([]foyer.Visit, len(out))
	for i := range out {
		visits[i] = out[i].Visit
	}
	if err := s.fillVisits(ctx, workspaceID, visits, vrows); err != nil {
		return nil, err
	}
	for i := range out {
		v := visits[i]
		if v.Person != nil {
			out[i].Via, out[i].IdentifiedAt = v.Person.Via, v.Person.IdentifiedAt
			v.Pages = pagesFrom(v.Pages, v.Person.IdentifiedAt)
		}
		out[i].Visit = v
	}
	return out, nil
}

// pagesFrom returns the pages viewed at or after t: a visit's pages before
// its identification are not its contact's.
func pagesFrom(pages []foyer.PageView, t time.Time) []foyer.PageView {
	for i, p := range pages {
		if !p.Time.Before(t) {
			return pages[i:]
		}
	}
	return nil
}

// UnlinkVisit makes one of the contact's identified visits anonymous and
// records it in the contact's changes.
func (s *Store) UnlinkVisit(ctx context.Context, workspaceID, contactID, visitID int64, actor string) error {
	return s.inTx(ctx, "unlink visit", func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.UnlinkVisit */
			SELECT 1 FROM sessions s JOIN sites si ON si.id = s.site_id
			WHERE s.id = ? AND si.workspace_id = ? AND s.contact_id = ?`), visitID, workspaceID, contactID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no identified visit %d", visitID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`/* Store.UnlinkVisit */
			UPDATE sessions SET contact_id = NULL, identified_via = 0, identified_at = 0 WHERE id = ?`), visitID); err != nil {
			return err
		}
		if err := s.markDirty(ctx, tx, workspaceID, contactID); err != nil {
			return err
		}
		return s.logContactChange(ctx, tx, workspaceID, contactID, actor, "unlinked", []string{"visit " + strconv.FormatInt(visitID, 10)})
	})
}

// UnlinkContact makes all of the contact's visits anonymous, forgets the
// browsers linked to it, and records it in the contact's changes.
func (s *Store) UnlinkContact(ctx context.Context, workspaceID, contactID int64, actor string) (int, error) {
	var n int64
	err := s.inTx(ctx, "unlink contact", func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.rebind(`/* Store.UnlinkContact */
			SELECT 1 FROM contacts WHERE id = ? AND workspace_id = ?`+s.forUpdate()), contactID, workspaceID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return foyer.Errorf(foyer.ENOTFOUND, "no contact %d", contactID)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.rebind(`/* Store.UnlinkContact */
			UPDATE sessions SET contact_id = NULL, identified_via = 0, identified_at = 0 WHERE contact_id = ?`), contactID)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, s.rebind(`/* Store.UnlinkContact */
			DELETE FROM visitor_links WHERE contact_id = ?`), contactID)
		if err != nil {
			return err
		}
		browsers, _ := res.RowsAffected()
		if err := s.markDirty(ctx, tx, workspaceID, contactID); err != nil {
			return err
		}
		return s.logContactChange(ctx, tx, workspaceID, contactID, actor, "unlinked",
			[]string{plural(n, "visit"), plural(browsers, "browser")})
	})
	return int(n), err
}

func plural(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(n, 10) + " " + noun + "s"
}

// CompanyContacts lists the workspace's contacts at the company, newest
// first, at most limit.
func (s *Store) CompanyContacts(ctx context.Context, workspaceID, companyID int64, limit int) ([]*foyer.Contact, error) {
	if s.keys == nil {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.CompanyContacts */
		SELECT `+contactColumns+` FROM contacts WHERE company_id = ? AND workspace_id = ? ORDER BY id DESC LIMIT ?`),
		companyID, workspaceID, min(max(limit, 1), 500))
	if err != nil {
		return nil, fmt.Errorf("store: company contacts: %w", err)
	}
	return s.scanContacts(rows)
}

// Activity returns a page of the workspace's latest visits, newest first,
// without those of the companies the workspace hides from its feed.
func (s *Store) Activity(ctx context.Context, q foyer.ActivityQuery) ([]foyer.ActivityVisit, error) {
	before := q.BeforeID
	if before <= 0 {
		before = 1<<63 - 1
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	cond := ""
	if q.Identified {
		cond = " AND s.contact_id IS NOT NULL"
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.Activity */
		SELECT `+visitColumns+`, si.name, COALESCE(s.company_id, 0), COALESCE(co.name, ''), s.org_type
		FROM sessions s JOIN visitors v ON v.id = s.visitor_id JOIN sites si ON si.id = s.site_id
		LEFT JOIN companies co ON co.id = s.company_id
		WHERE si.workspace_id = ? AND s.id < ? AND COALESCE(co.hidden_kind, '') = ''`+cond+`
		ORDER BY s.id DESC LIMIT ?`), q.WorkspaceID, before, min(limit, 200))
	if err != nil {
		return nil, fmt.Errorf("store: activity: %w", err)
	}
	var out []foyer.ActivityVisit
	var vrows []visitRow
	for rows.Next() {
		var a foyer.ActivityVisit
		var orgType string
		r, err := scanVisit(rows.Scan, &a.SiteName, &a.CompanyID, &a.CompanyName, &orgType)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: activity: %w", err)
		}
		a.Visit, a.OrgType = r.Visit, foyer.OrgType(orgType)
		out = append(out, a)
		vrows = append(vrows, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: activity: %w", err)
	}
	visits := make([]foyer.Visit, len(out))
	for i := range out {
		visits[i] = out[i].Visit
	}
	if err := s.fillVisits(ctx, q.WorkspaceID, visits, vrows); err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Visit = visits[i]
	}
	return out, nil
}

// hubspotSealer seals a workspace's HubSpot token.
const hubspotPurpose = "hubspot token"

func hubspotField(workspaceID int64) string {
	return "hubspot token of workspace " + strconv.FormatInt(workspaceID, 10)
}

// SetHubSpotToken stores the workspace's HubSpot private app token,
// sealed under a key derived from the master key; "" removes it. Either
// way the connector's last error is cleared.
func (s *Store) SetHubSpotToken(ctx context.Context, workspaceID int64, token, actor string) error {
	if s.keys == nil {
		return errNoKeys
	}
	var sealed []byte
	if token != "" {
		dk, err := s.keys.Sealer(hubspotPurpose)
		if err != nil {
			return err
		}
		sealed = dk.Seal(hubspotField(workspaceID), []byte(token))
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetHubSpotToken */
		UPDATE workspaces SET hubspot_token = ?, hubspot_error = '', hubspot_checked_at = 0 WHERE id = ?`), sealed, workspaceID)
	if err != nil {
		return fmt.Errorf("store: hubspot token: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	return nil
}

// HubSpotToken returns the workspace's HubSpot token, "" when none.
func (s *Store) HubSpotToken(ctx context.Context, workspaceID int64) (string, error) {
	if s.keys == nil {
		return "", nil
	}
	var sealed []byte
	err := s.db.QueryRowContext(ctx, s.rebind(`/* Store.HubSpotToken */
		SELECT hubspot_token FROM workspaces WHERE id = ?`), workspaceID).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return "", foyer.Errorf(foyer.ENOTFOUND, "workspace %d not found", workspaceID)
	}
	if err != nil || sealed == nil {
		return "", err
	}
	dk, err := s.keys.Sealer(hubspotPurpose)
	if err != nil {
		return "", err
	}
	token, err := dk.Open(hubspotField(workspaceID), sealed)
	if err != nil {
		return "", fmt.Errorf("store: hubspot token: %w", err)
	}
	return string(token), nil
}

// SetHubSpotStatus records the connector's last call: errText "" when it
// worked.
func (s *Store) SetHubSpotStatus(ctx context.Context, workspaceID int64, errText string) error {
	_, err := s.db.ExecContext(ctx, s.rebind(`/* Store.SetHubSpotStatus */
		UPDATE workspaces SET hubspot_error = ?, hubspot_checked_at = ? WHERE id = ?`),
		cutUTF8(errText, 500), ms(s.now()), workspaceID)
	return err
}
