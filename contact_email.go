package foyer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// NormalizeContactEmail returns a contact's email address in the one form Foyer
// stores and matches: surrounding spaces trimmed, the local part lower-cased,
// and the domain lower-cased and, when internationalised, in its ASCII
// (punycode, "xn--") form, so one address has one spelling whatever the
// input wrote. A non-ASCII local part is lower-cased but not brought to a
// Unicode normal form (a composed and a decomposed "é" stay two addresses, as
// mail servers see them). It returns an EINVALID error, in plain words, for anything
// that is not one bare address:
//
//   - no "@" or more than one, an empty local part or domain;
//   - a space or control character inside;
//   - a "mailto:" prefix or a display-name form ("Ana <ana@x.com>"): only
//     the address is accepted, never guessed from around it;
//   - a quoted local part ("a b"@x.com): not supported;
//   - a local part other than letters, digits and !#$%&'*+-/=?^_`{|}~
//     with single dots between them (Unicode letters are allowed);
//   - a domain that is not a valid host name with a dot, or ends with a dot;
//   - more than 64 bytes in the local part or 254 in the whole address.
func NormalizeContactEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", Errorf(EINVALID, "the email address is empty")
	}
	if len(s) > 1024 { // far beyond any address, whatever its encoding: not worth reading
		return "", Errorf(EINVALID, "the email address is longer than 254 characters")
	}
	if !utf8.ValidString(s) {
		return "", Errorf(EINVALID, "the email address is not valid text (UTF-8)")
	}
	if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
		return "", Errorf(EINVALID, "write the email address without \"mailto:\"")
	}
	if strings.ContainsAny(s, "<>") {
		return "", Errorf(EINVALID, "write only the email address, without a name or angle brackets")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", Errorf(EINVALID, "the email address contains a space or an invisible character")
		}
	}
	if strings.Contains(s, `"`) {
		return "", Errorf(EINVALID, "quoted email addresses are not supported")
	}
	at := strings.IndexByte(s, '@')
	if at < 0 {
		return "", Errorf(EINVALID, "the email address has no @")
	}
	if strings.Count(s, "@") > 1 {
		return "", Errorf(EINVALID, "the email address has more than one @")
	}
	local, domain := strings.ToLower(s[:at]), s[at+1:]
	if local == "" {
		return "", Errorf(EINVALID, "the email address has nothing before the @")
	}
	if domain == "" {
		return "", Errorf(EINVALID, "the email address has no domain after the @")
	}
	if err := checkLocal(local); err != nil {
		return "", err
	}
	domain, err := normalizeDomain(domain)
	if err != nil {
		return "", err
	}
	addr := local + "@" + domain
	if len(addr) > 254 {
		return "", Errorf(EINVALID, "the email address is longer than 254 characters")
	}
	return addr, nil
}

// checkLocal checks a lower-cased local part: a dot-atom of at most 64 bytes.
func checkLocal(local string) error {
	if len(local) > 64 {
		return Errorf(EINVALID, "the part of the email address before the @ is longer than 64 characters")
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return Errorf(EINVALID, "the part of the email address before the @ cannot start or end with a dot, or have two dots in a row")
	}
	for _, r := range local {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
		case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r):
		case r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)):
			if strings.ToLower(string(r)) != string(r) {
				// A rune whose lower case is not itself, even after
				// lower-casing (e.g. a title-case letter): refused so that
				// normalising twice gives the same address.
				return Errorf(EINVALID, "the email address contains the character %q, which cannot be written in lower case", r)
			}
		default:
			return Errorf(EINVALID, "the email address contains the character %q before the @, which is not allowed", r)
		}
	}
	return nil
}

// normalizeDomain returns the domain in lower-case ASCII (punycode).
func normalizeDomain(domain string) (string, error) {
	if strings.HasSuffix(domain, ".") {
		return "", Errorf(EINVALID, "the domain of the email address ends with a dot")
	}
	if strings.HasPrefix(domain, "[") {
		return "", Errorf(EINVALID, "email addresses at an IP address are not supported")
	}
	// The lookup profile maps the domain to lower case (and Unicode to its
	// normal form) before encoding it, and allows only letters, digits and
	// hyphens in each label.
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", Errorf(EINVALID, "the domain of the email address, %q, is not a valid domain name", domain)
	}
	if len(ascii) > 253 {
		return "", Errorf(EINVALID, "the domain of the email address is longer than 253 characters")
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", Errorf(EINVALID, "the domain of the email address, %q, has no dot", domain)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "", Errorf(EINVALID, "the domain of the email address, %q, has an empty part or a part longer than 63 characters", domain)
		}
	}
	return ascii, nil
}
