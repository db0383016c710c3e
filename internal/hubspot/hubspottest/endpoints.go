package hubspottest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The handlers run with s.mu held (by hooks).

// defaultProperties are those a CRM v3 contact carries when the request
// names none.
var defaultProperties = []string{"firstname", "lastname", "email"}

// values returns c's properties that have a value, as HubSpot's contact
// property names; dates in the given format.
func (c Contact) values(date func(time.Time) string) map[string]string {
	v := map[string]string{"hs_object_id": c.ID}
	for name, val := range map[string]string{
		"email": c.Email, "firstname": c.FirstName, "lastname": c.LastName,
		"jobtitle": c.JobTitle, "phone": c.Phone, "company": c.Company,
		"foyer_tracking_consent": c.Consent,
	} {
		if val != "" {
			v[name] = val
		}
	}
	if !c.ConsentAt.IsZero() {
		v["foyer_tracking_consent_date"] = date(c.ConsentAt)
	}
	return v
}

func (s *Server) byID(id string) (Contact, bool) {
	for _, c := range s.contacts {
		if c.ID == id {
			return c, true
		}
	}
	return Contact{}, false
}

// profile answers the legacy contact profile of a user token: the contact's
// vid and its properties as {"value": …}, dates in epoch milliseconds; 404
// when the token is no contact's.
func (s *Server) profile(w http.ResponseWriter, r *http.Request) {
	c, ok := s.byID(s.utks[r.PathValue("utk")])
	if !ok {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "The contact does not exist.")
		return
	}
	want := r.URL.Query()["property"]
	props := map[string]any{}
	for name, val := range c.values(func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }) {
		if len(want) == 0 || contains(want, name) || name == "hs_object_id" {
			props[name] = map[string]any{"value": val}
		}
	}
	id, _ := strconv.ParseInt(c.ID, 10, 64)
	writeJSON(w, http.StatusOK, map[string]any{
		"vid":           id,
		"canonical-vid": id,
		"merged-vids":   []int64{},
		"portal-id":     62515,
		"is-contact":    true,
		"properties":    props,
		"identity-profiles": []any{map[string]any{
			"vid":        id,
			"identities": []any{map[string]any{"type": "EMAIL", "value": c.Email, "is-primary": true}},
		}},
	})
}

// v3 renders c as a CRM v3 object with the named properties (null when
// unset), dates as RFC 3339.
func v3(c Contact, names []string) map[string]any {
	vals := c.values(func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") })
	props := map[string]any{"hs_object_id": c.ID}
	for _, name := range names {
		if v, ok := vals[name]; ok {
			props[name] = v
		} else {
			props[name] = nil
		}
	}
	return map[string]any{
		"id":         c.ID,
		"properties": props,
		"createdAt":  "2024-01-02T03:04:05.678Z",
		"updatedAt":  "2024-01-02T03:04:05.678Z",
		"archived":   false,
	}
}

// page renders contacts[from:] up to limit (capped by the page size) and
// the cursor of the next page, the offset as a decimal string.
func (s *Server) page(contacts []Contact, from, limit int, names []string) (results []any, next string) {
	limit = min(max(limit, 1), s.pageSize)
	end := min(from+limit, len(contacts))
	results = []any{}
	for _, c := range contacts[min(from, len(contacts)):end] {
		results = append(results, v3(c, names))
	}
	if end < len(contacts) {
		next = strconv.Itoa(end)
	}
	return results, next
}

// list answers GET /crm/v3/objects/contacts with limit (default 10),
// after and properties.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, from, ok := 10, 0, true
	if v := q.Get("limit"); v != "" {
		limit, ok = atoi(v)
	}
	if v := q.Get("after"); v != "" && ok {
		from, ok = atoi(v)
	}
	if !ok {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input: limit or after is not a number.")
		return
	}
	names := defaultProperties
	if v := q["properties"]; len(v) > 0 {
		names = strings.Split(strings.Join(v, ","), ",")
	}
	results, next := s.page(s.contacts, from, limit, names)
	body := map[string]any{"results": results}
	if next != "" {
		body["paging"] = map[string]any{"next": map[string]any{
			"after": next,
			"link":  s.srv.URL + "/crm/v3/objects/contacts?after=" + next,
		}}
	}
	writeJSON(w, http.StatusOK, body)
}

// searchBody is the part of a CRM v3 search the fake understands.
type searchBody struct {
	FilterGroups []struct {
		Filters []struct {
			PropertyName string `json:"propertyName"`
			Operator     string `json:"operator"`
			Value        string `json:"value"`
		} `json:"filters"`
	} `json:"filterGroups"`
	Properties []string        `json:"properties"`
	Limit      int             `json:"limit"`
	After      json.RawMessage `json:"after"`
}

// search answers POST /crm/v3/objects/contacts/search: filter groups OR'ed,
// their filters AND'ed, with the operators EQ and CONTAINS_TOKEN; results
// in ID order; at most the search limit, past which it answers 400.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var b searchBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON.")
		return
	}
	from, ok := 0, true
	if a := strings.Trim(string(b.After), `"`); a != "" && a != "null" {
		from, ok = atoi(a)
	}
	if !ok || from >= s.searchMax {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid after: the search cannot page past its result limit.")
		return
	}
	var matched []Contact
	for _, c := range s.contacts {
		vals := c.values(func(t time.Time) string { return t.UTC().Format(time.RFC3339) })
		hit := len(b.FilterGroups) == 0
		for _, g := range b.FilterGroups {
			all := true
			for _, f := range g.Filters {
				m, known := match(f.Operator, vals[f.PropertyName], f.Value)
				if !known {
					writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The fake does not know the operator "+f.Operator+".")
					return
				}
				all = all && m
			}
			hit = hit || all
		}
		if hit {
			matched = append(matched, c)
		}
	}
	total := len(matched)
	matched = matched[:min(len(matched), s.searchMax)]
	limit := b.Limit
	if limit == 0 {
		limit = 10
	}
	names := b.Properties
	if len(names) == 0 {
		names = defaultProperties
	}
	results, next := s.page(matched, from, limit, names)
	body := map[string]any{"total": total, "results": results}
	if next != "" || (total > len(matched) && from+min(limit, s.pageSize) >= len(matched)) {
		if next == "" {
			next = strconv.Itoa(len(matched))
		}
		body["paging"] = map[string]any{"next": map[string]any{"after": next}}
	}
	writeJSON(w, http.StatusOK, body)
}

// match applies a search operator; known is false for operators the fake
// does not implement. CONTAINS_TOKEN matches a whole word of the value, or,
// with a leading "*", any ending of it (as "*@acme.com" does).
func match(op, have, want string) (ok, known bool) {
	have, want = strings.ToLower(have), strings.ToLower(want)
	switch op {
	case "EQ":
		return have == want, true
	case "CONTAINS_TOKEN":
		if rest, wild := strings.CutPrefix(want, "*"); wild {
			return have != "" && strings.HasSuffix(have, rest), true
		}
		for _, w := range strings.FieldsFunc(have, func(r rune) bool { return r == ' ' || r == '@' || r == '.' }) {
			if w == want {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func atoi(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}
