package collect

import (
	"net/netip"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

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

// cleanPage parses a page URL, takes out its UTM parameters, keeps the
// query parameters the site keeps (see cleanQuery) and normalises its path
// with identifiers replaced (see cleanPath).
func cleanPage(raw string, site *foyer.Site) (pageURL, error) {
	u, err := parseHTTPURL(raw, "url")
	if err != nil {
		return pageURL{}, err
	}
	var p pageURL
	p.host = normHost(u.Hostname())
	query := cleanQuery(u.RawQuery, site, &p.utm)
	p.path = cleanPath(u.EscapedPath())
	if query != "" {
		p.path += "?" + query
	}
	p.path = truncate(p.path, 2048)
	return p, nil
}

// cleanLink returns a link target with its path cleaned like a page's, and
// of its query the UTM parameters and those the site keeps, checked alike.
func cleanLink(raw string, site *foyer.Site) (string, error) {
	u, err := parseHTTPURL(raw, "target")
	if err != nil {
		return "", err
	}
	s := u.Scheme + "://" + hostPort(u) + cleanPath(u.EscapedPath())
	if q := cleanQuery(u.RawQuery, site, nil); q != "" {
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

// normHost returns a URL's host name (without brackets or port) in lower
// case without a trailing dot, an IPv6 address in its canonical form, as
// foyer.Site.AllowsHost compares it.
func normHost(h string) string {
	if strings.Contains(h, ":") {
		if a, err := netip.ParseAddr(h); err == nil {
			return a.WithZone("").String()
		}
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// cleanQuery keeps, of a raw query, only the parameters the site keeps
// (site.KeepParams) whose values do not look like identifiers, in their
// order, each under its name in lower case; every other parameter is
// dropped, whatever its name. Names and values are percent-decoded
// repeatedly before they are checked (see identifier), so that
// "u=jane%2540acme.com" and a redirect URL holding it are caught. UTM
// parameters go to utm when it is not nil; otherwise (a link target) they
// are kept like the site's own, values checked.
func cleanQuery(raw string, site *foyer.Site, utm *foyer.UTM) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		name, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || !utf8.ValidString(name) || !utf8.ValidString(value) {
			continue
		}
		name, ok := decodeAll(name)
		if !ok {
			continue
		}
		if foyer.IsUTMParam(name) {
			if utm != nil {
				setUTM(utm, strings.ReplaceAll(strings.ToLower(name), "-", "_"), value)
				continue
			}
		} else if listed, ok := site.KeptParam(name); ok && !foyer.IdentifierParam(name) {
			k = listed // plain: letters, digits and "_-.[]"
		} else {
			continue
		}
		if identifier(value) != "" {
			continue
		}
		if hasValue {
			k += "=" + v
		}
		kept = append(kept, k)
	}
	return strings.Join(kept, "&")
}

func setUTM(u *foyer.UTM, name, value string) bool {
	value = truncate(strings.TrimSpace(stripNUL(value)), 256)
	if identifier(value) != "" {
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

// stripNUL removes NUL characters, which PostgreSQL cannot store in text.
func stripNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}

// cleanTitle returns a page title fit to store: valid UTF-8 without NUL,
// trimmed, identifiers replaced (see scrubText), at most maxTitle bytes.
// It scrubs before it cuts, so that no identifier is cut short of being
// recognised.
func cleanTitle(s string) string {
	return truncate(strings.TrimSpace(scrubText(strings.ToValidUTF8(stripNUL(s), ""))), maxTitle)
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
