package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/foyerhq/foyer"
)

// workspaceSettingsView is what an owner's workspace settings page shows.
type workspaceSettingsView struct {
	layout
	Mode  foyer.TrackingMode
	Chain chainStatus
	// ContactForms are the workspace's settings of the hosted contact forms.
	ContactForms foyer.ContactForms
	// Persona is the workspace's Persona Insights settings, and Statement
	// the paragraph its privacy statement needs for them.
	Persona   foyer.PersonaSettings
	Statement string
	// Retention is the workspace's retention and what the job did.
	Retention retentionView
}

// workspaceSettingsPath is the address of the workspace's settings page.
func workspaceSettingsPath(workspaceID int64) string {
	return fmt.Sprintf("/app/w/%d/settings", workspaceID)
}

// workspaceSettingsPage shows the workspace's legal settings, its tracking
// mode, and whether its consent history verifies (checked anew on every
// view): owners only.
func (s *Server) workspaceSettingsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	s.renderWorkspaceSettings(w, r, u, m, http.StatusOK, "")
}

func (s *Server) renderWorkspaceSettings(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, errMsg string) {
	d := workspaceSettingsView{layout: layout{Title: "Workspace settings", User: u, Workspace: m, Error: errMsg, Notice: noticeOf(r)}}
	var err error
	if d.Mode, err = s.cfg.Store.TrackingMode(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "workspace settings", u, err)
		return
	}
	if d.ContactForms, err = s.cfg.Store.ContactForms(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "workspace settings", u, err)
		return
	}
	if d.Persona, err = s.cfg.Store.PersonaSettings(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "workspace settings", u, err)
		return
	}
	if d.Retention, err = s.loadRetention(r, m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "workspace settings", u, err)
		return
	}
	basis := d.Persona.Basis
	if basis == foyer.PersonaOff {
		basis = foyer.PersonaLegitimateInterest
	}
	d.Statement = privacyStatement(basis)
	d.Chain = s.chains.status(s.cfg.Store, s.cfg.Log, m.WorkspaceID, 0) // anew on each view
	s.render(w, status, "wssettings", d)
}

// setTrackingMode switches the workspace's tracking mode, a history entry
// of its own: owners only.
func (s *Server) setTrackingMode(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	var err error
	if len(reason) > 1000 {
		err = foyer.Errorf(foyer.EINVALID, "the reason is over 1,000 bytes")
	}
	changed := false
	if err == nil {
		changed, err = s.cfg.Store.SetTrackingMode(r.Context(), m.WorkspaceID, foyer.TrackingMode(r.PostFormValue("mode")), actorOf(u), reason)
	}
	if err == nil && changed {
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), "tracking mode: "+r.PostFormValue("mode"))
	}
	switch {
	case err == nil && changed:
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "mode-saved")
	case err == nil:
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "mode-same")
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err))
	default:
		s.serverErrorOf(w, "tracking mode", u, err)
	}
}
