package hubspot

import (
	"strconv"
	"strings"
	"time"
)

// Contact is what Foyer takes of a HubSpot contact.
type Contact struct {
	// ID is HubSpot's contact ID (vid in the legacy API, hs_object_id in
	// CRM v3): decimal digits, never empty. Foyer keeps it as crm_id.
	ID string

	Email     string // trimmed, case as HubSpot keeps it
	FirstName string
	LastName  string
	JobTitle  string
	Phone     string
	Company   string // the company name typed on the contact

	// Consent is the contact's behavioural-tracking consent, kept in HubSpot
	// in the custom property foyer_tracking_consent: "accepted", "refused",
	// or "" when the property is unset or holds anything else.
	Consent string
	// ConsentAt is when the consent was given or refused, from the property
	// foyer_tracking_consent_date; zero when absent or unparsable, and
	// whenever Consent is "".
	ConsentAt time.Time
}

// The contact properties the client asks HubSpot for.
const (
	propEmail       = "email"
	propFirstName   = "firstname"
	propLastName    = "lastname"
	propJobTitle    = "jobtitle"
	propPhone       = "phone"
	propCompany     = "company"
	propConsent     = "foyer_tracking_consent"
	propConsentDate = "foyer_tracking_consent_date"
	propObjectID    = "hs_object_id"
)

// properties lists the properties a Contact is made from.
var properties = []string{
	propEmail, propFirstName, propLastName, propJobTitle, propPhone,
	propCompany, propConsent, propConsentDate,
}

// The values of foyer_tracking_consent that mean something.
const (
	ConsentAccepted = "accepted"
	ConsentRefused  = "refused"
)

// fill sets c's fields from HubSpot's property values.
func (c *Contact) fill(props map[string]string) {
	c.Email = strings.TrimSpace(props[propEmail])
	c.FirstName = strings.TrimSpace(props[propFirstName])
	c.LastName = strings.TrimSpace(props[propLastName])
	c.JobTitle = strings.TrimSpace(props[propJobTitle])
	c.Phone = strings.TrimSpace(props[propPhone])
	c.Company = strings.TrimSpace(props[propCompany])
	c.Consent = parseConsent(props[propConsent])
	if c.Consent != "" {
		c.ConsentAt = parseConsentDate(props[propConsentDate])
	}
}

// parseConsent returns "accepted" or "refused" for those values (in any
// case, with spaces around), and "" for anything else.
func parseConsent(v string) string {
	switch v = strings.ToLower(strings.TrimSpace(v)); v {
	case ConsentAccepted, ConsentRefused:
		return v
	}
	return ""
}

// parseConsentDate reads a HubSpot date or datetime property: epoch
// milliseconds as decimal digits (the legacy API), RFC 3339, or YYYY-MM-DD
// (taken as midnight UTC). It returns the time in UTC, or the zero time for
// an empty or unreadable value or one outside the years 1970 to 9999.
func parseConsentDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	var t time.Time
	if isDigits(v) {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}
		}
		t = time.UnixMilli(ms)
	} else if p, err := time.Parse(time.RFC3339Nano, v); err == nil {
		t = p
	} else if p, err := time.Parse(time.DateOnly, v); err == nil {
		t = p
	} else {
		return time.Time{}
	}
	t = t.UTC()
	if t.Year() < 1970 || t.Year() > 9999 {
		return time.Time{}
	}
	return t
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validID reports whether s can be a HubSpot contact ID: 1 to 20 decimal
// digits, not zero.
func validID(s string) bool {
	return len(s) <= 20 && isDigits(s) && strings.TrimLeft(s, "0") != ""
}
