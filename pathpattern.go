package foyer

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a site's excluded paths.
const (
	MaxExcludedPaths  = 50
	maxPathPatternLen = 256
)

// ValidatePathPattern checks an excluded-path pattern and returns it with
// surrounding space trimmed. It returns EINVALID saying what is wrong.
func ValidatePathPattern(p string) (string, error) {
	p = strings.TrimSpace(p)
	bad := func(why string) (string, error) {
		return "", Errorf(EINVALID, "excluded path %q: %s", p, why)
	}
	switch {
	case p == "":
		return bad("empty")
	case len(p) > maxPathPatternLen:
		return bad("longer than 256 bytes")
	case !utf8.ValidString(p):
		return bad("not valid UTF-8")
	case p[0] != '/':
		return bad("must start with '/'")
	case p == "/":
		return bad("would exclude every page")
	case strings.ContainsAny(p, "?#"):
		return bad("only the path is matched: leave out the query string ('?…') and fragment ('#…')")
	case strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return bad("contains a space or a control character")
	case strings.Contains(p, "//"):
		return bad("contains an empty segment ('//')")
	case strings.ContainsAny(p, ";\\"):
		return bad("contains ';' or '\\': paths are matched with ';' parameters dropped and '\\' read as '/'")
	}
	for _, seg := range strings.Split(strings.Trim(p, "/"), "/") {
		if seg != "*" && strings.Contains(seg, "*") {
			return bad("'*' must be a whole segment, as in /account/*/billing")
		}
		if !validEscapes(seg) {
			return bad("'%' must start an escape of two hex digits, as in %20")
		}
		switch dec := decodeSegment(seg); {
		case strings.ContainsAny(dec, "/;\\"):
			return bad("contains an escaped '/', ';' or '\\': write '/' itself, as paths are matched with these decoded")
		case dec == "." || dec == "..":
			return bad("contains a '.' or '..' segment: paths are matched with these resolved")
		}
	}
	return p, nil
}

// decodeSegment returns seg with its percent escapes decoded.
func decodeSegment(seg string) string {
	if !strings.Contains(seg, "%") {
		return seg
	}
	var b strings.Builder
	for seg != "" {
		var c byte
		c, seg = nextByte(seg)
		b.WriteByte(c)
	}
	return b.String()
}

// ValidateExcludedPaths validates each pattern and returns them trimmed,
// blank lines and duplicates dropped, in their order; nil when none is left.
func ValidateExcludedPaths(patterns []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range patterns {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		p, err := ValidatePathPattern(raw)
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) > MaxExcludedPaths {
		return nil, Errorf(EINVALID, "%d excluded paths: at most %d", len(out), MaxExcludedPaths)
	}
	return out, nil
}

// MatchPath reports whether the path (without query string; one that does
// not start with '/' matches nothing) matches the excluded-path pattern. A pattern is a URL path that starts with '/':
//
//   - Segments are compared exactly (case matters, as in URLs), after
//     percent-decoding on both sides, so "/café" and "/caf%C3%A9" are one.
//   - A segment that is only '*' matches any one non-empty segment:
//     "/account/*/billing" matches "/account/42/billing".
//     '*' inside a segment ("/blog-*") is an error, and so is "**".
//   - A pattern that ends in '/' is a prefix: "/admin/" matches "/admin",
//     "/admin/" and everything below, but not "/administrator".
//   - Any other pattern matches that path only, with or without one
//     trailing slash: "/pricing" matches "/pricing" and "/pricing/", not
//     "/pricing/team".
//
// Patterns are matched against the path as the collector stores it,
// normalised once: empty segments collapsed ("//admin" is "/admin"), ';'
// parameters dropped ("/admin;x" is "/admin"), escapes decoded (so "%2F"
// separates segments), '.' and '..' segments resolved. The query string is
// never part of it, and identifiers are already replaced by ":email",
// ":token" or ":number", which '*' matches like any segment.
//
// MatchPath accepts any input without panicking; a pattern that
// ValidatePathPattern refuses may match oddly. It allocates nothing.
func MatchPath(pattern, path string) bool {
	rest, ok := strings.CutPrefix(path, "/")
	if !ok {
		return false
	}
	prefix := strings.HasSuffix(pattern, "/")
	pat := strings.Trim(pattern, "/")
	for pat != "" {
		var pseg, seg string
		pseg, pat, _ = strings.Cut(pat, "/")
		if rest == "" {
			return false // the path has fewer segments
		}
		seg, rest, _ = strings.Cut(rest, "/")
		if pseg == "*" {
			if seg == "" {
				return false
			}
		} else if !segmentEqual(pseg, seg) {
			return false
		}
	}
	return prefix || rest == ""
}

// ExcludesPath reports whether the site's excluded paths match the path
// (without query string).
func (s *Site) ExcludesPath(path string) bool {
	for _, p := range s.ExcludedPaths {
		if MatchPath(p, path) {
			return true
		}
	}
	return false
}

// segmentEqual compares two path segments byte by byte after decoding
// percent escapes; an invalid escape stands for itself.
func segmentEqual(a, b string) bool {
	for a != "" && b != "" {
		var ca, cb byte
		ca, a = nextByte(a)
		cb, b = nextByte(b)
		if ca != cb {
			return false
		}
	}
	return a == "" && b == ""
}

// nextByte returns the first byte of s, decoding a percent escape, and the rest.
func nextByte(s string) (byte, string) {
	if c, ok := PercentByte(s); ok {
		return c, s[3:]
	}
	return s[0], s[1:]
}

func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if _, ok := PercentByte(s[i:]); s[i] == '%' && !ok {
			return false
		}
	}
	return true
}

// PercentByte decodes a percent escape ("%2F") at the start of s: the byte
// it stands for, and whether s starts with one.
func PercentByte(s string) (byte, bool) {
	if len(s) < 3 || s[0] != '%' {
		return 0, false
	}
	hi, ok1 := hexValue(s[1])
	lo, ok2 := hexValue(s[2])
	return hi<<4 | lo, ok1 && ok2
}

func hexValue(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
