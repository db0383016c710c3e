package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/unicode/norm"
)

// maxContactTerms bounds the words a contact is found by.
const maxContactTerms = 32

// searchWords splits s into the words the contact list matches: runs of
// letters and digits, lower case, accents removed, of two characters or
// more. In an address or a domain, the public suffix (com, co.uk) is left
// out: it would match nearly every contact.
func searchWords(s string) []string {
	var out []string
	for _, field := range strings.Fields(s) {
		parts := strings.FieldsFunc(fold(field), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if i := strings.LastIndexAny(field, "@"); i >= 0 || strings.Contains(field, ".") {
			host := strings.ToLower(strings.Trim(field[i+1:], "."))
			if suffix, icann := publicsuffix.PublicSuffix(host); icann && suffix != host {
				parts = parts[:max(len(parts)-strings.Count(suffix, ".")-1, 0)]
			}
		}
		for _, p := range parts {
			if utf8.RuneCountInString(p) >= 2 {
				out = append(out, p)
			}
		}
	}
	return out
}

// fold lower-cases s and removes its accents (é → e).
func fold(s string) string {
	d := norm.NFD.String(strings.ToLower(s))
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

// contactWords returns the distinct words c is found by: of its names, its
// company, its email (the whole address is a word of its own too).
func contactWords(c *foyer.Contact) []string {
	seen := map[string]bool{}
	var out []string
	add := func(w string) {
		if !seen[w] && len(out) < maxContactTerms {
			seen[w] = true
			out = append(out, w)
		}
	}
	add("@" + c.Email)
	for _, s := range []string{c.Email, c.FirstName, c.LastName, c.Company} {
		for _, w := range searchWords(s) {
			add(w)
		}
	}
	return out
}

// queryWords returns the words a search for text must all find: a word with
// an @ is a whole address; the others as searchWords splits them.
func queryWords(text string) []string {
	var out []string
	for _, field := range strings.Fields(text) {
		if strings.Contains(field, "@") {
			if email, err := foyer.NormalizeContactEmail(field); err == nil {
				out = append(out, "@"+email)
				continue
			}
		}
		out = append(out, searchWords(field)...)
	}
	return out
}

// term is the stored form of a word of the workspace: the first 8 bytes of
// its keyed hash.
func (s *Store) term(workspaceID int64, word string) int64 {
	h := s.keys.Lookup("term\x00" + strconv.FormatInt(workspaceID, 10) + "\x00" + word)
	return int64(binary.BigEndian.Uint64(h[:8]))
}

// emailDomain is the registrable domain of an email address: ana@eu.acme.com
// → acme.com.
func emailDomain(email string) string {
	_, host, _ := strings.Cut(email, "@")
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// domainLookup is the keyed hash of a registrable domain in a workspace.
func (s *Store) domainLookup(workspaceID int64, domain string) []byte {
	return s.keys.Lookup("domain\x00" + strconv.FormatInt(workspaceID, 10) + "\x00" + strings.ToLower(domain))
}

// indexContact writes c's search words and its domain's hash, and links it
// to the workspace's company of that domain when there is one, through q in
// the transaction that writes c.
func (s *Store) indexContact(ctx context.Context, q querier, c *foyer.Contact) error {
	if _, err := q.ExecContext(ctx, s.rebind(`/* Store.indexContact */
		DELETE FROM contact_terms WHERE contact_id = ?`), c.ID); err != nil {
		return err
	}
	for _, w := range contactWords(c) {
		if _, err := q.ExecContext(ctx, s.rebind(`/* Store.indexContact */
			INSERT INTO contact_terms (workspace_id, term, contact_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
			c.WorkspaceID, s.term(c.WorkspaceID, w), c.ID); err != nil {
			return err
		}
	}
	domain := emailDomain(c.Email)
	var company sql.NullInt64
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.indexContact */
		SELECT id FROM companies WHERE workspace_id = ? AND domain = ? ORDER BY id LIMIT 1`), c.WorkspaceID, domain).Scan(&company)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	c.CompanyID = company.Int64
	_, err = q.ExecContext(ctx, s.rebind(`/* Store.indexContact */
		UPDATE contacts SET domain_hash = ?, company_id = ? WHERE id = ?`), s.domainLookup(c.WorkspaceID, domain), company, c.ID)
	return err
}

// linkCompanyContacts links the workspace's contacts of the company's
// domain, not yet linked, to the company: called when a company is stored.
func (s *Store) linkCompanyContacts(ctx context.Context, q querier, workspaceID, companyID int64, domain string) error {
	if s.keys == nil || domain == "" {
		return nil
	}
	_, err := q.ExecContext(ctx, s.rebind(`/* Store.linkCompanyContacts */
		UPDATE contacts SET company_id = ? WHERE workspace_id = ? AND domain_hash = ? AND company_id IS NULL`),
		companyID, workspaceID, s.domainLookup(workspaceID, domain))
	return err
}
