package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/vault"
)

// UseKeys gives the store the keyring that seals contacts' personal
// fields; the contact methods refuse to work without one.
func (s *Store) UseKeys(k *vault.Keyring) { s.keys = k }

// errNoKeys is what the contact methods answer without a keyring.
var errNoKeys = errors.New("store: contacts: no master key")

// contactKey reads and unwraps the data key of the workspace's contact id
// through q: ENOTFOUND for another workspace's contact or none.
func (s *Store) contactKey(ctx context.Context, q querier, workspaceID, id int64) (*vault.DataKey, error) {
	var keyID string
	var wrapped []byte
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.contactKey */
		SELECT key_id, data_key FROM contacts WHERE workspace_id = ? AND id = ?`), workspaceID, id).Scan(&keyID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no contact %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: contact %d: %w", id, err)
	}
	return s.dataKey(ctx, q, wrapped, contactOwner(workspaceID, keyID))
}

// sealedContact is what is sealed of a contact: its personal fields.
type sealedContact struct {
	Email     string            `json:"e"`
	FirstName string            `json:"f,omitempty"`
	LastName  string            `json:"l,omitempty"`
	Role      string            `json:"r,omitempty"`
	Phone     string            `json:"p,omitempty"`
	Company   string            `json:"c,omitempty"`
	Language  string            `json:"g,omitempty"`
	Attrs     map[string]string `json:"a,omitempty"`
}

// sealedOf is what is sealed of c.
func sealedOf(c *foyer.Contact) sealedContact {
	return sealedContact{c.Email, c.FirstName, c.LastName, c.Role, c.Phone, c.Company, c.Language, c.Attrs}
}

// contactOwner names a contact to its seal: a sealed value opens only in
// its own row of its own workspace.
func contactOwner(workspaceID int64, keyID string) string {
	return "contact " + keyID + " of workspace " + strconv.FormatInt(workspaceID, 10)
}

// emailLookup is the keyed hash a contact is found by: of its workspace and
// its normalised email, so that one address in two workspaces hashes apart.
func (s *Store) emailLookup(workspaceID int64, email string) []byte {
	return s.keys.Lookup(strconv.FormatInt(workspaceID, 10) + "\x00" + email)
}

// checkContact normalises c's email and checks its fields' sizes.
func checkContact(c *foyer.Contact) error {
	email, err := foyer.NormalizeContactEmail(c.Email)
	if err != nil {
		return err
	}
	c.Email = email
	if len(c.Attrs) > foyer.MaxContactAttrs {
		return foyer.Errorf(foyer.EINVALID, "a contact has at most %d attributes, not %d", foyer.MaxContactAttrs, len(c.Attrs))
	}
	switch c.Language {
	case "", "en", "fr":
	default:
		return foyer.Errorf(foyer.EINVALID, "language %q: want en, fr or none", c.Language)
	}
	fields := map[string]string{"first name": c.FirstName, "last name": c.LastName, "role": c.Role, "phone": c.Phone,
		"company": c.Company, "CRM ID": c.CRMID}
	for k, v := range c.Attrs {
		fields["attribute "+k] = v
		if k == "" || len(k) > 64 {
			return foyer.Errorf(foyer.EINVALID, "an attribute's name has 1 to 64 bytes")
		}
	}
	for name, v := range fields {
		if len(v) > foyer.MaxContactField {
			return foyer.Errorf(foyer.EINVALID, "the %s is over %d bytes", name, foyer.MaxContactField)
		}
		if !utf8.ValidString(v) {
			return foyer.Errorf(foyer.EINVALID, "the %s is not valid UTF-8", name)
		}
	}
	if !c.Consent.Status.Valid() {
		return foyer.Errorf(foyer.EINVALID, "tracking consent %q: want accepted, refused or none", c.Consent.Status)
	}
	return nil
}

// CreateContact stores a new contact, its personal fields sealed under a
// new data key, and sets its ID and times; actor (a user, a token) is
// recorded as its creator. A consent status in c.Consent is recorded in the
// history as given by actor by hand (foyer.SourceAdmin); a source that
// dates its own answers (the API) uses CreateContactWithConsent instead.
// ECONFLICT when the workspace has a contact with that email.
func (s *Store) CreateContact(ctx context.Context, c *foyer.Contact, actor string) error {
	var change *foyer.ConsentChange
	if c.Consent.Status != foyer.ConsentUnanswered {
		change = &foyer.ConsentChange{Status: c.Consent.Status, At: c.Consent.At, Source: foyer.SourceAdmin, Actor: actor}
	}
	_, _, _, err := s.CreateContactWithConsent(ctx, c, actor, change)
	return err
}

// CreateContactWithConsent stores a new contact as CreateContact does and,
// when change is not nil, applies and records it, all in one transaction:
// an invalid change stores no contact. It returns the change's outcome, as
// RecordConsent does, and sets c.Consent to the resulting state.
func (s *Store) CreateContactWithConsent(ctx context.Context, c *foyer.Contact, actor string, change *foyer.ConsentChange) (next foyer.ConsentState, applied bool, why string, err error) {
	if s.keys == nil {
		return next, false, "", errNoKeys
	}
	if err := checkContact(c); err != nil {
		return next, false, "", err
	}
	err = s.inTx(ctx, "create contact", func(tx *sql.Tx) error {
		if err := s.createContact(ctx, tx, c, actor); err != nil {
			return err
		}
		if change == nil {
			return nil
		}
		var err error
		next, applied, why, err = s.recordConsent(ctx, tx, c.WorkspaceID, c.ID, *change)
		c.Consent = next
		return err
	})
	return next, applied, why, err
}

// createContact stores c, checked, through q in a transaction, with no
// consent status (a status comes with its history entry), its search words
// and its company link, and records actor as its creator.
func (s *Store) createContact(ctx context.Context, q querier, c *foyer.Contact, actor string) error {
	id := make([]byte, 16)
	rand.Read(id)
	keyID := hex.EncodeToString(id)
	dk, wrapped, err := s.newDataKey(ctx, q, contactOwner(c.WorkspaceID, keyID))
	if err != nil {
		return err
	}
	plain, err := json.Marshal(sealedOf(c))
	if err != nil {
		return fmt.Errorf("store: contact: %w", err)
	}
	now := s.now().UTC().Truncate(1e6)
	c.Consent = foyer.ConsentState{}
	domain := emailDomain(c.Email)
	company, err := s.companyOfDomain(ctx, q, c.WorkspaceID, domain)
	if err != nil {
		return fmt.Errorf("store: create contact: %w", err)
	}
	// SQLite numbers a row after the highest there is, so the ID of an
	// erased contact that was the highest would be given again, and its
	// consent history and record of changes, which outlive it, would
	// seem to be the new contact's: a new contact takes the next ID after
	// every contact ever recorded. PostgreSQL's identity never gives one
	// twice.
	idColumn, idValue := "", ""
	if s.dialect == SQLite {
		idColumn, idValue = "id, ", "(SELECT COALESCE(MAX(v), 0) + 1 FROM (SELECT MAX(id) AS v FROM contacts UNION ALL SELECT MAX(contact_id) FROM contact_changes) AS m), "
	}
	err = q.QueryRowContext(ctx, s.rebind(`/* Store.CreateContact */
		INSERT INTO contacts (`+idColumn+`workspace_id, key_id, email_hash, domain_hash, company_id, data_key, sealed, crm_id, created_at, updated_at)
		SELECT `+idValue+`id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM workspaces WHERE id = ? RETURNING id`),
		keyID, s.emailLookup(c.WorkspaceID, c.Email), s.domainLookup(c.WorkspaceID, domain), company, wrapped, dk.Seal("contact", plain), c.CRMID,
		ms(now), ms(now), c.WorkspaceID).Scan(&c.ID)
	switch {
	case isUniqueViolation(err):
		return foyer.Errorf(foyer.ECONFLICT, "a contact with the email %s exists", c.Email)
	case errors.Is(err, sql.ErrNoRows):
		return foyer.Errorf(foyer.ENOTFOUND, "no workspace %d", c.WorkspaceID)
	case err != nil:
		return fmt.Errorf("store: create contact: %w", err)
	}
	c.CreatedAt, c.UpdatedAt, c.CompanyID = now, now, company.Int64
	if err := s.writeTerms(ctx, q, c, false); err != nil {
		return fmt.Errorf("store: create contact: %w", err)
	}
	if err := s.markDirty(ctx, q, c.WorkspaceID, c.ID); err != nil {
		return err
	}
	return s.logContactChange(ctx, q, c.WorkspaceID, c.ID, actor, "created", nil)
}

const (
	contactColumns  = `id, workspace_id, key_id, data_key, sealed, COALESCE(company_id, 0), crm_id, tracking_consent, tracking_consent_at, created_at, updated_at, review_at`
	contactColumnsC = `c.id, c.workspace_id, c.key_id, c.data_key, c.sealed, COALESCE(c.company_id, 0), c.crm_id, c.tracking_consent, c.tracking_consent_at, c.created_at, c.updated_at, c.review_at`
)

// scanContact reads a row of contactColumns and opens its sealed fields.
func (s *Store) scanContact(scan func(...any) error) (*foyer.Contact, error) {
	var c foyer.Contact
	var keyID, status string
	var wrapped, sealed []byte
	var at, created, updated, review int64
	if err := scan(&c.ID, &c.WorkspaceID, &keyID, &wrapped, &sealed, &c.CompanyID, &c.CRMID, &status, &at, &created, &updated, &review); err != nil {
		return nil, err
	}
	// Read outside the scan's transaction, whose rows may be open.
	dk, err := s.dataKey(context.Background(), s.db, wrapped, contactOwner(c.WorkspaceID, keyID))
	if err != nil {
		return nil, fmt.Errorf("store: contact %d: %w", c.ID, err)
	}
	plain, err := dk.Open("contact", sealed)
	if err != nil {
		return nil, fmt.Errorf("store: contact %d: %w", c.ID, err)
	}
	var f sealedContact
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, fmt.Errorf("store: contact %d: %w", c.ID, err)
	}
	c.Email, c.FirstName, c.LastName, c.Role, c.Phone, c.Attrs = f.Email, f.FirstName, f.LastName, f.Role, f.Phone, f.Attrs
	c.Company, c.Language = f.Company, f.Language
	c.Consent = consentState(status, at)
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	if review != 0 {
		c.ReviewSince = fromMS(review)
	}
	return &c, nil
}

// Contact returns a contact of the workspace, or ENOTFOUND.
func (s *Store) Contact(ctx context.Context, workspaceID, id int64) (*foyer.Contact, error) {
	return s.contactWhere(ctx, s.db, "id = ?", workspaceID, id, fmt.Sprint(id))
}

// ContactByEmail finds a contact by email, through its keyed hash.
func (s *Store) ContactByEmail(ctx context.Context, workspaceID int64, email string) (*foyer.Contact, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	norm, err := foyer.NormalizeContactEmail(email)
	if err != nil {
		return nil, err
	}
	return s.contactWhere(ctx, s.db, "email_hash = ?", workspaceID, s.emailLookup(workspaceID, norm), "with that email")
}

// contactWhere reads, through q, the workspace's contact that cond (with
// its argument v, and perhaps a lock clause after it) finds; ENOTFOUND,
// saying "no contact " and what, when there is none.
func (s *Store) contactWhere(ctx context.Context, q querier, cond string, workspaceID int64, v any, what string) (*foyer.Contact, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	c, err := s.scanContact(q.QueryRowContext(ctx, s.rebind(`/* Store.contactWhere */
		SELECT `+contactColumns+` FROM contacts WHERE workspace_id = ? AND `+cond), workspaceID, v).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, foyer.Errorf(foyer.ENOTFOUND, "no contact %s", what)
	}
	return c, err
}

// ContactQuery selects a page of a workspace's contacts.
type ContactQuery = foyer.ContactQuery

// SearchContacts lists a page of the workspace's contacts, newest first.
// The words are matched through their keyed hashes (contact_terms): the
// personal fields stay sealed, so a search finds whole words, not parts.
func (s *Store) SearchContacts(ctx context.Context, workspaceID int64, cq ContactQuery) ([]*foyer.Contact, error) {
	if s.keys == nil {
		return nil, errNoKeys
	}
	limit := cq.Limit
	if limit == 0 {
		limit = 50
	}
	limit = min(max(limit, 1), 500)
	words := queryWords(cq.Text)
	if strings.TrimSpace(cq.Text) != "" && len(words) == 0 {
		return nil, nil // only one-letter words or punctuation: nothing to match
	}
	var q strings.Builder
	var args []any
	if len(words) == 0 {
		q.WriteString(`SELECT ` + contactColumnsC + ` FROM contacts c WHERE c.workspace_id = ?`)
		args = append(args, workspaceID)
	} else {
		// The longest word drives (likely the rarest); the others must
		// be there too.
		slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
		words = slices.Compact(words)
		q.WriteString(`SELECT ` + contactColumnsC + ` FROM contact_terms t JOIN contacts c ON c.id = t.contact_id
			WHERE t.workspace_id = ? AND t.term = ? AND c.workspace_id = ?`)
		args = append(args, workspaceID, s.term(workspaceID, words[0]), workspaceID)
		for _, w := range words[1:] {
			q.WriteString(` AND EXISTS (SELECT 1 FROM contact_terms o WHERE o.workspace_id = ? AND o.term = ? AND o.contact_id = t.contact_id)`)
			args = append(args, workspaceID, s.term(workspaceID, w))
		}
	}
	if cq.BeforeID != 0 {
		q.WriteString(" AND c.id < ?")
		args = append(args, cq.BeforeID)
	}
	if cq.Review {
		q.WriteString(" AND c.review_at > 0")
	}
	if cq.Consent != nil {
		q.WriteString(" AND c.tracking_consent = ?")
		args = append(args, string(*cq.Consent))
	}
	if len(words) == 0 {
		q.WriteString(" ORDER BY c.id DESC LIMIT ? OFFSET ?")
	} else {
		q.WriteString(" ORDER BY t.contact_id DESC LIMIT ? OFFSET ?")
	}
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.SearchContacts */ `+q.String()), append(args, limit, max(cq.Offset, 0))...)
	if err != nil {
		return nil, fmt.Errorf("store: contacts: %w", err)
	}
	return s.scanContacts(rows)
}

// scanContacts reads rows of contactColumns, opens each contact's sealed
// fields, and closes rows.
func (s *Store) scanContacts(rows *sql.Rows) ([]*foyer.Contact, error) {
	defer rows.Close()
	var out []*foyer.Contact
	for rows.Next() {
		c, err := s.scanContact(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateContact replaces the personal fields and the CRM ID of the
// workspace's contact c.ID with c's (not its consent, which changes through
// RecordConsent only), re-sealed under its own data key, and records actor
// and the names of the fields that changed. ENOTFOUND for another
// workspace's contact; ECONFLICT when another contact has the new email.
func (s *Store) UpdateContact(ctx context.Context, c *foyer.Contact, actor string) error {
	stored, _, _, err := s.EditContact(ctx, c.WorkspaceID, c.ID, actor, func(e *foyer.Contact) error {
		consent, created := e.Consent, e.CreatedAt
		*e = *c
		e.Consent, e.CreatedAt = consent, created
		return nil
	}, nil)
	if err == nil {
		*c = *stored
	}
	return err
}

// EditContact changes the workspace's contact id in one transaction, its
// row locked on PostgreSQL so that two edits apply in turn: edit changes a
// copy of the stored contact (its consent, ID and workspace are kept), which
// is written as UpdateContact writes; then change, when not nil, is
// applied and recorded as RecordConsent does. It all goes in or nothing
// does. It returns the contact as stored after, whether any of its fields
// changed, and the consent change's outcome (nil without one).
func (s *Store) EditContact(ctx context.Context, workspaceID, id int64, actor string, edit func(*foyer.Contact) error, change *foyer.ConsentChange) (c *foyer.Contact, changed bool, consent *foyer.ConsentResult, err error) {
	if s.keys == nil {
		return nil, false, nil, errNoKeys
	}
	err = s.inTx(ctx, "edit contact", func(tx *sql.Tx) error {
		stored, err := s.contactWhere(ctx, tx, "id = ?"+s.forUpdate(), workspaceID, id, fmt.Sprint(id))
		if err != nil {
			return err
		}
		next := *stored
		next.Attrs = maps.Clone(stored.Attrs)
		if err := edit(&next); err != nil {
			return err
		}
		next.ID, next.WorkspaceID, next.Consent, next.CompanyID = stored.ID, stored.WorkspaceID, stored.Consent, stored.CompanyID
		next.CreatedAt, next.UpdatedAt = stored.CreatedAt, stored.UpdatedAt
		if err := checkContact(&next); err != nil {
			return err
		}
		changed = len(changedFields(stored, &next)) > 0
		if err := s.resealContact(ctx, tx, stored, &next, actor); err != nil {
			return err
		}
		if change != nil {
			state, applied, why, err := s.recordConsent(ctx, tx, workspaceID, id, *change)
			if err != nil {
				return err
			}
			next.Consent = state
			consent = &foyer.ConsentResult{State: state, Applied: applied, Why: why}
		}
		c = &next
		return nil
	})
	if err != nil {
		return nil, false, nil, err
	}
	return c, changed, consent, nil
}

// changedFields names the fields that differ between a and b.
func changedFields(a, b *foyer.Contact) []string {
	var out []string
	for _, f := range []struct {
		name string
		a, b string
	}{
		{"email", a.Email, b.Email}, {"first_name", a.FirstName, b.FirstName}, {"last_name", a.LastName, b.LastName},
		{"role", a.Role, b.Role}, {"phone", a.Phone, b.Phone}, {"company", a.Company, b.Company},
		{"language", a.Language, b.Language}, {"crm_id", a.CRMID, b.CRMID},
	} {
		if f.a != f.b {
			out = append(out, f.name)
		}
	}
	if !maps.Equal(a.Attrs, b.Attrs) {
		out = append(out, "attributes")
	}
	return out
}

// logContactChange records that actor did action to the contact, and to
// which fields.
func (s *Store) logContactChange(ctx context.Context, q querier, workspaceID, contactID int64, actor, action string, fields []string) error {
	_, err := q.ExecContext(ctx, s.rebind(`/* Store.logContactChange */
		INSERT INTO contact_changes (workspace_id, contact_id, at, actor, action, fields) VALUES (?, ?, ?, ?, ?, ?)`),
		workspaceID, contactID, ms(s.now()), actor, action, strings.Join(fields, ","))
	return err
}

// ContactChange is a recorded change of a contact.
type ContactChange = foyer.ContactChange

// ContactChanges returns the recorded changes of the workspace's contact,
// newest first, at most limit.
func (s *Store) ContactChanges(ctx context.Context, workspaceID, contactID int64, limit int) ([]ContactChange, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`/* Store.ContactChanges */
		SELECT at, actor, action, fields FROM contact_changes WHERE contact_id = ? AND +workspace_id = ? ORDER BY id DESC LIMIT ?`),
		contactID, workspaceID, min(max(limit, 1), 500))
	if err != nil {
		return nil, fmt.Errorf("store: contact changes: %w", err)
	}
	defer rows.Close()
	var out []ContactChange
	for rows.Next() {
		var c ContactChange
		var at int64
		var fields string
		if err := rows.Scan(&at, &c.Actor, &c.Action, &fields); err != nil {
			return nil, err
		}
		c.At = fromMS(at)
		if fields != "" {
			c.Fields = strings.Split(fields, ",")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// What ImportContact did with a row.
const (
	ImportNew       = "new"
	ImportUpdated   = "updated"
	ImportUnchanged = "unchanged"
)

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// ImportContact creates or updates the workspace's contact of c.Email from
// an imported row, all of it in one transaction: the row's non-empty
// fields replace the stored ones, and its consent change, when it has one,
// is applied by foyer.ApplyConsent (an older date never overwrites a
// newer status) and recorded in the history, applied or not. It returns
// what the row did (ImportNew, ImportUpdated, ImportUnchanged); actor (the
// import) is recorded as the author of the changes; with
// dryRun it writes nothing and returns what the row would do.
func (s *Store) ImportContact(ctx context.Context, c *foyer.Contact, change *foyer.ConsentChange, actor string, dryRun bool) (string, error) {
	if s.keys == nil {
		return "", errNoKeys
	}
	var outcome string
	err := s.inTx(ctx, "import contact", func(tx *sql.Tx) error {
		var err error
		if outcome, err = s.importRow(ctx, tx, c, change, actor); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return outcome, err
}

// mergeContact puts the row's non-empty fields over the stored contact's
// and reports whether anything changed.
func mergeContact(stored, row *foyer.Contact) (*foyer.Contact, bool) {
	m := *stored
	changed := false
	for _, f := range []struct {
		to *string
		v  string
	}{
		{&m.FirstName, row.FirstName}, {&m.LastName, row.LastName}, {&m.Role, row.Role}, {&m.Phone, row.Phone},
		{&m.Company, row.Company}, {&m.Language, row.Language}, {&m.CRMID, row.CRMID},
	} {
		if f.v != "" && *f.to != f.v {
			*f.to, changed = f.v, true
		}
	}
	if len(row.Attrs) > 0 {
		attrs := map[string]string{}
		for k, v := range stored.Attrs {
			attrs[k] = v
		}
		for k, v := range row.Attrs {
			if attrs[k] != v {
				attrs[k], changed = v, true
			}
		}
		m.Attrs = attrs
	}
	return &m, changed
}

// resealContact writes next's personal fields over stored's, sealed
// under the contact's own data key, with its CRM ID, search words and
// company link, and records actor and the fields that changed; nothing
// when nothing did. ECONFLICT when another contact has next's email.
func (s *Store) resealContact(ctx context.Context, tx querier, stored, next *foyer.Contact, actor string) error {
	fields := changedFields(stored, next)
	if len(fields) == 0 {
		next.UpdatedAt = stored.UpdatedAt
		return nil
	}
	dk, err := s.contactKey(ctx, tx, next.WorkspaceID, next.ID)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(sealedOf(next))
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(1e6)
	domain := emailDomain(next.Email)
	company, err := s.companyOfDomain(ctx, tx, next.WorkspaceID, domain)
	if err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	_, err = tx.ExecContext(ctx, s.rebind(`/* Store.resealContact */
		UPDATE contacts SET email_hash = ?, domain_hash = ?, company_id = ?, sealed = ?, crm_id = ?, updated_at = ?, review_at = 0 WHERE id = ?`),
		s.emailLookup(next.WorkspaceID, next.Email), s.domainLookup(next.WorkspaceID, domain), company, dk.Seal("contact", plain),
		next.CRMID, ms(now), next.ID)
	if isUniqueViolation(err) {
		return foyer.Errorf(foyer.ECONFLICT, "a contact with the email %s exists", next.Email)
	}
	if err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	next.UpdatedAt, next.CompanyID = now, company.Int64
	if err := s.writeTerms(ctx, tx, next, true); err != nil {
		return fmt.Errorf("store: update contact: %w", err)
	}
	if err := s.markDirty(ctx, tx, next.WorkspaceID, next.ID); err != nil {
		return err
	}
	return s.logContactChange(ctx, tx, next.WorkspaceID, next.ID, actor, "updated", fields)
}
