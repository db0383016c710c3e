package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// contactInput is a contact's JSON as a client sends it to create, change
// (PATCH, with JSON merge-patch semantics) or upsert a contact: only the
// fields present change; a text field set to null is emptied; in attrs a
// key set to null is deleted, and attrs set to null deletes them all.
type contactInput struct {
	text       map[string]string  // the text fields present, by JSON name; "" for null
	attrs      map[string]*string // the attributes present; nil to delete
	clearAttrs bool               // "attrs": null
	consent    *foyer.ConsentChange
}

// contactText maps each text field's JSON name to the contact's field.
var contactText = map[string]func(*foyer.Contact) *string{
	"email":      func(c *foyer.Contact) *string { return &c.Email },
	"first_name": func(c *foyer.Contact) *string { return &c.FirstName },
	"last_name":  func(c *foyer.Contact) *string { return &c.LastName },
	"role":       func(c *foyer.Contact) *string { return &c.Role },
	"phone":      func(c *foyer.Contact) *string { return &c.Phone },
	"company":    func(c *foyer.Contact) *string { return &c.Company },
	"language":   func(c *foyer.Contact) *string { return &c.Language },
	"crm_id":     func(c *foyer.Contact) *string { return &c.CRMID },
}

// contactFields lists the fields a contact's JSON may have, for errors.
const contactFields = "email, first_name, last_name, role, phone, company, language, crm_id, attrs, tracking_consent, tracking_consent_at"

// parseContactInput reads a contact's JSON object: EINVALID for a field
// it does not know, a value of the wrong kind, a consent date without a
// status, or a bad status or date. The consent change, if any, comes from
// the API, by actor.
func parseContactInput(raw []byte, actor string) (*contactInput, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		var typ *json.UnmarshalTypeError
		if err == nil || errors.As(err, &typ) {
			return nil, foyer.Errorf(foyer.EINVALID, "a contact is a JSON object")
		}
		return nil, jsonError(err)
	}
	in := &contactInput{text: map[string]string{}}
	var status, at *string
	for _, name := range slices.Sorted(maps.Keys(fields)) { // the first error is the same each time
		v := fields[name]
		isNull := bytes.Equal(bytes.TrimSpace(v), []byte("null"))
		switch {
		case contactText[name] != nil:
			var s *string
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, foyer.Errorf(foyer.EINVALID, "%s: want a string or null", name)
			}
			in.text[name] = deref(s)
		case name == "attrs":
			if isNull {
				in.clearAttrs = true
				continue
			}
			if err := json.Unmarshal(v, &in.attrs); err != nil || in.attrs == nil {
				return nil, foyer.Errorf(foyer.EINVALID, "attrs: want an object of strings (null to delete one) or null")
			}
		case name == "tracking_consent":
			if err := json.Unmarshal(v, &status); err != nil {
				return nil, foyer.Errorf(foyer.EINVALID, "tracking_consent: want accepted, refused, unanswered or null")
			}
		case name == "tracking_consent_at":
			if err := json.Unmarshal(v, &at); err != nil {
				return nil, foyer.Errorf(foyer.EINVALID, "tracking_consent_at: want a date (RFC 3339 or YYYY-MM-DD) or null")
			}
		default:
			return nil, foyer.Errorf(foyer.EINVALID, "unknown field %q: a contact has %s", name, contactFields)
		}
	}
	if status == nil || *status == "unanswered" || *status == "" {
		if at != nil && *at != "" {
			return nil, foyer.Errorf(foyer.EINVALID, "tracking_consent_at without tracking_consent: give the status it dates")
		}
		return in, nil
	}
	st, err := parseStatus(*status)
	if err != nil {
		return nil, err
	}
	when, err := parseConsentAt(deref(at))
	if err != nil {
		return nil, err
	}
	in.consent = &foyer.ConsentChange{Status: st, At: when, Source: foyer.SourceAPI, Actor: actor}
	return in, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// parseStatus reads a consent status as the API writes it.
func parseStatus(s string) (foyer.ConsentStatus, error) {
	switch s {
	case "accepted":
		return foyer.ConsentAccepted, nil
	case "refused":
		return foyer.ConsentRefused, nil
	case "unanswered":
		return foyer.ConsentUnanswered, nil
	}
	return "", foyer.Errorf(foyer.EINVALID, "consent status %q: want accepted, refused or unanswered", s)
}

// parseConsentAt reads a consent date: RFC 3339, or a day (midnight UTC);
// the zero time for "".
func parseConsentAt(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	layout := time.RFC3339Nano
	if len(s) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, strings.TrimSpace(s))
	if err != nil || t.Year() < 1970 {
		return time.Time{}, foyer.Errorf(foyer.EINVALID, "consent date %q: want RFC 3339 (2026-01-02T15:04:05Z) or YYYY-MM-DD, from 1970", s)
	}
	return t, nil
}

// apply puts the input's fields over c's.
func (in *contactInput) apply(c *foyer.Contact) {
	for name, v := range in.text {
		*contactText[name](c) = v
	}
	if in.clearAttrs {
		c.Attrs = nil
	}
	if in.attrs != nil {
		attrs := maps.Clone(c.Attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		for k, v := range in.attrs {
			if v == nil {
				delete(attrs, k)
			} else {
				attrs[k] = *v
			}
		}
		c.Attrs = attrs
	}
}
