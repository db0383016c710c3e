package hubspot

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The errors the client returns, for errors.Is. Each comes wrapped in an
// *Error that carries HubSpot's own status, category and message.
var (
	// ErrUnauthorized: HubSpot refused the token (401 or 403): it was
	// revoked, has expired, is mistyped, or lacks a scope.
	ErrUnauthorized = errors.New("HubSpot refused the access token; " +
		"create a private app in HubSpot (Settings › Integrations › Private Apps) " +
		"with the crm.objects.contacts.read scope and enter its access token again")
	// ErrNotFound: HubSpot knows no contact for the user token.
	ErrNotFound = errors.New("no HubSpot contact for this visitor")
	// ErrRateLimited: HubSpot still answered 429 after the client's retries.
	ErrRateLimited = errors.New("HubSpot's rate limit was reached; try again later")
	// ErrMalformed: HubSpot's answer was not the JSON the client expects.
	ErrMalformed = errors.New("unexpected answer from HubSpot")
	// ErrSearchLimit: a search matched more contacts than HubSpot's search
	// API returns (10,000); the contacts up to the limit were delivered.
	ErrSearchLimit = errors.New("the search matched more than 10,000 contacts, " +
		"the most HubSpot's search returns; import all contacts instead")
)

// maxMessage bounds the part of HubSpot's message an error repeats.
const maxMessage = 200

// Error is an error answer from HubSpot, or a failure to understand one.
// errors.Is(err, ErrXxx) tells which kind it is.
type Error struct {
	Status   int    // HTTP status of HubSpot's answer; 0 when none applies
	Category string // HubSpot's category, such as INVALID_AUTHENTICATION; may be ""
	Message  string // HubSpot's message, truncated, without the token; may be ""
	kind     error  // one of the ErrXxx above, or nil
}

// Error returns the kind's text (or the status) followed by HubSpot's message.
func (e *Error) Error() string {
	var b strings.Builder
	if e.kind != nil {
		b.WriteString(e.kind.Error())
	} else {
		fmt.Fprintf(&b, "HubSpot answered status %d", e.Status)
	}
	if e.Status != 0 && e.kind != nil {
		fmt.Fprintf(&b, " (status %d", e.Status)
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
		b.WriteString(")")
	} else if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	return b.String()
}

// Unwrap returns the ErrXxx the error is, if any.
func (e *Error) Unwrap() error { return e.kind }

// clean makes a message from HubSpot fit to repeat: no token, no control
// characters, at most maxMessage bytes (cut on a rune boundary).
func clean(msg, token string) string {
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "[token]")
	}
	msg = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	msg = strings.TrimSpace(strings.ToValidUTF8(msg, "?"))
	if len(msg) > maxMessage {
		cut := maxMessage
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg
}
