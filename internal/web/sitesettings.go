package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// settingsView is what a site's settings page shows.
type settingsView struct {
	layout
	Site     *foyer.Site // as stored
	Settings settingsForm
	Snippet  string // the stored settings' snippet
	Loopback bool   // the snippet names a loopback address that visitors cannot reach
	// Confirm is the name typed to confirm the site's deletion, and
	// DeleteError why the deletion was refused.
	Confirm, DeleteError string
	// PersonaOn says whether the workspace has Persona Insights on.
	PersonaOn bool
}

// settingsForm holds the settings form's fields, as stored or as posted.
type settingsForm struct {
	Name, Hostnames, ExcludedPaths, KeepParams string
	Consent                                    foyer.ConsentMode
	HonorGPC, IdentifyForms, IdentifyLinks     bool
	IdentifyMarked, IdentifyHubSpot            bool
	IdentifyParams                             string // three names, or "" for the defaults
}

func formOf(site *foyer.Site) settingsForm {
	return settingsForm{Name: site.Name, Hostnames: strings.Join(site.Hostnames, "\n"),
		ExcludedPaths: strings.Join(site.ExcludedPaths, "\n"), KeepParams: strings.Join(site.KeepParams, ", "),
		Consent: site.Consent, HonorGPC: site.HonorGPC,
		IdentifyForms: site.Identify.Forms, IdentifyLinks: site.Identify.EmailLinks,
		IdentifyMarked: site.Identify.MarkedForms, IdentifyHubSpot: site.Identify.HubSpot,
		IdentifyParams: strings.Join(site.Identify.Params, " ")}
}

// splitHostnames reads a hostname list, or a list of query parameter
// names, typed one a line, or separated by commas or spaces.
func splitHostnames(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' || c == ' ' })
}

// hostnamesOf reads the hostnames a person typed or pasted, as
// splitHostnames does, each a hostname, a host:port or a URL, and returns
// their hostnames (foyer.HostnameOf) without repeats.
func hostnamesOf(s string) []string {
	var out []string
	for _, e := range splitHostnames(s) {
		if h := foyer.HostnameOf(e); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// settingsSite returns the site in the path when the user may change it:
// an admin or owner of the workspace (else 403), and a site of that
// workspace (else 404, as for a site that does not exist).
func (s *Server) settingsSite(w http.ResponseWriter, r *http.Request, u *foyer.User) (foyer.Membership, *foyer.Site, bool) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return m, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("site"), 10, 64)
	if err != nil {
		s.notFound(w, u)
		return m, nil, false
	}
	site, err := s.cfg.Store.SiteByID(r.Context(), m.WorkspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.notFound(w, u)
		return m, nil, false
	}
	if err != nil {
		s.serverError(w, "site settings", err)
		return m, nil, false
	}
	return m, site, true
}

// settingsPage shows a site's settings: admins and owners only.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, site, ok := s.settingsSite(w, r, u)
	if !ok {
		return
	}
	s.renderSettings(w, r, u, m, site, http.StatusOK, "",
		settingsView{Settings: formOf(site)})
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, site *foyer.Site,
	status int, errMsg string, d settingsView) {
	d.layout = layout{Title: "Settings · " + site.Name, User: u, Error: errMsg, Workspace: m, Notice: noticeOf(r)}
	d.Site, d.Snippet, d.Loopback = site, s.snippet(r, site), s.loopbackSnippet(r)
	if p, err := s.cfg.Store.PersonaSettings(r.Context(), m.WorkspaceID); err == nil {
		d.PersonaOn = p.On()
	}
	s.render(w, status, "settings", d)
}

// saveSettings stores a site's settings from the form: admins and owners
// only. Bad input shows the page again with the form as typed and the
// error, and stores nothing. After a save, this process's collector reads
// the site afresh at once (ForgetSite); others within 10 seconds.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, stored, ok := s.settingsSite(w, r, u)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		s.renderSettings(w, r, u, m, stored, http.StatusBadRequest, "The form could not be read.", settingsView{Settings: formOf(stored)})
		return
	}
	f := r.PostForm
	form := settingsForm{Name: f.Get("name"), Hostnames: f.Get("hostnames"), ExcludedPaths: f.Get("excluded_paths"),
		KeepParams: f.Get("keep_params"), Consent: foyer.ConsentMode(f.Get("consent")), HonorGPC: f.Get("honor_gpc") == "on",
		IdentifyForms: f.Get("identify_forms") == "on", IdentifyLinks: f.Get("identify_email_links") == "on",
		IdentifyMarked: f.Get("identify_marked_forms") == "on", IdentifyHubSpot: f.Get("identify_hubspot") == "on",
		IdentifyParams: f.Get("identify_params")}
	site := &foyer.Site{ID: stored.ID, WorkspaceID: m.WorkspaceID, Name: form.Name, Hostnames: hostnamesOf(form.Hostnames),
		HonorGPC: form.HonorGPC, Consent: form.Consent, ExcludedPaths: strings.Split(form.ExcludedPaths, "\n"),
		KeepParams: splitHostnames(form.KeepParams),
		Identify: foyer.Identification{Forms: form.IdentifyForms, EmailLinks: form.IdentifyLinks,
			MarkedForms: form.IdentifyMarked, HubSpot: form.IdentifyHubSpot, Params: splitHostnames(form.IdentifyParams)}}
	err := s.cfg.Store.UpdateSite(r.Context(), site)
	switch foyer.ErrorCode(err) {
	case "":
	case foyer.EINVALID:
		s.renderSettings(w, r, u, m, stored, http.StatusBadRequest, foyer.ErrorMessage(err), settingsView{Settings: form})
		return
	case foyer.ENOTFOUND: // deleted meanwhile
		s.notFound(w, u)
		return
	default:
		s.serverError(w, "save site settings", err)
		return
	}
	if s.cfg.Collect != nil {
		s.cfg.Collect.ForgetSite(site.Key)
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditSiteSettings, "site", idOf(site.ID), "settings saved")
	done(w, r, fmt.Sprintf("/app/w/%d/sites/%d/settings", m.WorkspaceID, site.ID), "site-saved")
}

// siteBadges names the settings that the list of sites and a site's
// overview show.
func siteBadges(site *foyer.Site) []string {
	b := []string{"Tracks without asking"}
	if site.Consent == foyer.ConsentRequired {
		b[0] = "Consent required"
	}
	if site.HonorGPC {
		b = append(b, "GPC/DNT honoured")
	} else {
		b = append(b, "GPC/DNT ignored")
	}
	switch n := len(site.ExcludedPaths); n {
	case 0:
	case 1:
		b = append(b, "1 excluded path")
	default:
		b = append(b, fmt.Sprintf("%d excluded paths", n))
	}
	return b
}
