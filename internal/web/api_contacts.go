package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/contactexport"
)

// The contacts API: read tokens read, write tokens change. Every call is
// scoped to the token's workspace by the store: another workspace's
// contact is not found.

// mountContactAPI adds the contacts API's routes.
func (s *Server) mountContactAPI() {
	s.mux.HandleFunc("GET /api/v1/contacts", s.withToken(s.apiListContacts))
	s.mux.HandleFunc("POST /api/v1/contacts", s.withToken(s.apiCreateContact))
	s.mux.HandleFunc("POST /api/v1/contacts/bulk", s.withToken(s.apiBulkContacts))
	s.mux.HandleFunc("GET /api/v1/contacts/{id}", s.withToken(s.apiGetContact))
	s.mux.HandleFunc("PATCH /api/v1/contacts/{id}", s.withToken(s.apiPatchContact))
	s.mux.HandleFunc("DELETE /api/v1/contacts/{id}", s.withToken(s.apiDeleteContact))
	s.mux.HandleFunc("GET /api/v1/contacts/{id}/consent", s.withToken(s.apiGetConsent))
	s.mux.HandleFunc("POST /api/v1/contacts/{id}/consent", s.withToken(s.apiPostConsent))
	s.mux.HandleFunc("GET /api/v1/consent/history", s.withToken(s.apiConsentHistory))
	s.mux.HandleFunc("GET /api/v1/contacts/{id}/visits", s.withToken(s.apiContactVisits))
	s.mux.HandleFunc("DELETE /api/v1/contacts/{id}/visits", s.withToken(s.apiUnlinkContactVisits))
	s.mux.HandleFunc("DELETE /api/v1/contacts/{id}/visits/{visit}", s.withToken(s.apiUnlinkVisit))
	s.mux.HandleFunc("POST /api/v1/contacts/{id}/links", s.withToken(s.apiCreateToken))
	s.mux.HandleFunc("GET /api/v1/contacts/{id}/requests", s.withToken(s.apiListRequests))
	s.mux.HandleFunc("POST /api/v1/contacts/{id}/requests", s.withToken(s.apiOpenRequest))
	s.mux.HandleFunc("GET /api/v1/contacts/{id}/requests/{request}/access", s.withToken(s.apiAccess))
}

// apiContact is a contact as the API shows it.
type apiContact struct {
	ID        int64             `json:"id"`
	Email     string            `json:"email"`
	FirstName string            `json:"first_name"`
	LastName  string            `json:"last_name"`
	Role      string            `json:"role"`
	Phone     string            `json:"phone"`
	Company   string            `json:"company"`
	Language  string            `json:"language"`
	CRMID     string            `json:"crm_id"`
	CompanyID *int64            `json:"company_id"` // the Foyer company of its email's domain; null when none
	Attrs     map[string]string `json:"attrs"`      // {} when none
	Consent   string            `json:"tracking_consent"`
	ConsentAt *time.Time        `json:"tracking_consent_at"` // null when never given
	MayTrack  bool              `json:"may_track"`
	CreatedAt time.Time         `json:"created_at"`
	UpdatedAt time.Time         `json:"updated_at"`
}

func apiContactOf(c *foyer.Contact, mode foyer.TrackingMode) apiContact {
	out := apiContact{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Role: c.Role, Phone: c.Phone,
		Company: c.Company, Language: c.Language, CRMID: c.CRMID, Attrs: map[string]string{},
		Consent: contactexport.StatusName(c.Consent.Status), ConsentAt: optTime(c.Consent.At),
		MayTrack: foyer.MayTrack(mode, c.Consent), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if c.CompanyID != 0 {
		out.CompanyID = &c.CompanyID
	}
	for k, v := range c.Attrs {
		out.Attrs[k] = v
	}
	return out
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// contactID reads the path's contact ID; ENOTFOUND when it is not one.
func contactID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, foyer.Errorf(foyer.ENOTFOUND, "contact %q not found", r.PathValue("id"))
	}
	return id, nil
}

// answerContact answers the workspace's contact id as it is stored now.
func (s *Server) answerContact(w http.ResponseWriter, r *http.Request, ws, id int64, status int) {
	c, err := s.cfg.Store.Contact(r.Context(), ws, id)
	if err != nil {
		s.apiFail(w, "api contact", err)
		return
	}
	mode, err := s.cfg.Store.TrackingMode(r.Context(), ws)
	if err != nil {
		s.apiFail(w, "api contact", err)
		return
	}
	apiJSONStatus(w, status, apiContactOf(c, mode))
}

// apiCreateContact: POST /api/v1/contacts — 201 with the new contact; a
// consent given with it is recorded with it (source api). 409
// when the workspace has a contact with that email.
func (s *Server) apiCreateContact(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	b, ok := writeBody(w, r, t, maxBodyBytes)
	if !ok {
		return
	}
	in, err := parseContactInput(b, tokenActor(t))
	if err != nil {
		apiError(w, err)
		return
	}
	c, _, err := s.createAPIContact(r, t, in)
	if err != nil {
		s.apiFail(w, "api create contact", err)
		return
	}
	s.auditToken(r, t, foyer.AuditContactCreated, "contact", idOf(c.ID), "")
	w.Header().Set("Location", "/api/v1/contacts/"+strconv.FormatInt(c.ID, 10))
	s.answerContact(w, r, t.WorkspaceID, c.ID, http.StatusCreated)
}

// checkConsent refuses, before anything is written, a consent change that
// RecordConsent would refuse whatever the stored state (a status that
// cannot be set, a date too far in the future).
func (s *Server) checkConsent(in *contactInput) error {
	if in.consent == nil {
		return nil
	}
	_, _, _, err := foyer.ApplyConsent(foyer.ConsentState{}, *in.consent, s.now())
	return err
}

// createAPIContact stores a new contact of the token's workspace from in
// and records its consent, if any, in one transaction; it returns the contact and the
// consent's outcome (nil without one).
func (s *Server) createAPIContact(r *http.Request, t *foyer.APIToken, in *contactInput) (*foyer.Contact, *consentOutcome, error) {
	if in.text["email"] == "" {
		return nil, nil, foyer.Errorf(foyer.EINVALID, "a contact needs an email")
	}
	if err := s.checkConsent(in); err != nil {
		return nil, nil, err
	}
	c := &foyer.Contact{WorkspaceID: t.WorkspaceID}
	in.apply(c)
	next, applied, why, err := s.cfg.Store.CreateContactWithConsent(r.Context(), c, tokenActor(t), in.consent)
	if err != nil || in.consent == nil {
		return c, nil, err
	}
	out := outcomeOf(next, applied, why)
	return c, &out, nil
}

// consentOutcome is what became of a consent change.
type consentOutcome struct {
	Status  string     `json:"status"`
	At      *time.Time `json:"at"`
	Applied bool       `json:"applied"`
	Why     string     `json:"why"`
}

// outcomeOf is the outcome of a change that left the state next.
func outcomeOf(next foyer.ConsentState, applied bool, why string) consentOutcome {
	return consentOutcome{contactexport.StatusName(next.Status), optTime(next.At), applied, why}
}

// apiGetContact: GET /api/v1/contacts/{id}.
func (s *Server) apiGetContact(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	if _, err := s.cfg.Store.Contact(r.Context(), t.WorkspaceID, id); err != nil { // another workspace's: no entry
		s.apiFail(w, "api get contact", err)
		return
	}
	if !s.auditTokenRead(w, r, t, foyer.AuditContactViewed, "contact", idOf(id), "API") {
		return
	}
	s.answerContact(w, r, t.WorkspaceID, id, http.StatusOK)
}

// apiPatchContact: PATCH /api/v1/contacts/{id} — the fields present
// change (JSON merge patch), the others stay; a consent status in it is
// recorded as by POST …/consent.
func (s *Server) apiPatchContact(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	b, ok := writeBody(w, r, t, maxBodyBytes)
	if !ok {
		return
	}
	in, err := parseContactInput(b, tokenActor(t))
	if err != nil {
		apiError(w, err)
		return
	}
	c, err := s.cfg.Store.Contact(r.Context(), t.WorkspaceID, id)
	if err != nil {
		s.apiFail(w, "api patch contact", err)
		return
	}
	if _, _, err := s.updateAPIContact(r, t, c, in); err != nil {
		s.apiFail(w, "api patch contact", err)
		return
	}
	s.auditToken(r, t, foyer.AuditContactUpdated, "contact", idOf(id), "")
	s.answerContact(w, r, t.WorkspaceID, id, http.StatusOK)
}

// updateAPIContact puts in over the stored contact c and records its
// consent, if any, in one transaction; changed is false when neither the
// fields nor the consent changed.
func (s *Server) updateAPIContact(r *http.Request, t *foyer.APIToken, c *foyer.Contact, in *contactInput) (changed bool, _ *consentOutcome, _ error) {
	if err := s.checkConsent(in); err != nil {
		return false, nil, err
	}
	_, changed, res, err := s.cfg.Store.EditContact(r.Context(), t.WorkspaceID, c.ID, tokenActor(t), func(e *foyer.Contact) error {
		in.apply(e)
		return nil
	}, in.consent)
	if err != nil || res == nil {
		return changed, nil, err
	}
	out := outcomeOf(res.State, res.Applied, res.Why)
	return changed || res.Applied, &out, nil
}

// apiDeleteContact: DELETE /api/v1/contacts/{id} — 204; its consent
// history stays.
func (s *Server) apiDeleteContact(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, ok := writeContact(w, r, t)
	if !ok {
		return
	}
	if err := s.cfg.Store.DeleteContact(r.Context(), t.WorkspaceID, id, tokenActor(t)); err != nil {
		s.apiFail(w, "api delete contact", err)
		return
	}
	s.auditToken(r, t, foyer.AuditContactDeleted, "contact", idOf(id), "")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// apiListContacts: GET /api/v1/contacts?query=&consent=&limit=&offset= —
// a page of the workspace's contacts, newest first, whose words include
// every word of query, with the consent status given.
func (s *Server) apiListContacts(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	limit, offset, err := page(r)
	if err != nil {
		apiError(w, err)
		return
	}
	q := foyer.ContactQuery{Text: r.URL.Query().Get("query"), Limit: limit, Offset: offset}
	if v := r.URL.Query().Get("consent"); v != "" {
		st, err := parseStatus(v)
		if err != nil {
			apiError(w, foyer.Errorf(foyer.EINVALID, "consent %q: want accepted, refused or unanswered", v))
			return
		}
		q.Consent = &st
	}
	ctx := r.Context()
	list, err := s.cfg.Store.SearchContacts(ctx, t.WorkspaceID, q)
	if err != nil {
		s.apiFail(w, "api contacts", err)
		return
	}
	out := struct {
		Data       []apiContact `json:"data"`
		NextOffset *int         `json:"next_offset"`
	}{Data: []apiContact{}}
	if len(list) == limit { // is there more? one more row says
		q.Offset, q.Limit = offset+limit, 1
		more, err := s.cfg.Store.SearchContacts(ctx, t.WorkspaceID, q)
		if err != nil {
			s.apiFail(w, "api contacts", err)
			return
		}
		if len(more) > 0 {
			next := offset + limit
			out.NextOffset = &next
		}
	}
	mode, err := s.cfg.Store.TrackingMode(ctx, t.WorkspaceID)
	if err != nil {
		s.apiFail(w, "api contacts", err)
		return
	}
	for _, c := range list {
		out.Data = append(out.Data, apiContactOf(c, mode))
	}
	apiJSON(w, out)
}
