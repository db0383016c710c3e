package foyer

import (
	"crypto/rand"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxSiteName is the longest name a site may have, in characters.
const maxSiteName = 200

// ValidateSite checks a site's key, name, hostnames, consent mode,
// excluded paths and kept query parameters, and normalises them: the name
// and hostnames trimmed, the hostnames in lower case (an IPv6 address in
// brackets and canonical form, "[2001:db8::1]"), an empty consent mode
// ConsentNone, the excluded paths as ValidateExcludedPaths and the kept
// parameters as ValidateKeepParams return them. It returns EINVALID with
// what is wrong.
func ValidateSite(s *Site) error {
	if !validKey(s.Key) {
		return Errorf(EINVALID, "site key %q: use 1 to 64 letters, digits, '-' or '_'", s.Key)
	}
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" {
		s.Name = s.Key
	}
	if utf8.RuneCountInString(s.Name) > maxSiteName || !utf8.ValidString(s.Name) {
		return Errorf(EINVALID, "The name must be text of at most %d characters.", maxSiteName)
	}
	switch s.Consent {
	case "":
		s.Consent = ConsentNone
	case ConsentNone, ConsentRequired:
	default:
		return Errorf(EINVALID, "Unknown consent mode %q: choose %q or %q.", s.Consent, ConsentNone, ConsentRequired)
	}
	paths, err := ValidateExcludedPaths(s.ExcludedPaths)
	if err != nil {
		return err
	}
	s.ExcludedPaths = paths
	keep, err := ValidateKeepParams(s.KeepParams)
	if err != nil {
		return err
	}
	s.KeepParams = keep
	if s.Identify.Params, err = ValidateIdentifyParams(s.Identify.Params); err != nil {
		return err
	}
	for _, k := range s.KeepParams {
		if slices.Contains(s.IdentifyParams(), k) {
			return Errorf(EINVALID, "query parameter %q carries an identifier of tracked-email links, so it is never kept", k)
		}
	}
	if len(s.Hostnames) == 0 {
		return Errorf(EINVALID, "Give at least one hostname the site's pages are on, such as www.example.com.")
	}
	for i, h := range s.Hostnames {
		h = strings.ToLower(strings.TrimSpace(h))
		if inner, ok := strings.CutPrefix(h, "["); ok {
			ip, ok := ipv6Host(strings.TrimSuffix(inner, "]"))
			if !ok || !strings.HasSuffix(inner, "]") {
				return Errorf(EINVALID, "%q: only an IPv6 address may go in brackets, as in [2001:db8::1].", h)
			}
			h = ip
		} else if ip, ok := ipv6Host(h); ok {
			return Errorf(EINVALID, "%q: write an IPv6 address in brackets, as in %s.", h, ip)
		} else if !validHostPattern(h) {
			return Errorf(EINVALID, "%q is not a hostname: write one as www.example.com, or *.example.com for every subdomain of example.com.", h)
		}
		s.Hostnames[i] = h
	}
	return nil
}

// HostnameOf returns the hostname in an entry of a site's hostnames as a
// person may type or paste it: a hostname, a host:port, or a URL, so that
// "https://www.example.com/pricing" and "www.example.com:443" give
// "www.example.com". An IPv6 address keeps its brackets ("[::1]:8080"
// gives "[::1]"), and a final dot goes; all in lower case. Anything else
// comes back trimmed, for ValidateSite to refuse with its reason.
func HostnameOf(entry string) string {
	h := strings.ToLower(strings.TrimSpace(entry))
	if _, rest, ok := strings.Cut(h, "://"); ok {
		h = rest
	} else {
		h = strings.TrimPrefix(h, "//")
	}
	if i := strings.IndexAny(h, "/?#"); i >= 0 { // the path, query or fragment
		h = h[:i]
	}
	if i := strings.LastIndex(h, "@"); i >= 0 { // a user name and password
		h = h[i+1:]
	}
	if strings.HasPrefix(h, "[") {
		if i := strings.LastIndex(h, "]:"); i >= 0 && digits(h[i+2:]) {
			h = h[:i+1]
		}
	} else if i := strings.IndexByte(h, ':'); i >= 0 && strings.Count(h, ":") == 1 && digits(h[i+1:]) {
		h = h[:i]
	}
	if len(h) > 1 && !strings.HasSuffix(h, "..") {
		h = strings.TrimSuffix(h, ".")
	}
	return h
}

// digits reports whether s is decimal digits only (or empty).
func digits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

// ipv6Host returns the IPv6 address s (without brackets or zone) in
// brackets, in its canonical form: "[2001:DB8:0::1]" becomes
// "[2001:db8::1]". ok is false for anything else, IPv4 included.
func ipv6Host(s string) (host string, ok bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() || a.Zone() != "" {
		return "", false
	}
	return "[" + a.String() + "]", true
}

func validKey(k string) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func validHostPattern(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// AllowsHost reports whether a page on host (lower case, no port) may send
// events to the site. An IPv6 address, with or without brackets, is
// compared in the canonical form ValidateSite stores.
func (s *Site) AllowsHost(host string) bool {
	if strings.Contains(host, ":") {
		if len(host) > 2 && host[0] == '[' && host[len(host)-1] == ']' {
			host = host[1 : len(host)-1]
		}
		var ok bool
		if host, ok = ipv6Host(host); !ok {
			return false
		}
	}
	for _, p := range s.Hostnames {
		if p == host {
			return true
		}
		if suffix, ok := strings.CutPrefix(p, "*."); ok && strings.HasSuffix(host, "."+suffix) {
			return true
		}
	}
	return false
}

// NewSiteKey returns a random site key of 12 lower-case letters and digits.
func NewSiteKey() string { return RandomText(12) }

// RandomText returns n random characters of 32 lower-case letters and
// digits that are hard to mistake for each other (no l, o, 0 or 1): 5 bits
// each, without bias, as 32 divides 256.
func RandomText(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
