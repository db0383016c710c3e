package collect

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// The rules that tell an identifier from ordinary text, in one place: path
// segments, query values, UTM values and page titles all go through them.

// maxDecodes bounds how many more times a value is percent-decoded before
// it is checked: "jane%252540acme.com" needs three. A value that still
// changes after that is taken for an identifier hidden on purpose.
const maxDecodes = 4

// The placeholders that stand for identifiers in stored paths and titles.
const (
	phEmail   = ":email"
	phToken   = ":token"
	phNumber  = ":number"
	phInvalid = ":invalid"
)

// identifier returns the placeholder for s when s, or s percent-decoded up
// to maxDecodes times, looks like an e-mail address, a token or a phone
// number, or still decodes further after that (phInvalid); "" otherwise.
func identifier(s string) string {
	dec, ok := decodeAll(s)
	if !ok {
		return phInvalid
	}
	if p := identifierKind(dec); p != "" || dec == s {
		return p
	}
	return identifierKind(s)
}

func identifierKind(s string) string {
	switch {
	case looksEmail(s):
		return phEmail
	case looksToken(s):
		return phToken
	case looksNumber(s):
		return phNumber
	}
	return ""
}

// looksPersonal reports whether a query value may identify a person or be a secret.
func looksPersonal(v string) bool { return identifier(v) != "" }

// decodeAll percent-decodes s until it no longer changes, at most
// maxDecodes times, and reports whether it stopped changing. Escapes that
// are not '%' and two hex digits stand for themselves, so that a stray '%'
// cannot stop the decoding of what follows it.
func decodeAll(s string) (string, bool) {
	for range maxDecodes {
		d := unescapeLenient(s)
		if d == s {
			return s, true
		}
		s = d
	}
	return s, unescapeLenient(s) == s
}

// unescapeLenient decodes the valid percent escapes of s and leaves the rest.
func unescapeLenient(s string) string {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for ; i < len(s); i++ {
		if c, ok := foyer.PercentByte(s[i:]); ok {
			b = append(b, s[:i]...)
			b = append(b, c)
			s, i = s[i+3:], -1
		}
	}
	return string(append(b, s...))
}

// scrubText replaces what looks like an identifier in free text, a page
// title, with the placeholders URLs get: each word (run of non-space) that
// identifier flags, then each phone-number-like run of digits, spaces and
// "+.-()" with 9 or more digits, which may span several words:
// "Inbox – jane@acme.com" becomes "Inbox – :email".
func scrubText(s string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isSpaceAt(s, j) {
			j++
		}
		if j > i {
			if p := identifier(s[i:j]); p != "" {
				if !changed {
					b.Grow(len(s))
					b.WriteString(s[:i])
					changed = true
				}
				b.WriteString(p)
				i = j
				continue
			}
		}
		k := j
		for k < len(s) && isSpaceAt(s, k) {
			_, n := utf8.DecodeRuneInString(s[k:])
			k += n
		}
		if changed {
			b.WriteString(s[i:k])
		}
		i = k
	}
	if changed {
		s = b.String()
	}
	return scrubNumbers(s)
}

// scrubNumbers replaces phone-number-like runs of s with phNumber.
func scrubNumbers(s string) string {
	var b strings.Builder
	last := 0 // s[:last] is written to b
	for i := 0; i < len(s); {
		if !numberStart(s[i]) {
			i++
			continue
		}
		j, end, digits := i, i, 0
		for ; j < len(s) && numberByte(s[j]); j++ {
			if s[j] >= '0' && s[j] <= '9' {
				digits++
			}
			if s[j] >= '0' && s[j] <= '9' || s[j] == ')' {
				end = j + 1
			}
		}
		if digits >= 9 {
			b.WriteString(s[last:i])
			b.WriteString(phNumber)
			last = end
		}
		i = max(j, i+1)
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// numberByte reports whether c may be part of a phone number, as looksNumber reads one.
func numberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '+' || c == ' ' || c == '.' || c == '-' || c == '(' || c == ')'
}

func numberStart(c byte) bool { return c >= '0' && c <= '9' || c == '+' || c == '(' }

// isSpaceAt reports whether the rune at s[i] is white space.
func isSpaceAt(s string, i int) bool {
	if c := s[i]; c < 0x80 {
		return c == ' ' || c >= '\t' && c <= '\r'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// looksEmail reports whether s contains something@domain.tld. An '@' that
// starts s is no local part, but one after it may be: "@jane@acme.com".
func looksEmail(s string) bool {
	if len(s) < 2 {
		return false
	}
	if strings.ContainsAny(s, "([{\uff20\ufe6b") {
		s = atForms.Replace(strings.ToLower(s))
	}
	at := strings.IndexByte(s[1:], '@') + 1
	if at <= 0 || at == len(s)-1 {
		return false
	}
	return strings.Contains(s[at+1:], ".")
}

// atForms spells out, as '@' and '.', the other forms an address takes to
// pass a filter: the full-width and small at signs, and "(at)", "[dot]"
// and the like, in lower case.
var atForms = strings.NewReplacer("\uff20", "@", "\ufe6b", "@",
	"(at)", "@", "[at]", "@", "{at}", "@", "(dot)", ".", "[dot]", ".", "{dot}", ".")

// looksToken reports whether s is, or contains, a long random-looking run of
// letters and digits (API keys, session IDs, UUIDs, JWTs) rather than words.
func looksToken(s string) bool {
	if strings.HasPrefix(s, "eyJ") && strings.Count(s, ".") >= 1 && len(s) > 20 {
		return true // a JWT
	}
	if isUUIDish(s) {
		return true
	}
	// Each run of ASCII letters and digits, found in place: this runs on
	// every path segment, query value and title word of every event.
	for i := 0; i < len(s); {
		for i < len(s) && !isAlnum(s[i]) {
			i++
		}
		start := i
		for i < len(s) && isAlnum(s[i]) {
			i++
		}
		run := s[start:i]
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

// isAlnum reports whether c is an ASCII letter or digit.
func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
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
		case numberByte(c):
		default:
			return false
		}
	}
	return digits >= 9
}
