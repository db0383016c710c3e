package contactimport

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// field is what a column holds.
type field int

const (
	fIgnore  field = iota // a column mapped to ""
	fUnnamed              // a column with an empty name: no value allowed
	fEmail
	fFirstName
	fLastName
	fRole
	fPhone
	fCRMID
	fCompany
	fConsent
	fConsentAt
	fAttr
)

var fieldByName = map[string]field{
	"email":               fEmail,
	"first_name":          fFirstName,
	"last_name":           fLastName,
	"role":                fRole,
	"phone":               fPhone,
	"crm_id":              fCRMID,
	"company":             fCompany,
	"tracking_consent":    fConsent,
	"tracking_consent_at": fConsentAt,
	"hastrackingconsent":  fConsent,
	"dttrackingconsent":   fConsentAt,
}

var fieldLabel = [...]string{
	fIgnore: "ignored", fUnnamed: "unnamed column", fEmail: "email",
	fFirstName: "first_name", fLastName: "last_name", fRole: "role",
	fPhone: "phone", fCRMID: "crm_id", fCompany: "company",
	fConsent: "tracking_consent", fConsentAt: "tracking_consent_at",
}

const (
	maxField = 4 << 10 // bytes in one value
	maxAttrs = 50      // non-empty attributes in one record
)

// column is a resolved column: its field and, for an attribute, its name.
type column struct {
	f    field
	attr string
}

func (c column) label() string {
	if c.f == fAttr {
		return "attr." + c.attr
	}
	return fieldLabel[c.f]
}

func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// parseField resolves a field name ("email", "attr.size"); ok is false for
// an unknown name, err is set for an attribute with an invalid name.
func parseField(name string) (c column, ok bool, err error) {
	n := normName(name)
	if f, ok := fieldByName[n]; ok {
		return column{f: f}, true, nil
	}
	if a, ok := strings.CutPrefix(n, "attr."); ok {
		if !validAttrName(a) {
			return column{}, false, foyer.Errorf(foyer.EINVALID,
				"column %q: an attribute name is 1 to 64 letters, digits, _ or -, starting with a letter or digit", name)
		}
		return column{f: fAttr, attr: a}, true, nil
	}
	return column{}, false, nil
}

func validAttrName(a string) bool {
	if a == "" || len(a) > 64 {
		return false
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// normMapping checks a mapping and resolves its targets.
func normMapping(m map[string]string) (map[string]column, error) {
	out := make(map[string]column, len(m))
	for from, to := range m {
		if strings.TrimSpace(to) == "" {
			out[normName(from)] = column{f: fIgnore}
			continue
		}
		c, ok, err := parseField(to)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, foyer.Errorf(foyer.EINVALID, "column %q is mapped to %q, which is not a field", from, to)
		}
		out[normName(from)] = c
	}
	return out, nil
}

// resolve finds a column's field: known is false for an unknown name.
func (st *state) resolve(name string) (c column, known bool, err error) {
	if c, ok := st.mapping[normName(name)]; ok {
		return c, true, nil
	}
	if strings.TrimSpace(name) == "" {
		return column{f: fUnnamed}, true, nil
	}
	return parseField(name)
}

// makeRow validates one record's values, one per column. It returns the row,
// or the reason it is rejected.
func makeRow(line int, cols []column, vals []string, hasConsent bool) (Row, string) {
	r := Row{Line: line, HasConsentColumn: hasConsent}
	for i, v := range vals {
		if !utf8.ValidString(v) {
			return r, "not valid UTF-8"
		}
		if len(v) > maxField {
			return r, cols[i].label() + " is over 4 KiB"
		}
	}
	var consent, consentAt string
	for i, c := range cols {
		v := vals[i]
		switch c.f {
		case fUnnamed:
			if v != "" {
				return r, fmt.Sprintf("a value in column %d, which has no name", i+1)
			}
		case fEmail:
			r.Email = strings.ToLower(strings.TrimSpace(v))
		case fFirstName:
			r.FirstName = v
		case fLastName:
			r.LastName = v
		case fRole:
			r.Role = v
		case fPhone:
			r.Phone = v
		case fCRMID:
			r.CRMID = v
		case fCompany:
			r.Company = v
		case fConsent:
			consent = v
		case fConsentAt:
			consentAt = v
		case fAttr:
			if v == "" {
				continue
			}
			if r.Attrs == nil {
				r.Attrs = make(map[string]string)
			}
			r.Attrs[c.attr] = v
			if len(r.Attrs) > maxAttrs {
				return r, fmt.Sprintf("too many attributes (at most %d)", maxAttrs)
			}
		}
	}
	if r.Email == "" {
		return r, "email is missing"
	}
	if !validEmail(r.Email) {
		return r, "email is not a valid address"
	}
	var reason string
	if r.Consent, reason = parseConsent(consent); reason != "" {
		return r, reason
	}
	if strings.EqualFold(strings.TrimSpace(consent), "unanswered") {
		consentAt = "" // as an export writes a contact with no status: no information, whatever its date
	}
	if r.ConsentAt, reason = parseConsentAt(consentAt); reason != "" {
		return r, reason
	}
	if !r.ConsentAt.IsZero() && r.Consent == "" {
		return r, "a consent date without a consent status"
	}
	return r, ""
}

func parseConsent(v string) (string, string) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "unanswered":
		return "", ""
	case "accepted", "true", "1", "yes":
		return "accepted", ""
	case "refused", "false", "0", "no":
		return "refused", ""
	}
	return "", fmt.Sprintf("unknown consent value %q (use accepted, refused, or leave it empty or unanswered)", short(v))
}

func parseConsentAt(v string) (time.Time, string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, ""
	}
	layout := time.RFC3339
	if len(v) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return time.Time{}, fmt.Sprintf("unparseable consent date %q (use RFC 3339 or YYYY-MM-DD)", short(v))
	}
	if y := t.UTC().Year(); y < 1970 || y > 2200 {
		return time.Time{}, fmt.Sprintf("consent date %q is out of range (1970 to 2200)", short(v))
	}
	return t.UTC(), ""
}

// short cuts a value quoted in a reason to 40 bytes.
func short(v string) string {
	if len(v) <= 40 {
		return v
	}
	v = v[:40]
	for !utf8.ValidString(v) && len(v) > 0 {
		v = v[:len(v)-1]
	}
	return v + "…"
}
