package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/crmimport"
)

// importHubSpotCompany imports into the workspace's contacts the HubSpot
// contacts whose email is at the company's domain, consent properties
// included: analysts and above, as for adding contacts. The company page
// then lists them among its known contacts.
func (s *Server) importHubSpotCompany(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	back := companyPath(m.WorkspaceID, id)
	importer, ok := s.cfg.Store.(crmimport.Importer)
	if !ok {
		s.serverErrorOf(w, "hubspot import", u, errors.New("the store takes no imports"))
		return
	}
	ctx := r.Context()
	c, err := s.cfg.Store.Company(ctx, m.WorkspaceID, id)
	if err != nil {
		s.serverErrorOf(w, "hubspot import", u, err)
		return
	}
	if c.Domain == "" {
		s.followUpDone(w, r, u, back, "", foyer.Errorf(foyer.EINVALID,
			"Foyer knows no domain for %s, so it cannot tell which HubSpot contacts work there.", c.Name))
		return
	}
	token, err := s.cfg.Store.HubSpotToken(ctx, m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "hubspot import", u, err)
		return
	}
	if token == "" {
		s.followUpDone(w, r, u, back, "", foyer.Errorf(foyer.EINVALID,
			"HubSpot is not connected: an owner pastes a private app token in the workspace's settings."))
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	rep, err := crmimport.HubSpot(ctx, importer, m.WorkspaceID, s.hubspotClient(token),
		crmimport.Options{Domain: c.Domain, Actor: actorOf(u) + " (HubSpot import)"})
	if err != nil {
		// HubSpot's failure is the connector's status too.
		problem := hubspotProblem(errors.Unwrap(err))
		_ = s.cfg.Store.SetHubSpotStatus(ctx, m.WorkspaceID, problem)
		s.followUpDone(w, r, u, back, "", foyer.Errorf(foyer.EINVALID, "Nothing more was imported: %s", problem))
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditContactImport, "company", idOf(c.ID),
		fmt.Sprintf("HubSpot: %d new, %d updated, %d unchanged, %d rejected", rep.New, rep.Updated, rep.Unchanged, rep.Rejected))
	http.Redirect(w, r, fmt.Sprintf("%s?done=hubspot-imported&new=%d&updated=%d&unchanged=%d&rejected=%d#known-contacts",
		back, rep.New, rep.Updated, rep.Unchanged, rep.Rejected), http.StatusSeeOther)
}
