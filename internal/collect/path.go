package collect

import (
	"net/url"
	"strings"
)

// cleanPath normalises an escaped URL path and replaces the segments that
// look like identifiers with placeholders. The result is what is stored
// and what excluded paths are matched against (see foyer.MatchPath), so
// that "//admin/x", "/admin;x/y", "/admin%2Fx" and "/x/%2e%2e/admin/" are
// all seen as below "/admin/":
//
//   - ';' parameters are dropped from every segment ("/a;jsessionid=…/b" is "/a/b"),
//   - each segment is percent-decoded, repeatedly (see decodeAll), and what
//     the decoding gives is split again at '/' and '\',
//   - empty and '.' segments are dropped, '..' removes the segment before it,
//   - a segment that identifier flags becomes its placeholder (":email",
//     ":token", ":number"), one that cannot be decoded ":invalid",
//   - the rest is escaped again as a path segment; a trailing '/' stays.
func cleanPath(escaped string) string {
	if escaped == "" || escaped == "/" {
		return "/"
	}
	segs := make([]string, 0, strings.Count(escaped, "/"))
	for raw := range strings.SplitSeq(escaped, "/") {
		segs = appendSegment(segs, raw)
	}
	if len(segs) == 0 {
		return "/"
	}
	path := "/" + strings.Join(segs, "/")
	if strings.HasSuffix(escaped, "/") {
		path += "/"
	}
	return path
}

// appendSegment adds the escaped segment raw to segs, normalised as
// cleanPath says.
func appendSegment(segs []string, raw string) []string {
	raw, _, _ = strings.Cut(raw, ";")
	if !strings.Contains(raw, "%") {
		return appendDecoded(segs, raw, raw)
	}
	dec, err := url.PathUnescape(raw)
	if err != nil {
		return append(segs, phInvalid)
	}
	dec, ok := decodeAll(dec)
	if !ok {
		return append(segs, phInvalid)
	}
	if !strings.ContainsAny(dec, "/\\") {
		return appendDecoded(segs, dec, "")
	}
	for _, part := range strings.FieldsFunc(dec, func(r rune) bool { return r == '/' || r == '\\' }) {
		segs = appendDecoded(segs, part, "")
	}
	return segs
}

// appendDecoded adds the decoded segment dec to segs: as escaped when that
// is not "", else escaped afresh.
func appendDecoded(segs []string, dec, escaped string) []string {
	dec, _, _ = strings.Cut(dec, ";")
	switch dec {
	case "", ".":
		return segs
	case "..":
		if len(segs) > 0 {
			segs = segs[:len(segs)-1]
		}
		return segs
	}
	if p := identifierKind(dec); p != "" {
		return append(segs, p)
	}
	if escaped == "" {
		escaped = url.PathEscape(dec)
	}
	return append(segs, escaped)
}
