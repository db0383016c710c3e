package web

import (
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// contactReader is the least role that reads contacts: their list, their
// profiles, and their names wherever visits show them.
const contactReader = foyer.RoleViewer

// knownContactsMax is how many of its known contacts a company's page
// lists.
const knownContactsMax = 20

// knownContactsOf fills the company page's known contacts: the
// workspace's contacts at the company, for a member who may read them.
func (s *Server) knownContactsOf(r *http.Request, m foyer.Membership, cd *companyView) error {
	cd.CanReadContacts = m.Role.AtLeast(contactReader)
	if !cd.CanReadContacts {
		return nil
	}
	ctx := r.Context()
	var err error
	if cd.Mode, err = s.cfg.Store.TrackingMode(ctx, m.WorkspaceID); err != nil {
		return err
	}
	list, err := s.cfg.Store.CompanyContacts(ctx, m.WorkspaceID, cd.Company.ID, knownContactsMax)
	if err != nil {
		return err
	}
	for _, c := range list {
		cd.KnownContacts = append(cd.KnownContacts, contactRow{Contact: c, Name: contactName(c), MayTrack: foyer.MayTrack(cd.Mode, c.Consent)})
	}
	if m.Role.AtLeast(foyer.RoleAnalyst) && cd.Company.Domain != "" {
		p, err := s.cfg.Store.PersonaSettings(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		cd.CanImportHubSpot = p.HubSpot
	}
	if q := r.URL.Query(); q.Get("done") == "hubspot-imported" {
		n := func(k string) int { v, _ := strconv.Atoi(q.Get(k)); return max(v, 0) }
		cd.Imported = &hubspotImported{New: n("new"), Updated: n("updated"), Unchanged: n("unchanged"), Rejected: n("rejected")}
	}
	return nil
}

// hubspotImported is what an import of a company's HubSpot contacts did,
// as its redirect tells the company page.
type hubspotImported struct{ New, Updated, Unchanged, Rejected int }
