package web

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// The workspace's settings of the hosted contact forms, on its members
// page: whether the unsubscribe form offers the opt-out form, and the logo.

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
	s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), fmt.Sprintf("contact forms: unsubscribe offers opt-out %v", f.UnsubscribeOffersOptOut))
	done(w, r, workspaceSettingsPath(m.WorkspaceID), "contact-forms")
}

// saveLogo: POST /app/w/{ws}/logo — the workspace's logo for the hosted
// forms, a PNG or JPEG file (by its content, not its name), or its
// removal: owners only.
func (s *Server) saveLogo(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	back := workspaceSettingsPath(m.WorkspaceID)
	r.Body = http.MaxBytesReader(w, r.Body, foyer.MaxLogoSize+16<<10)
	if err := r.ParseMultipartForm(foyer.MaxLogoSize + 16<<10); err != nil {
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Choose a PNG or JPEG file of at most 256 KiB.")
		return
	}
	var data []byte
	if r.PostFormValue("remove") != "on" {
		file, _, err := r.FormFile("logo")
		if err != nil {
			s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Choose a PNG or JPEG file of at most 256 KiB.")
			return
		}
		defer file.Close()
		if data, err = io.ReadAll(io.LimitReader(file, foyer.MaxLogoSize+1)); err != nil {
			s.serverError(w, "logo", err)
			return
		}
		if len(data) == 0 {
			s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Choose a PNG or JPEG file of at most 256 KiB.")
			return
		}
	}
	err := s.cfg.Store.SetLogo(r.Context(), m.WorkspaceID, data, http.DetectContentType(data))
	if foyer.ErrorCode(err) == foyer.EINVALID {
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err)+".")
		return
	}
	if err != nil {
		s.serverError(w, "logo", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), fmt.Sprintf("forms' logo (%d bytes)", len(data)))
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
