package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/hubspot"
)

// setPersona switches Persona Insights on with a legal basis, or off:
// owners only. Switching on needs the owner to confirm that identification
// is not retroactive and that the privacy statement says it.
func (s *Server) setPersona(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	basis, err := foyer.ParsePersonaBasis(r.PostFormValue("basis"))
	if err == nil && basis != foyer.PersonaOff && r.PostFormValue("understood") != "on" {
		err = foyer.Errorf(foyer.EINVALID, "tick the box to confirm that your privacy statement says how known contacts are recognised")
	}
	if err == nil {
		err = s.cfg.Store.SetPersonaBasis(r.Context(), m.WorkspaceID, basis, u.Email)
	}
	if err == nil {
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), "Persona Insights basis: "+string(basis))
	}
	switch {
	case err == nil && basis == foyer.PersonaOff:
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "persona-off")
	case err == nil:
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "persona-on")
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err))
	default:
		s.serverErrorOf(w, "persona insights", u, err)
	}
}

// maxHubSpotToken bounds a HubSpot token as pasted.
const maxHubSpotToken = 512

// setHubSpot stores the workspace's HubSpot private app token after
// checking it with HubSpot, or removes it: owners only.
func (s *Server) setHubSpot(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if r.PostFormValue("remove") == "on" {
		if err := s.cfg.Store.SetHubSpotToken(r.Context(), m.WorkspaceID, "", u.Email); err != nil {
			s.serverErrorOf(w, "hubspot", u, err)
			return
		}
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), "HubSpot disconnected")
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "hubspot-removed")
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" || len(token) > maxHubSpotToken || strings.ContainsAny(token, " \t\r\n") {
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest,
			"Not saved: paste the access token of a HubSpot private app (it starts with pat-).")
		return
	}
	if err := s.hubspotCheck(r.Context(), token); err != nil {
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Not saved: "+hubspotProblem(err))
		return
	}
	if err := s.cfg.Store.SetHubSpotToken(r.Context(), m.WorkspaceID, token, u.Email); err != nil {
		s.serverErrorOf(w, "hubspot", u, err)
		return
	}
	if err := s.cfg.Store.SetHubSpotStatus(r.Context(), m.WorkspaceID, ""); err != nil {
		s.serverErrorOf(w, "hubspot", u, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), "HubSpot token set")
	done(w, r, workspaceSettingsPath(m.WorkspaceID), "hubspot-saved")
}

// checkHubSpot checks the stored token with HubSpot now and records the
// outcome: owners only.
func (s *Server) checkHubSpot(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	token, err := s.cfg.Store.HubSpotToken(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "hubspot", u, err)
		return
	}
	if token == "" {
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "HubSpot is not connected: paste a token first.")
		return
	}
	text := ""
	if err := s.hubspotCheck(r.Context(), token); err != nil {
		text = hubspotProblem(err)
	}
	if err := s.cfg.Store.SetHubSpotStatus(r.Context(), m.WorkspaceID, text); err != nil {
		s.serverErrorOf(w, "hubspot", u, err)
		return
	}
	if text != "" {
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "hubspot-failed")
		return
	}
	done(w, r, workspaceSettingsPath(m.WorkspaceID), "hubspot-ok")
}

// hubspotClient returns a HubSpot client with the token, at the
// configured API address.
func (s *Server) hubspotClient(token string) *hubspot.Client {
	c := hubspot.New(token)
	if s.cfg.HubSpotAPI != "" {
		c.BaseURL = s.cfg.HubSpotAPI
	}
	return c
}

func (s *Server) hubspotCheck(ctx context.Context, token string) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	return s.hubspotClient(token).Check(ctx)
}

// hubspotProblem says what went wrong with HubSpot, for the settings page.
func hubspotProblem(err error) string {
	switch {
	case errors.Is(err, hubspot.ErrUnauthorized):
		return "HubSpot refused the token: it is wrong, revoked or lacks the crm.objects.contacts.read scope. Create a private app token with that scope and paste it here."
	case errors.Is(err, hubspot.ErrRateLimited):
		return "HubSpot's rate limit was reached: try again in a minute."
	case errors.Is(err, hubspot.ErrMalformed):
		return "HubSpot answered something Foyer could not read. Check the API address Foyer is given (--hubspot-api)."
	}
	return "HubSpot could not be reached: " + err.Error()
}

// privacyStatement is the paragraph a workspace with Persona Insights on
// adds to its privacy statement, for its legal basis.
func privacyStatement(basis foyer.PersonaBasis) string {
	why := "our legitimate interest in knowing which of our existing contacts take an interest in our offer"
	if basis == foyer.PersonaConsent {
		why = "your consent, which you can withdraw at any time"
	}
	return "When you come to our website from a link in one of our emails, or fill in one of its forms, " +
		"we may recognise you as one of our existing contacts and record which of our pages you view and for how long, " +
		"so that the people who deal with you know what interests you. We do this on the basis of " + why + ". " +
		"We only ever recognise people who are already our contacts: we never create a profile from a visit, " +
		"and visits made before we recognised you stay anonymous. You can object at any time, through the link " +
		"at the end of our emails or by writing to us; from then on your visits are anonymous."
}
