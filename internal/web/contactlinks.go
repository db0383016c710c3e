package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
)

// formPath is the path of the form a link opens.
func formPath(l formlink.Link, token string) string {
	return fmt.Sprintf("/forms/%d/%s/%s", l.Workspace, l.Kind, token)
}

// apiContactLinks: GET /api/v1/contacts/{id}/links — the signed links of
// the contact's three hosted forms, for the workspace's emails, at the
// server's public address, each valid for FormLinkLife (90 days unless
// configured). Any token of the workspace (read scope); another
// workspace's contact is not found.
func (s *Server) apiContactLinks(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		apiError(w, foyer.Errorf(foyer.ENOTFOUND, "no contact %q", r.PathValue("id")))
		return
	}
	c, err := s.cfg.Store.Contact(r.Context(), t.WorkspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		apiError(w, err)
		return
	}
	if err != nil {
		s.apiServerError(w, "api contact links", err)
		return
	}
	expires := s.now().Add(s.cfg.FormLinkLife).Truncate(time.Second).UTC()
	base := s.baseURL(r)
	link := func(kind formlink.Kind) string {
		l := formlink.Link{Workspace: c.WorkspaceID, Contact: c.ID, Kind: kind, Expires: expires}
		return base + formPath(l, s.cfg.FormLinks.Sign(l))
	}
	apiJSON(w, struct {
		Profile     string    `json:"profile"`
		OptOut      string    `json:"optout"`
		Unsubscribe string    `json:"unsubscribe"`
		ExpiresAt   time.Time `json:"expires_at"`
	}{link(formlink.Profile), link(formlink.OptOut), link(formlink.Unsubscribe), expires})
}

// saveContactForms: POST /app/w/{ws}/contact-forms — the workspace's
// settings of the hosted contact forms: owners only.
func (s *Server) saveContactForms(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	r.ParseForm()
	f := foyer.ContactForms{UnsubscribeOffersOptOut: r.PostForm.Get("unsubscribe_offers_optout") == "on"}
	if err := s.cfg.Store.SetContactForms(r.Context(), m.WorkspaceID, f); err != nil {
		s.serverError(w, "contact forms settings", err)
		return
	}
	done(w, r, fmt.Sprintf("/app/w/%d/members", m.WorkspaceID), "contact-forms")
}

// saveLogo: POST /app/w/{ws}/logo — the workspace's logo for the hosted
// forms, a PNG or JPEG file (by its content, not its name), or its
// removal: owners only.
func (s *Server) saveLogo(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	back := fmt.Sprintf("/app/w/%d/members", m.WorkspaceID)
	r.Body = http.MaxBytesReader(w, r.Body, foyer.MaxLogoSize+16<<10)
	if err := r.ParseMultipartForm(foyer.MaxLogoSize + 16<<10); err != nil {
		s.renderMembers(w, r, u, m, http.StatusBadRequest, "Choose a PNG or JPEG file of at most 256 KiB.", membersView{})
		return
	}
	var data []byte
	if r.PostFormValue("remove") != "on" {
		file, _, err := r.FormFile("logo")
		if err != nil {
			s.renderMembers(w, r, u, m, http.StatusBadRequest, "Choose a PNG or JPEG file of at most 256 KiB.", membersView{})
			return
		}
		defer file.Close()
		if data, err = io.ReadAll(io.LimitReader(file, foyer.MaxLogoSize+1)); err != nil {
			s.serverError(w, "logo", err)
			return
		}
		if len(data) == 0 {
			s.renderMembers(w, r, u, m, http.StatusBadRequest, "Choose a PNG or JPEG file of at most 256 KiB.", membersView{})
			return
		}
	}
	err := s.cfg.Store.SetLogo(r.Context(), m.WorkspaceID, data, http.DetectContentType(data))
	if foyer.ErrorCode(err) == foyer.EINVALID {
		s.renderMembers(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err)+".", membersView{})
		return
	}
	if err != nil {
		s.serverError(w, "logo", err)
		return
	}
	if data == nil {
		done(w, r, back, "logo-removed")
		return
	}
	done(w, r, back, "logo")
}

// logo: GET /forms/logo/{ws} — the workspace's logo, which its hosted
// forms show: public, as the forms are.
func (s *Server) logo(w http.ResponseWriter, r *http.Request) {
	ws, err := strconv.ParseInt(r.PathValue("ws"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	data, typ, err := s.cfg.Store.Logo(r.Context(), ws)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, "logo", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Security-Policy", "default-src 'none'")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(data)
}
