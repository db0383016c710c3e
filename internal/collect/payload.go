// Package collect is Foyer's collector: it parses and validates event
// batches from the tracker, strips identifiers, resolves the client's IP
// address to an Origin and forgets it, and acknowledges a batch only after
// the group-commit writer has durably stored it.
package collect

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"unicode/utf8"

	"github.com/foyerhq/foyer"
)

// Limits of one request.
const (
	MaxBody      = 64 << 10
	MaxEvents    = 50
	maxURL       = 4096
	maxTitle     = 512
	maxEngagedMS = 24 * 60 * 60 * 1000
)

// Payload is one batch as the tracker sends it.
type Payload struct {
	Site    string `json:"site"`
	Visitor string `json:"visitor"`
	// Consent is true when the visitor has consented (foyer.consent(true),
	// now or on an earlier page); a site that requires consent refuses a
	// batch without it.
	Consent bool       `json:"consent"`
	Events  []RawEvent `json:"events"`
}

// RawEvent is one event as the tracker sends it, before validation.
type RawEvent struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	Referrer  string `json:"referrer"`
	EngagedMS int64  `json:"engaged_ms"`
	Target    string `json:"target"`
	// The fields of an identification (type "identify"; see
	// docs/collect.md). They are matched in memory and dropped: nothing
	// of them is ever stored or logged.
	Via        string `json:"via"`
	Email      string `json:"email"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Token      string `json:"token"`
	HubSpotUTK string `json:"hubspotutk"`
}

// ParsePayload decodes and checks the shape of a batch. It returns EINVALID
// with a message that says what is wrong; it never stores anything.
func ParsePayload(body []byte) (*Payload, error) {
	if !utf8.Valid(body) {
		return nil, foyer.Errorf(foyer.EINVALID, "body is not valid UTF-8")
	}
	p, ok := decodePayload(body)
	if !ok {
		var err error
		if p, err = decodeJSON(body); err != nil {
			return nil, err
		}
	}
	if p.Site == "" {
		return nil, foyer.Errorf(foyer.EINVALID, "field \"site\" is required")
	}
	if !validVisitor(p.Visitor) {
		return nil, foyer.Errorf(foyer.EINVALID, "field \"visitor\": want 16 to 64 characters of A-Z a-z 0-9 - _")
	}
	if len(p.Events) == 0 {
		return nil, foyer.Errorf(foyer.EINVALID, "field \"events\": at least one event is required")
	}
	if len(p.Events) > MaxEvents {
		return nil, foyer.Errorf(foyer.EINVALID, "field \"events\": %d events, at most %d in one batch", len(p.Events), MaxEvents)
	}
	return p, nil
}

// decodeJSON decodes a batch with encoding/json: what decodePayload leaves
// to it, unusual bodies and bad ones, whose errors it words.
func decodeJSON(body []byte) (*Payload, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, foyer.Errorf(foyer.EINVALID, "malformed JSON at byte %d: %s", se.Offset, se.Error())
		case errors.As(err, &te) && te.Field == "":
			return nil, foyer.Errorf(foyer.EINVALID, "malformed batch: want a JSON object, got %s", te.Value)
		case errors.As(err, &te):
			return nil, foyer.Errorf(foyer.EINVALID, "field %q: want %s, got %s", te.Field, jsonKind(te.Type), te.Value)
		default:
			return nil, foyer.Errorf(foyer.EINVALID, "malformed JSON: %s", err.Error())
		}
	}
	// More alone misses a stray ']' or '}' after the object; only EOF may follow it.
	if _, err := dec.Token(); err != io.EOF {
		return nil, foyer.Errorf(foyer.EINVALID, "malformed JSON: data after the batch object")
	}
	return &p, nil
}

// jsonKind names a Go type as the JSON value it decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.Kind().String()
}

func validVisitor(v string) bool {
	return len(v) >= 16 && tokenLike(v, 64)
}
