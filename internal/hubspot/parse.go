package hubspot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// The answers' shapes, as HubSpot's documentation describes them, reduced
// to the fields the client reads.

// utkProfile is the legacy contacts API's contact profile
// (GET /contacts/v1/contact/utk/{utk}/profile).
type utkProfile struct {
	VID          json.Number                `json:"vid"`
	CanonicalVID json.Number                `json:"canonical-vid"`
	IsContact    *bool                      `json:"is-contact"`
	Properties   map[string]json.RawMessage `json:"properties"`
}

// v1Value is a legacy property: {"value": "…", "versions": […]}.
type v1Value struct {
	Value *string `json:"value"`
}

// contactPage is a page of CRM v3 contacts, from the list
// (GET /crm/v3/objects/contacts) or the search
// (POST /crm/v3/objects/contacts/search).
type contactPage struct {
	Results *[]v3Contact `json:"results"`
	Paging  *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// v3Contact is one CRM v3 contact: its ID and its properties' values,
// strings or null.
type v3Contact struct {
	ID         string                     `json:"id"`
	Properties map[string]json.RawMessage `json:"properties"`
}

// errorBody is HubSpot's error answer.
type errorBody struct {
	Status   string `json:"status"`
	Message  string `json:"message"`
	Category string `json:"category"`
}

// parseUTKProfile reads a contact profile. It returns ErrNotFound when the
// profile is of a visitor who is not a contact, and an error wrapping
// ErrMalformed when the body is not a profile or its ID is missing or not
// a contact ID.
func parseUTKProfile(body []byte) (*Contact, error) {
	var p utkProfile
	if err := strictUnmarshal(body, &p); err != nil {
		return nil, malformed("contact profile: %v", err)
	}
	if p.IsContact != nil && !*p.IsContact {
		return nil, &Error{kind: ErrNotFound}
	}
	id := p.CanonicalVID.String()
	if id == "" {
		id = p.VID.String()
	}
	if !validID(id) {
		return nil, malformed("contact profile: no contact ID (vid)")
	}
	props := make(map[string]string, len(properties))
	for _, name := range properties {
		raw, ok := p.Properties[name]
		if !ok || isNull(raw) {
			continue
		}
		var v v1Value
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, malformed("contact profile: property %s: %v", name, err)
		}
		if v.Value != nil {
			props[name] = *v.Value
		}
	}
	c := &Contact{ID: id}
	c.fill(props)
	return c, nil
}

// parseContactPage reads a page of CRM v3 contacts and the cursor of the
// next page ("" on the last). It returns an error wrapping ErrMalformed,
// and no contacts, when the body is not a page or any contact in it lacks
// a valid ID or has a property that is neither a string nor null.
func parseContactPage(body []byte) ([]Contact, string, error) {
	var p contactPage
	if err := strictUnmarshal(body, &p); err != nil {
		return nil, "", malformed("contact page: %v", err)
	}
	if p.Results == nil {
		return nil, "", malformed("contact page: no results")
	}
	contacts := make([]Contact, 0, len(*p.Results))
	for i, r := range *p.Results {
		if !validID(r.ID) {
			return nil, "", malformed("contact page: contact %d has no valid id", i)
		}
		props := make(map[string]string, len(properties))
		for _, name := range properties {
			raw, ok := r.Properties[name]
			if !ok || isNull(raw) {
				continue
			}
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return nil, "", malformed("contact page: contact %s: property %s: %v", r.ID, name, err)
			}
			props[name] = v
		}
		c := Contact{ID: r.ID}
		c.fill(props)
		contacts = append(contacts, c)
	}
	next := ""
	if p.Paging != nil && p.Paging.Next != nil {
		next = p.Paging.Next.After
		if next == "" {
			return nil, "", malformed("contact page: paging.next without after")
		}
	}
	return contacts, next, nil
}

// parseErrorBody reads HubSpot's error answer, leniently: an answer that is
// not one gives the zero errorBody.
func parseErrorBody(body []byte) errorBody {
	var e errorBody
	if json.Unmarshal(body, &e) != nil {
		return errorBody{}
	}
	return e
}

// strictUnmarshal decodes one JSON object into v; anything after it, or a
// body that is not an object, is an error. Unknown fields are allowed.
func strictUnmarshal(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON object")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// malformed returns an *Error wrapping ErrMalformed with the detail.
func malformed(format string, args ...any) error {
	return &Error{kind: ErrMalformed, Message: clean(fmt.Sprintf(format, args...), "")}
}
