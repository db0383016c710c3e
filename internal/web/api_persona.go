package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
)

// apiIdentifiedVisit is a contact's identified visit as the API shows it.
type apiIdentifiedVisit struct {
	ID           int64     `json:"id"`
	SiteID       int64     `json:"site_id"`
	Site         string    `json:"site"`
	CompanyID    *int64    `json:"company_id"` // null when the visit came from no company
	Company      string    `json:"company"`
	StartedAt    time.Time `json:"started_at"`
	LastAt       time.Time `json:"last_at"`
	IdentifiedAt time.Time `json:"identified_at"`
	Via          string    `json:"via"`
	Pageviews    int64     `json:"pageviews"`
	EngagedMS    int64     `json:"engaged_ms"`
	Source       string    `json:"source"`
	Pages        []apiPage `json:"pages"` // from the identification on
}

// apiContactVisits: GET /api/v1/contacts/{id}/visits — the contact's
// identified visits, newest first, each with its pages from the
// identification on; ?limit (1 to 200, 50) and ?before (a visit ID, for
// the next page, as next_before gives it). Any token of the workspace.
func (s *Server) apiContactVisits(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	q := r.URL.Query()
	limit, before := 50, int64(0)
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 200 {
			apiError(w, foyer.Errorf(foyer.EINVALID, "limit: want 1 to 200"))
			return
		}
	}
	if v := q.Get("before"); v != "" {
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before < 1 {
			apiError(w, foyer.Errorf(foyer.EINVALID, "before: want a visit ID"))
			return
		}
	}
	visits, err := s.cfg.Store.ContactVisits(r.Context(), t.WorkspaceID, id, before, limit)
	if err != nil {
		s.apiFail(w, "api contact visits", err)
		return
	}
	if !s.auditTokenRead(w, r, t, foyer.AuditContactViewed, "contact", idOf(id), "identified visits through the API") {
		return
	}
	out := struct {
		Data       []apiIdentifiedVisit `json:"data"`
		NextBefore *int64               `json:"next_before"` // null on the last page
	}{Data: []apiIdentifiedVisit{}}
	for _, v := range visits {
		av := apiIdentifiedVisit{ID: v.ID, SiteID: v.SiteID, Site: v.SiteName, Company: v.CompanyName,
			StartedAt: v.StartedAt, LastAt: v.LastAt, IdentifiedAt: v.IdentifiedAt, Via: v.Via.String(),
			Pageviews: v.Pageviews, EngagedMS: v.EngagedMS, Source: v.Source, Pages: apiPagesOf(v.Pages)}
		if v.CompanyID != 0 {
			av.CompanyID = &v.CompanyID
		}
		out.Data = append(out.Data, av)
	}
	if len(visits) == limit {
		last := visits[len(visits)-1].ID
		out.NextBefore = &last
	}
	apiJSON(w, out)
}

// apiUnlinkContactVisits: DELETE /api/v1/contacts/{id}/visits — every
// identified visit of the contact becomes anonymous, and the browsers
// linked to it are forgotten. Write scope.
func (s *Server) apiUnlinkContactVisits(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, ok := writeContact(w, r, t)
	if !ok {
		return
	}
	n, err := s.cfg.Store.UnlinkContact(r.Context(), t.WorkspaceID, id, tokenActor(t))
	if err != nil {
		s.apiFail(w, "api unlink", err)
		return
	}
	apiJSON(w, struct {
		Unlinked int `json:"unlinked"`
	}{n})
}

// apiUnlinkVisit: DELETE /api/v1/contacts/{id}/visits/{visit} — one
// identified visit of the contact becomes anonymous. Write scope.
func (s *Server) apiUnlinkVisit(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, ok := writeContact(w, r, t)
	if !ok {
		return
	}
	visit, err := strconv.ParseInt(r.PathValue("visit"), 10, 64)
	if err != nil || visit < 1 {
		apiError(w, foyer.Errorf(foyer.ENOTFOUND, "no visit %q", r.PathValue("visit")))
		return
	}
	if err := s.cfg.Store.UnlinkVisit(r.Context(), t.WorkspaceID, id, visit, tokenActor(t)); err != nil {
		s.apiFail(w, "api unlink", err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiCreateToken: POST /api/v1/contacts/{id}/links — a token for the
// links of tracked emails: a landing URL with fy_t=TOKEN recognises the
// contact (Persona Insights) until expires_at. The body may give "days"
// (1 to 365, 90 when absent) and a "url" to return with the token added.
// Write scope.
func (s *Server) apiCreateToken(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	b, ok := writeBody(w, r, t, 8<<10)
	if !ok {
		return
	}
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	var in struct {
		Days *int   `json:"days"`
		URL  string `json:"url"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	life := foyer.DefaultTokenLife
	if in.Days != nil {
		if *in.Days < 1 || *in.Days > 365 {
			apiError(w, foyer.Errorf(foyer.EINVALID, "days: want 1 to 365"))
			return
		}
		life = time.Duration(*in.Days) * 24 * time.Hour
	}
	var landing *url.URL
	if in.URL != "" {
		if landing, err = url.Parse(in.URL); err != nil || (landing.Scheme != "https" && landing.Scheme != "http") || landing.Host == "" {
			apiError(w, foyer.Errorf(foyer.EINVALID, "url: want an http or https address of a page of your site"))
			return
		}
	}
	tok, err := s.cfg.Store.CreateContactToken(r.Context(), t.WorkspaceID, id, life, tokenActor(t))
	if err != nil {
		s.apiFail(w, "api contact token", err)
		return
	}
	out := struct {
		Token     string    `json:"token"`
		Param     string    `json:"param"`
		ExpiresAt time.Time `json:"expires_at"`
		URL       string    `json:"url,omitempty"`
	}{Token: tok.Token, Param: foyer.TokenParam, ExpiresAt: tok.Expires}
	if landing != nil {
		q := landing.Query()
		q.Set(foyer.TokenParam, tok.Token)
		landing.RawQuery = q.Encode()
		out.URL = landing.String()
	}
	apiJSONStatus(w, http.StatusCreated, out)
}
