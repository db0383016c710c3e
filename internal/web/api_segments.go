package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
)

// The segments API: GET and POST /api/v1/segments, GET
// /api/v1/segments/{id}/members. Any token of the workspace reads; a
// token with the write scope creates.

// mountSegmentAPI adds the segments API's routes.
func (s *Server) mountSegmentAPI() {
	s.mux.HandleFunc("GET /api/v1/segments", s.withToken(s.apiListSegments))
	s.mux.HandleFunc("POST /api/v1/segments", s.withToken(s.apiCreateSegment))
	s.mux.HandleFunc("GET /api/v1/segments/{id}/members", s.withToken(s.apiSegmentMembers))
}

// apiSegment is a segment as the API shows it.
type apiSegment struct {
	ID                int64                    `json:"id"`
	Name              string                   `json:"name"`
	Definition        *foyer.SegmentDefinition `json:"definition"` // null for a static segment
	Members           int64                    `json:"members"`
	ExcludedUntracked int64                    `json:"excluded_untracked"`
	EvaluatedAt       *time.Time               `json:"evaluated_at"` // null until evaluated
	CreatedAt         time.Time                `json:"created_at"`
	UpdatedAt         time.Time                `json:"updated_at"`
}

func apiSegmentOf(sg *foyer.Segment) apiSegment {
	out := apiSegment{ID: sg.ID, Name: sg.Name, Definition: sg.Definition, Members: sg.Members,
		ExcludedUntracked: sg.ExcludedUntracked, CreatedAt: sg.CreatedAt, UpdatedAt: sg.UpdatedAt}
	if !sg.EvaluatedAt.IsZero() {
		at := sg.EvaluatedAt
		out.EvaluatedAt = &at
	}
	return out
}

// apiListSegments: GET /api/v1/segments — the workspace's segments by name.
func (s *Server) apiListSegments(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	list, err := s.cfg.Store.Segments(r.Context(), t.WorkspaceID)
	if err != nil {
		s.apiFail(w, "api segments", err)
		return
	}
	out := struct {
		Data []apiSegment `json:"data"`
	}{Data: []apiSegment{}}
	for _, sg := range list {
		out.Data = append(out.Data, apiSegmentOf(sg))
	}
	apiJSON(w, out)
}

// apiCreateSegment: POST /api/v1/segments {"name", "definition"} — 201
// with the segment, evaluated; a null or absent definition makes a static
// segment. 400 for a bad definition, 409 for a name in use.
func (s *Server) apiCreateSegment(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	b, ok := writeBody(w, r, t, maxBodyBytes)
	if !ok {
		return
	}
	var in struct {
		Name       string          `json:"name"`
		Definition json.RawMessage `json:"definition"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	sg := &foyer.Segment{WorkspaceID: t.WorkspaceID, Name: in.Name}
	if len(in.Definition) > 0 && string(in.Definition) != "null" {
		d, err := foyer.ParseSegmentDefinition(string(in.Definition))
		if err != nil {
			apiError(w, err)
			return
		}
		sg.Definition = d
	}
	if err := s.cfg.Store.SaveSegment(r.Context(), sg, tokenActor(t)); err != nil {
		s.apiFail(w, "api create segment", err)
		return
	}
	s.auditToken(r, t, foyer.AuditSettings, "segment", idOf(sg.ID), "segment saved: "+sg.Name)
	saved, err := s.cfg.Store.Segment(r.Context(), t.WorkspaceID, sg.ID)
	if err != nil {
		s.apiFail(w, "api create segment", err)
		return
	}
	w.Header().Set("Location", "/api/v1/segments/"+strconv.FormatInt(sg.ID, 10)+"/members")
	apiJSONStatus(w, http.StatusCreated, apiSegmentOf(saved))
}

// apiSegmentMember is a member as the API shows it.
type apiSegmentMember struct {
	ContactID int64     `json:"contact_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Added     string    `json:"added"` // rule, manual or automation
	Since     time.Time `json:"since"`
}

// apiSegmentMembers: GET /api/v1/segments/{id}/members — a page of the
// segment's members, newest contact first; ?limit (1 to 500, 100) and
// ?before (a contact ID, as next_before gives it).
func (s *Server) apiSegmentMembers(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		apiError(w, foyer.Errorf(foyer.ENOTFOUND, "no segment %q", r.PathValue("id")))
		return
	}
	q := r.URL.Query()
	limit, before := 100, int64(0)
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 500 {
			apiError(w, foyer.Errorf(foyer.EINVALID, "limit: want 1 to 500"))
			return
		}
	}
	if v := q.Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			apiError(w, foyer.Errorf(foyer.EINVALID, "before: want a contact ID"))
			return
		}
	}
	list, err := s.cfg.Store.SegmentMembers(r.Context(), t.WorkspaceID, id, before, limit)
	if err != nil {
		s.apiFail(w, "api segment members", err)
		return
	}
	if !s.auditTokenRead(w, r, t, foyer.AuditContactViewed, "segment", idOf(id), "segment members through the API") {
		return
	}
	out := struct {
		Data       []apiSegmentMember `json:"data"`
		NextBefore *int64             `json:"next_before"` // null on the last page
	}{Data: []apiSegmentMember{}}
	for _, m := range list {
		out.Data = append(out.Data, apiSegmentMember{ContactID: m.ContactID, Name: m.Name, Email: m.Email, Added: m.Added, Since: m.Since})
	}
	if len(list) == limit {
		last := list[len(list)-1].ContactID
		out.NextBefore = &last
	}
	apiJSON(w, out)
}
