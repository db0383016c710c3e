package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
)

// Reaching the browser (docs/consent.md): after an opt-out, the contact's
// browser goes through each of the workspace's sites in turn, to
// https://HOST/?foyer_optout=TOKEN, where the tracker (src/foyer.js) sets
// its refusal cookie on the site's own domain, takes the parameter out of
// the address and goes back to the Foyer it was loaded from, at
// /forms/browser/TOKEN?from=HOST, which sends it to the next site, and
// after the last shows where it has been. TOKEN is a formlink.Browser
// token of the contact, valid for browserHopLife; it gives nothing but
// this page.

// browserHopLife is how long the hop's token works.
const browserHopLife = time.Hour

// hopParam is the query parameter the tracker looks for.
const hopParam = "foyer_optout"

// siteHosts lists the hostnames of the workspace's sites that a browser
// can be sent to: each once, in the sites' order, without patterns
// (*.example.com).
func (s *Server) siteHosts(ctx context.Context, workspaceID int64) ([]string, error) {
	sites, err := s.cfg.Store.Sites(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	var hosts []string
	for _, site := range sites {
		for _, h := range site.Hostnames {
			if !strings.HasPrefix(h, "*.") && !slices.Contains(hosts, h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts, nil
}

// hopURL is the address of host's home page that sets the refusal.
func (s *Server) hopURL(host, token string) string {
	return s.cfg.SiteOrigin(host) + "/?" + hopParam + "=" + url.QueryEscape(token)
}

// optOutDone: GET /forms/{ws}/optout/{token}/done — the opt-out's
// confirmation, with the links that stop this browser being tracked on
// each of the workspace's sites. A contact that has not refused is sent
// to the form.
func (s *Server) optOutDone(w http.ResponseWriter, r *http.Request) {
	f, ok := s.openForm(w, r, formlink.OptOut)
	if !ok {
		return
	}
	if f.contact.Consent.Status != foyer.ConsentRefused {
		http.Redirect(w, r, f.url(""), http.StatusSeeOther)
		return
	}
	hosts, err := s.siteHosts(r.Context(), f.link.Workspace)
	if err != nil {
		s.serverError(w, "opt-out done", err)
		return
	}
	hop := s.cfg.FormLinks.Sign(formlink.Link{Workspace: f.link.Workspace, Contact: f.contact.ID, Kind: formlink.Browser,
		Expires: s.now().Add(browserHopLife)})
	d := optOutDoneView{formLayout: f.layout}
	d.Title = d.T.OptOutDoneTitle
	for _, h := range hosts {
		d.Hops = append(d.Hops, siteHop{Host: h, URL: s.hopURL(h, hop)})
	}
	if len(d.Hops) > 0 {
		d.AllURL = d.Hops[0].URL
	}
	s.renderForm(w, http.StatusOK, "optout-done", d)
}

// browserHop: GET /forms/browser/{token}?from=HOST — the tracker on HOST
// has set its refusal cookie: on to the next site, or, after the last,
// the page that says where this browser refuses tracking now.
func (s *Server) browserHop(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	l, err := s.cfg.FormLinks.Verify(token, 0, formlink.Browser, s.now())
	if err != nil {
		var expired *formlink.Link
		if err == formlink.ErrExpired {
			expired = &l
		}
		s.linkError(w, r, err, expired)
		return
	}
	f, ok := s.loadForm(w, r, l, token)
	if !ok {
		return
	}
	hosts, err := s.siteHosts(r.Context(), l.Workspace)
	if err != nil {
		s.serverError(w, "browser hop", err)
		return
	}
	i := slices.Index(hosts, strings.ToLower(r.URL.Query().Get("from")))
	if i >= 0 && i+1 < len(hosts) {
		http.Redirect(w, r, s.hopURL(hosts[i+1], token), http.StatusSeeOther)
		return
	}
	d := browserDoneView{formLayout: f.layout, Hosts: hosts[:i+1]}
	d.Title = d.T.BrowserDoneTitle
	s.renderForm(w, http.StatusOK, "browser-done", d)
}
