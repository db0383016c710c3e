package web

import (
	"embed"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/httperr"
)

//go:embed openapi.json
var openapiFS embed.FS

// The JSON API under /api/v1: token-authenticated (Authorization: Bearer),
// scoped to the token's workspace, paginated with limit and offset.

// withToken serves a request only with a live API token.
func (s *Server) withToken(next func(http.ResponseWriter, *http.Request, *foyer.APIToken)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="foyer"`)
			apiError(w, foyer.Errorf(foyer.EUNAUTHORIZED, "send an API token: Authorization: Bearer TOKEN"))
			return
		}
		hash := auth.TokenHash(strings.TrimSpace(token))
		t, err := s.cfg.Store.APIToken(r.Context(), hash)
		if foyer.ErrorCode(err) == foyer.EUNAUTHORIZED {
			w.Header().Set("WWW-Authenticate", `Bearer realm="foyer", error="invalid_token"`)
			apiError(w, err)
			return
		}
		if err != nil {
			s.apiServerError(w, "api token", err)
			return
		}
		s.lastUsed.record("token", s.cfg.Store.TouchAPIToken, hash, t.LastUsedAt)
		s.auditTokenUse(r, t, hash)
		next(w, r, t)
	}
}

// apiError answers err with its code's status and the JSON error body.
func apiError(w http.ResponseWriter, err error) {
	w.Header().Set("Cache-Control", "no-store")
	httperr.JSON(w, err)
}

func apiJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// apiCompany is a company as the API shows it.
type apiCompany struct {
	ID   int64  `json:"id"`
	Name string `json:"name"` // as the IP data names it
	// DisplayName is its common name (open data's, or Name in ordinary
	// case); Website and LinkedIn come from open data.
	DisplayName string    `json:"display_name"`
	Website     string    `json:"website,omitempty"`
	LinkedIn    string    `json:"linkedin,omitempty"`
	Domain      string    `json:"domain,omitempty"`
	Country     string    `json:"country,omitempty"`
	City        string    `json:"city,omitempty"`
	Type        string    `json:"type"`
	Industry    string    `json:"industry,omitempty"`
	Size        string    `json:"size,omitempty"`
	Visits      int64     `json:"visits"`
	Pageviews   int64     `json:"pageviews"`
	EngagedMS   int64     `json:"engaged_ms"`
	LastVisit   time.Time `json:"last_visit"`
	Score       int       `json:"score"`
	TopSource   string    `json:"top_source,omitempty"`
	Tags        []string  `json:"tags"` // [] when none
}

// page reads limit (50 by default, 1 to foyer.MaxFeedPage) and offset.
func page(r *http.Request) (limit, offset int, err error) {
	limit = 50
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > foyer.MaxFeedPage {
			return 0, 0, foyer.Errorf(foyer.EINVALID, "limit %q: want 1 to %d", v, foyer.MaxFeedPage)
		}
	}
	if v := r.URL.Query().Get("offset"); v != "" {
		if offset, err = strconv.Atoi(v); err != nil || offset < 0 {
			return 0, 0, foyer.Errorf(foyer.EINVALID, "offset %q: want 0 or more", v)
		}
	}
	return limit, offset, nil
}

// apiCompanies: GET /api/v1/companies — the feed of the token's workspace:
// ?days=1|7|30 (default 30), the feed's filters, limit and offset.
func (s *Server) apiCompanies(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	limit, offset, err := page(r)
	if err != nil {
		apiError(w, err)
		return
	}
	p, err := periodOf(r)
	if err != nil {
		apiError(w, err)
		return
	}
	q, problems := filterOf(r)
	if len(problems) > 0 {
		apiError(w, foyer.Errorf(foyer.EINVALID, "%s", strings.Join(problems, " ")))
		return
	}
	if q.AssignedTo == assignedToMe {
		apiError(w, foyer.Errorf(foyer.EINVALID, "assigned=me names the signed-in user, which a token is not: give the user's ID"))
		return
	}
	q.WorkspaceID, q.From, q.To, q.Limit, q.Offset = t.WorkspaceID, p.From, p.To, limit+1, offset
	rows, err := s.cfg.Store.Feed(r.Context(), q)
	if err != nil {
		s.apiServerError(w, "api companies", err)
		return
	}
	out := struct {
		Days       int          `json:"days,omitempty"`
		From       string       `json:"from"`
		To         string       `json:"to"`
		Data       []apiCompany `json:"data"`
		NextOffset *int         `json:"next_offset"`
	}{Days: p.Days, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Data: []apiCompany{}}
	if len(rows) > limit {
		rows = rows[:limit]
		next := offset + limit
		out.NextOffset = &next
	}
	for _, c := range rows {
		var website string
		if c.Profile != nil {
			website = c.Profile.Website
		}
		out.Data = append(out.Data, apiCompany{ID: c.ID, Name: c.Name, DisplayName: c.DisplayName(), Website: website,
			LinkedIn: c.Profile.LinkedInURL(), Domain: c.Domain, Country: c.Country, City: c.City,
			Type: string(c.Type), Industry: c.DisplayIndustry(), Size: c.DisplaySize(), Visits: c.Visits, Pageviews: c.Pageviews,
			EngagedMS: c.EngagedMS, LastVisit: c.LastAt, Score: c.Score, TopSource: c.TopSource, Tags: append([]string{}, c.Tags...)})
	}
	apiJSON(w, out)
}

// apiPage is a page of a visit as the API shows it.
type apiPage struct {
	Time      time.Time `json:"time"`
	Host      string    `json:"host"`
	Path      string    `json:"path"`
	Title     string    `json:"title,omitempty"`
	EngagedMS int64     `json:"engaged_ms"`
}

// apiPagesOf is pages as the API shows them: [] when none.
func apiPagesOf(pages []foyer.PageView) []apiPage {
	out := make([]apiPage, 0, len(pages))
	for _, p := range pages {
		out = append(out, apiPage{p.Time, p.Host, p.Path, p.Title, p.EngagedMS})
	}
	return out
}

// apiVisits: GET /api/v1/companies/{id}/visits — a company's latest visits
// in the period, with their pages.
func (s *Server) apiVisits(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		apiError(w, foyer.Errorf(foyer.ENOTFOUND, "company %q not found", r.PathValue("id")))
		return
	}
	limit, _, err := page(r)
	if err != nil {
		apiError(w, err)
		return
	}
	p, err := periodOf(r)
	if err != nil {
		apiError(w, err)
		return
	}
	visits, err := s.cfg.Store.CompanyVisits(r.Context(), t.WorkspaceID, id, p.From, p.To, limit, 0)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		apiError(w, err)
		return
	}
	if err != nil {
		s.apiServerError(w, "api visits", err)
		return
	}
	type apiVisit struct {
		ID        int64     `json:"id"`
		SiteID    int64     `json:"site_id"`
		StartedAt time.Time `json:"started_at"`
		LastAt    time.Time `json:"last_at"`
		Pageviews int64     `json:"pageviews"`
		EngagedMS int64     `json:"engaged_ms"`
		Referrer  string    `json:"referrer,omitempty"`
		UTMSource string    `json:"utm_source,omitempty"`
		UTMMedium string    `json:"utm_medium,omitempty"`
		Pages     []apiPage `json:"pages"`
	}
	out := struct {
		Data []apiVisit `json:"data"`
	}{Data: []apiVisit{}}
	for _, v := range visits {
		av := apiVisit{ID: v.ID, SiteID: v.SiteID, StartedAt: v.StartedAt, LastAt: v.LastAt, Pageviews: v.Pageviews,
			EngagedMS: v.EngagedMS, Referrer: v.Referrer, UTMSource: v.UTMSource, UTMMedium: v.UTMMedium, Pages: apiPagesOf(v.Pages)}
		out.Data = append(out.Data, av)
	}
	apiJSON(w, out)
}

// apiSite is a site as the API shows it: its settings too, as its
// settings page edits them.
type apiSite struct {
	ID        int64    `json:"id"`
	Key       string   `json:"key"`
	Name      string   `json:"name"`
	Hostnames []string `json:"hostnames"`
	// Consent is the site's consent mode: "none" or "required".
	Consent  foyer.ConsentMode `json:"consent"`
	HonorGPC bool              `json:"honor_gpc"`
	// ExcludedPaths is never null: [] when there are none.
	ExcludedPaths []string `json:"excluded_paths"`
	// KeepParams is never null: [] when the site keeps no query parameter.
	KeepParams []string    `json:"keep_params"`
	Identify   apiIdentify `json:"identify"`
	CreatedAt  time.Time   `json:"created_at"`
}

// apiIdentify is a site's person-identification settings.
type apiIdentify struct {
	Forms       bool     `json:"forms"`
	MarkedForms bool     `json:"marked_forms"`
	EmailLinks  bool     `json:"email_links"`
	Params      []string `json:"params"` // the email, first name and last name parameters
	HubSpot     bool     `json:"hubspot"`
}

func apiSiteOf(st *foyer.Site) apiSite {
	return apiSite{ID: st.ID, Key: st.Key, Name: st.Name, Hostnames: st.Hostnames, Consent: st.Consent, HonorGPC: st.HonorGPC,
		ExcludedPaths: append([]string{}, st.ExcludedPaths...), KeepParams: append([]string{}, st.KeepParams...),
		Identify: apiIdentify{Forms: st.Identify.Forms, MarkedForms: st.Identify.MarkedForms, EmailLinks: st.Identify.EmailLinks,
			Params: st.IdentifyParams(), HubSpot: st.Identify.HubSpot}, CreatedAt: st.CreatedAt}
}

// apiSites: GET /api/v1/sites — the workspace's sites with their settings.
// The API changes no site: settings are edited on each site's settings page.
func (s *Server) apiSites(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	sites, err := s.cfg.Store.Sites(r.Context(), t.WorkspaceID)
	if err != nil {
		s.apiServerError(w, "api sites", err)
		return
	}
	out := struct {
		Data []apiSite `json:"data"`
	}{Data: []apiSite{}}
	for _, st := range sites {
		out.Data = append(out.Data, apiSiteOf(st))
	}
	apiJSON(w, out)
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	b, _ := openapiFS.ReadFile("openapi.json")
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// apiServerError logs err and answers that it is ours, without its detail.
func (s *Server) apiServerError(w http.ResponseWriter, what string, err error) {
	s.cfg.Log.Error(what, "err", err)
	apiError(w, foyer.Errorf(foyer.EINTERNAL, "something went wrong on our side"))
}
