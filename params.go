package foyer

import (
	"slices"
	"strings"
)

// Limits of a site's kept query parameters.
const (
	MaxKeepParams   = 30
	maxKeepParamLen = 64
)

// identifierParams are query parameter names whose values identify a
// person or carry a secret, compared in lower case with '-' read as '_':
// common form fields, secrets, and the identifiers that email tools and
// Foyer's own tracked links add. A site may not keep them, and the
// collector drops them even if it did.
var identifierParams = map[string]bool{
	"email": true, "e_mail": true, "mail": true, "emailaddress": true, "email_address": true,
	"name": true, "first_name": true, "firstname": true, "last_name": true, "lastname": true,
	"fname": true, "lname": true, "fn": true, "ln": true, "fullname": true, "full_name": true, "surname": true,
	"phone": true, "tel": true, "telephone": true, "mobile": true, "address": true, "zip": true,
	"token": true, "access_token": true, "id_token": true, "refresh_token": true, "auth": true,
	"authorization": true, "password": true, "pass": true, "pwd": true, "secret": true,
	"key": true, "apikey": true, "api_key": true, "session": true, "sessionid": true,
	"session_id": true, "sid": true, "code": true, "signature": true, "sig": true, "user": true,
	"username": true, "userid": true, "user_id": true, "uid": true, "contact": true,
	"contact_id": true, "otp": true, "nonce": true, "state": true, "ssn": true, "dob": true,
	"birthdate": true, "iban": true,
	// Foyer's tracked email links.
	"fy_email": true, "fy_fn": true, "fy_ln": true, "fy_t": true, "fy_token": true,
	// Other email and marketing tools' recipient identifiers.
	"mc_eid": true, "_hsenc": true, "_hsmi": true, "mkt_tok": true, "vero_id": true,
	"ck_subscriber_id": true, "oly_enc_id": true, "oly_anon_id": true, "_ke": true, "__s": true,
	"sc_uid": true, "subscriber_id": true, "recipient": true,
}

// IdentifierParam reports whether a query parameter name is one that
// names personal data or a secret (compared in lower case, '-' read as '_').
func IdentifierParam(name string) bool {
	return identifierParams[strings.ReplaceAll(strings.ToLower(name), "-", "_")]
}

// IsUTMParam reports whether the name (in any case, '-' read as '_') is one
// of the five UTM parameters, which the collector always takes into the
// visit's source and never keeps in a stored URL.
func IsUTMParam(name string) bool {
	switch strings.ReplaceAll(strings.ToLower(name), "-", "_") {
	case "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content":
		return true
	}
	return false
}

// ValidateKeepParams checks the names of the query parameters a site keeps
// and returns them in lower case, trimmed, blank ones and duplicates
// dropped, in their order; nil when none is left. A name is 1 to 64
// letters, digits, '_', '-', '.', '[' or ']'; UTM parameters and names that
// carry personal data or secrets (email, name, token, fy_fn, mc_eid, …)
// are refused, and so are more than MaxKeepParams names. It returns
// EINVALID saying what is wrong.
func ValidateKeepParams(names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range names {
		n := strings.ToLower(strings.TrimSpace(raw))
		switch {
		case n == "":
			continue
		case len(n) > maxKeepParamLen:
			return nil, Errorf(EINVALID, "query parameter %q: longer than %d characters", n, maxKeepParamLen)
		case strings.IndexFunc(n, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.[]", c))
		}) >= 0:
			return nil, Errorf(EINVALID, "query parameter %q: use letters, digits, '_', '-', '.', '[' or ']'", n)
		case IsUTMParam(n):
			return nil, Errorf(EINVALID, "query parameter %q: UTM parameters are always taken into the visit's source; leave it out", n)
		case IdentifierParam(n):
			return nil, Errorf(EINVALID, "query parameter %q: its values identify a person or carry a secret, so it is never kept", n)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) > MaxKeepParams {
		return nil, Errorf(EINVALID, "%d query parameters to keep: at most %d", len(out), MaxKeepParams)
	}
	return out, nil
}

// KeptParam returns the name, as the site lists it, of the query
// parameter name (compared ignoring case) when the site keeps it in stored
// URLs; ok is false when it does not.
func (s *Site) KeptParam(name string) (kept string, ok bool) {
	for _, k := range s.KeepParams {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// ValidateIdentifyParams checks the landing URL's parameters of the email,
// first name and last name a site's tracked-email links carry (see
// Identification.Params): none, for the defaults, or three distinct names
// of the shape ValidateKeepParams takes, none of them a UTM parameter or
// the token's fy_t. It returns them in lower case, nil for the defaults,
// or EINVALID saying what is wrong.
func ValidateIdentifyParams(names []string) ([]string, error) {
	var out []string
	for _, raw := range names {
		if n := strings.ToLower(strings.TrimSpace(raw)); n != "" {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	if len(out) != 3 {
		return nil, Errorf(EINVALID, "Give three parameter names, for the email, the first name and the last name, or none for %s.",
			strings.Join(DefaultIdentifyParams, ", "))
	}
	for i, n := range out {
		switch {
		case len(n) > maxKeepParamLen:
			return nil, Errorf(EINVALID, "parameter %q: longer than %d characters", n, maxKeepParamLen)
		case strings.IndexFunc(n, func(c rune) bool {
			return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.[]", c))
		}) >= 0:
			return nil, Errorf(EINVALID, "parameter %q: use letters, digits, '_', '-', '.', '[' or ']'", n)
		case IsUTMParam(n) || n == TokenParam:
			return nil, Errorf(EINVALID, "parameter %q is taken: choose another name", n)
		case slices.Contains(out[:i], n):
			return nil, Errorf(EINVALID, "parameter %q is named twice: the email, first name and last name need a name each", n)
		}
	}
	if slices.Equal(out, DefaultIdentifyParams) {
		return nil, nil
	}
	return out, nil
}
