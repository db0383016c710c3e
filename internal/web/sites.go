package web

import (
	"cmp"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// sitesView is what the sites page shows.
type sitesView struct {
	layout
	Sites    []siteRow
	CanAdmin bool
	Loopback bool // the snippets name a loopback address that visitors cannot reach
	Form     struct{ Name, Hostnames string }
}

type siteRow struct {
	Site      *foyer.Site
	LastVisit time.Time
	Snippet   string
}

// baseURL is this Foyer's address for the links and snippets it shows or
// mails: the configured public URL, or else the address the request
// reached it at (its Host header, which a client chooses: the members
// page says so).
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	return requestURL(r)
}

// requestURL is the address the request reached Foyer at: https, but for
// plain http on this machine.
func requestURL(r *http.Request) string {
	scheme := "https"
	if r.TLS == nil && loopbackHost(r.Host) {
		scheme = "http"
	}
	return scheme + "://" + r.Host
}

// loopbackHost reports whether a Host header (with or without a port)
// names this machine: localhost, a name under .localhost, 127.0.0.0/8 or
// ::1. "localhost.example.com" does not.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// loopbackSnippet reports whether snippets made for r name a loopback
// address (localhost, 127.0.0.0/8, ::1): true only without a public URL,
// since a visitor's browser would then try to reach its own machine.
func (s *Server) loopbackSnippet(r *http.Request) bool {
	return s.cfg.PublicURL == "" && loopbackHost(r.Host)
}

// snippet is the tracker tag for a site, served from this Foyer, with the
// attributes its settings need: data-consent="required" when it requires
// consent, data-gpc="ignore" when it does not honour GPC/DNT.
func (s *Server) snippet(r *http.Request, site *foyer.Site) string {
	var attrs string
	if site.Consent == foyer.ConsentRequired {
		attrs += ` data-consent="required"`
	}
	if !site.HonorGPC {
		attrs += ` data-gpc="ignore"`
	}
	// A site that identifies known contacts loads the tracker's build
	// with identification, told which sources are on.
	script := "t.js"
	var sources []string
	id := site.Identify
	if id.Forms {
		sources = append(sources, "forms")
	}
	if id.EmailLinks {
		sources = append(sources, "links")
	}
	if id.HubSpot {
		sources = append(sources, "hubspot")
	}
	if len(sources) > 0 {
		script = "ti.js"
		attrs += ` data-identify="` + strings.Join(sources, " ") + `"`
		if id.Forms && id.MarkedForms {
			attrs += ` data-forms="marked"`
		}
		if id.EmailLinks && len(id.Params) == 3 {
			attrs += ` data-id-params="` + strings.Join(id.Params, " ") + `"`
		}
	}
	return fmt.Sprintf(`<script defer src="%s/%s" data-site="%s"%s></script>`, s.baseURL(r), script, site.Key, attrs)
}

func (s *Server) sitesPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	s.renderSites(w, r, u, m, http.StatusOK, "", sitesView{})
}

func (s *Server) renderSites(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, errMsg string, d sitesView) {
	sites, err := s.cfg.Store.Sites(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverError(w, "sites", err)
		return
	}
	for _, site := range sites {
		last, err := s.cfg.Store.LastVisit(r.Context(), site.ID)
		if err != nil {
			s.serverError(w, "sites", err)
			return
		}
		d.Sites = append(d.Sites, siteRow{Site: site, LastVisit: last, Snippet: s.snippet(r, site)})
	}
	d.CanAdmin = m.Role.AtLeast(foyer.RoleAdmin)
	d.Loopback = s.loopbackSnippet(r)
	d.layout = layout{Title: "Sites", User: u, Error: errMsg, Workspace: m, Notice: noticeOf(r)}
	s.render(w, status, "sites", d)
}

// addSite creates a site with a new random key: admins and owners only.
func (s *Server) addSite(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderSites(w, r, u, m, http.StatusBadRequest, "The form could not be read.", sitesView{})
		return
	}
	var d sitesView
	d.Form.Name, d.Form.Hostnames = r.PostForm.Get("name"), r.PostForm.Get("hostnames")
	site := &foyer.Site{WorkspaceID: m.WorkspaceID, Key: foyer.NewSiteKey(), Name: d.Form.Name, HonorGPC: true,
		Hostnames: hostnamesOf(d.Form.Hostnames)}
	if err := s.cfg.Store.CreateSite(r.Context(), site); err != nil {
		if foyer.ErrorCode(err) == foyer.EINVALID {
			s.renderSites(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err), d)
			return
		}
		s.serverError(w, "add site", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditSiteSettings, "site", idOf(site.ID), "added")
	done(w, r, fmt.Sprintf("/app/w/%d/sites", m.WorkspaceID), "site-added")
}

// overviewView is what a site's overview shows.
type overviewView struct {
	layout
	Periods     []period
	Site        *foyer.Site
	Overview    *foyer.SiteOverview
	CanSettings bool // the user may change the site's settings
	// NoVisits: no visit has ever arrived, and the page shows the site's
	// snippet and, to admins, the form that sends a test visit.
	NoVisits bool
	Snippet  string
	Loopback bool // the snippet names a loopback address that visitors cannot reach
}

// percent writes part of whole as a whole percentage.
func percent(part, whole int64) string {
	if whole == 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", (part*100+whole/2)/whole)
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("site"), 10, 64)
	if err != nil {
		s.notFound(w, u)
		return
	}
	site, err := s.cfg.Store.SiteByID(r.Context(), m.WorkspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.notFound(w, u)
		return
	}
	if err != nil {
		s.serverError(w, "overview", err)
		return
	}
	p, perr := periodOf(r)
	o, err := s.cfg.Store.SiteOverview(r.Context(), m.WorkspaceID, id, p.From, p.To)
	if err != nil {
		s.serverError(w, "overview", err)
		return
	}
	last, err := s.cfg.Store.LastVisit(r.Context(), site.ID)
	if err != nil {
		s.serverError(w, "overview", err)
		return
	}
	s.render(w, http.StatusOK, "overview", overviewView{
		layout: layout{Title: site.Name, User: u, Error: cmp.Or(problemOf(r), periodNotice(perr)), Workspace: m,
			Notice: noticeOf(r)},
		Periods: periodLinks(p), Site: site, Overview: o, CanSettings: m.Role.AtLeast(foyer.RoleAdmin),
		NoVisits: last.IsZero(), Snippet: s.snippet(r, site), Loopback: s.loopbackSnippet(r)})
}
