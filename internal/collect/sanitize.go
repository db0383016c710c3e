package collect

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// identifierParams are query parameter names whose values identify a person
// or carry a secret. They are compared in lower case with '-' read as '_'.
var identifierParams = map[string]bool{
	"email": true, "e_mail": true, "mail": true, "emailaddress": true, "email_address": true,
	"name": true, "first_name": true, "firstname": true, "last_name": true, "lastname": true,
	"fname": true, "lname": true, "fullname": true, "full_name": true, "surname": true,
	"phone": true, "tel": true, "telephone": true, "mobile": true, "address": true, "zip": true,
	"token": true, "access_token": true, "id_token": true, "refresh_token": true, "auth": true,
	"authorization": true, "password": true, "pass": true, "pwd": true, "secret": true,
	"key": true, "apikey": true, "api_key": true, "session": true, "sessionid": true,
	"session_id": true, "sid": true, "code": true, "signature": true, "sig": true, "user": true,
	"username": true, "userid": true, "user_id": true, "uid": true, "contact": true,
	"contact_id": true, "otp": true, "nonce": true, "state": true, "ssn": true, "dob": true,
	"birthdate": true, "iban": true,
}

// pageURL is a page address with identifiers removed.
type pageURL struct {
	host string // lower case, no port
	path string // path and kept query
	utm  foyer.UTM
}

// parseHTTPURL parses raw as an absolute http(s) URL.
func parseHTTPURL(raw, field string) (*url.URL, error) {
	if len(raw) > maxURL {
		return nil, foyer.Errorf(foyer.EINVALID, "%s: longer than %d bytes", field, maxURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, foyer.Errorf(foyer.EINVALID, "%s: not a URL", field)
	}
	if u.Scheme != "http" && u.Scheme != "https" || normHost(u.Hostname()) == "" {
		return nil, foyer.Errorf(foyer.EINVALID, "%s: want an absolute http or https URL", field)
	}
	return u, nil
}

// cleanPage parses a page URL, takes out its UTM parameters and strips
// identifiers from its path and query.
func cleanPage(raw string) (pageURL, error) {
	u, err := parseHTTPURL(raw, "url")
	if err != nil {
		return pageURL{}, err
	}
	var p pageURL
	p.host = normHost(u.Hostname())
	query := cleanQuery(u.RawQuery, &p.utm)
	p.path = cleanPath(u.EscapedPath())
	if query != "" {
		p.path += "?" + query
	}
	p.path = truncate(p.path, 2048)
	return p, nil
}

// cleanLink returns a link target with identifiers stripped, UTM parameters kept.
func cleanLink(raw string) (string, error) {
	u, err := parseHTTPURL(raw, "target")
	if err != nil {
		return "", err
	}
	s := u.Scheme + "://" + hostPort(u) + cleanPath(u.EscapedPath())
	if q := cleanQuery(u.RawQuery, nil); q != "" {
		s += "?" + q
	}
	return truncate(s, 2048), nil
}

// cleanReferrer keeps the scheme, host and cleaned path of an external
// referrer. Anything that is not an http(s) URL becomes "".
func cleanReferrer(raw string) (host, ref string) {
	if raw == "" || len(raw) > maxURL {
		return "", ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || normHost(u.Hostname()) == "" {
		return "", ""
	}
	return normHost(u.Hostname()), truncate(u.Scheme+"://"+hostPort(u)+cleanPath(u.EscapedPath()), 1024)
}

func hostPort(u *url.URL) string {
	h := normHost(u.Hostname())
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	}
	if p := u.Port(); p != "" {
		h += ":" + p
	}
	return h
}

func normHost(h string) string { return strings.TrimSuffix(strings.ToLower(h), ".") }

// cleanQuery drops identifier parameters and values from a raw query,
// keeping the order of the rest. UTM parameters go to utm when it is not nil
// (and are then removed), and are kept as they are otherwise.
func cleanQuery(raw string, utm *foyer.UTM) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || !utf8.ValidString(name) || !utf8.ValidString(value) {
			continue
		}
		norm := strings.ReplaceAll(strings.ToLower(name), "-", "_")
		if utm != nil && setUTM(utm, norm, value) {
			continue
		}
		// A bare "?jane@acme.com" carries the identifier in the name.
		if identifierParams[norm] || looksPersonal(value) || looksPersonal(name) {
			continue
		}
		kept = append(kept, part)
	}
	return strings.Join(kept, "&")
}

func setUTM(u *foyer.UTM, name, value string) bool {
	value = truncate(strings.TrimSpace(stripNUL(value)), 256)
	if looksPersonal(value) {
		value = ""
	}
	switch name {
	case "utm_source":
		u.Source = value
	case "utm_medium":
		u.Medium = value
	case "utm_campaign":
		u.Campaign = value
	case "utm_term":
		u.Term = value
	case "utm_content":
		u.Content = value
	default:
		return false
	}
	return true
}

// cleanPath replaces path segments that look like an e-mail address, a
// token or a long number with a placeholder.
func cleanPath(escaped string) string {
	if escaped == "" {
		return "/"
	}
	segs := strings.Split(escaped, "/")
	for i, seg := range segs {
		dec, err := url.PathUnescape(seg)
		if err != nil {
			segs[i] = ":invalid"
			continue
		}
		switch {
		case looksEmail(dec):
			segs[i] = ":email"
		case looksToken(dec):
			segs[i] = ":token"
		case looksNumber(dec):
			segs[i] = ":number"
		}
	}
	return strings.Join(segs, "/")
}

// looksPersonal reports whether a query value may identify a person or be a secret.
func looksPersonal(v string) bool {
	return looksEmail(v) || looksToken(v) || looksNumber(v)
}

// looksEmail reports whether s contains something@domain.tld. An '@' that
// starts s is no local part, but one after it may be: "@jane@acme.com".
func looksEmail(s string) bool {
	if len(s) < 2 {
		return false
	}
	at := strings.IndexByte(s[1:], '@') + 1
	if at <= 0 || at == len(s)-1 {
		return false
	}
	return strings.Contains(s[at+1:], ".")
}

// stripNUL removes NUL characters, which PostgreSQL cannot store in text.
func stripNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// looksToken reports whether s is, or contains, a long random-looking run of
// letters and digits (API keys, session IDs, UUIDs, JWTs) rather than words.
func looksToken(s string) bool {
	if strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") >= 1 && len(s) > 20 {
		return true // a JWT
	}
	if isUUIDish(s) {
		return true
	}
	for _, run := range strings.FieldsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if len(run) < 16 {
			continue
		}
		var digits, upper, lower int
		for i := 0; i < len(run); i++ {
			switch c := run[i]; {
			case c >= '0' && c <= '9':
				digits++
			case c >= 'A' && c <= 'Z':
				upper++
			default:
				lower++
			}
		}
		if digits > 0 && upper+lower > 0 || upper > 0 && lower > 0 && upper*4 > len(run) {
			return true
		}
	}
	return false
}

// isUUIDish reports whether s is 32 or more hex digits, with or without dashes.
func isUUIDish(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			n++
		case c == '-':
		default:
			return false
		}
	}
	return n >= 32
}

// looksNumber reports whether s is a phone-number-like run of 9 or more
// digits, optionally with +, spaces, dots, dashes and parentheses.
func looksNumber(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '+' || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digits >= 9
}

// truncate cuts s to at most n bytes without splitting a rune.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
