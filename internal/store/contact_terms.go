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

// writeTerms writes c's search words, through q in the transaction that
// writes c, in one statement; with replace, the words it had go first.
func (s *Store) writeTerms(ctx context.Context, q querier, c *foyer.Contact, replace bool) error {
	if replace {
		if _, err := q.ExecContext(ctx, s.rebind(`/* Store.writeTerms */
			DELETE FROM contact_terms WHERE contact_id = ?`), c.ID); err != nil {
			return err
		}
	}
	words := contactWords(c)
	var b strings.Builder
	args := make([]any, 0, 3*len(words))
	b.WriteString(`/* Store.writeTerms */ INSERT INTO contact_terms (workspace_id, term, contact_id) VALUES `)
	for i, w := range words {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?)")
		args = append(args, c.WorkspaceID, s.term(c.WorkspaceID, w), c.ID)
	}
	b.WriteString(" ON CONFLICT DO NOTHING") // two words of one hash
	_, err := q.ExecContext(ctx, s.rebind(b.String()), args...)
	return err
}

// companyOfDomain is the workspace's company of a registrable domain, NULL
// when there is none: found by its key, as the ingest stores a company
// whose IP data names its domain.
func (s *Store) companyOfDomain(ctx context.Context, q querier, workspaceID int64, domain string) (sql.NullInt64, error) {
	var company sql.NullInt64
	err := q.QueryRowContext(ctx, s.rebind(`/* Store.companyOfDomain */
		SELECT id FROM companies WHERE workspace_id = ? AND org_key = ?`), workspaceID, "domain:"+strings.ToLower(domain)).Scan(&company)
	if err == sql.ErrNoRows {
		err = nil
	}
	return company, err
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
	if err != nil {
		return err
	}
	// Their company's fields may put them in segments.
	_, err = q.ExecContext(ctx, s.rebind(`/* Store.linkCompanyContacts */
		INSERT INTO segment_dirty (workspace_id, contact_id, at)
		SELECT workspace_id, id, ? FROM contacts WHERE workspace_id = ? AND domain_hash = ? AND company_id = ?
		ON CONFLICT DO NOTHING`), ms(s.now()), workspaceID, s.domainLookup(workspaceID, domain), companyID)
	return err
}
