package web

import (
	"net/http"

	"github.com/foyerhq/foyer"
)

// startView is what an empty feed shows while its workspace has had no
// visit at all: how to get the first one, site by site.
type startView struct {
	Sites    []siteRow // with their snippets; none: the workspace has no site yet
	CanAdmin bool      // may add sites and send test visits
	Loopback bool      // the snippets name a loopback address that visitors cannot reach
}

// startOf returns the start view of the workspace, or nil when one of its
// sites has had a visit (an index lookup per site).
func (s *Server) startOf(r *http.Request, m foyer.Membership) (*startView, error) {
	sites, err := s.cfg.Store.Sites(r.Context(), m.WorkspaceID)
	if err != nil {
		return nil, err
	}
	v := &startView{CanAdmin: m.Role.AtLeast(foyer.RoleAdmin), Loopback: s.loopbackSnippet(r)}
	for _, site := range sites {
		last, err := s.cfg.Store.LastVisit(r.Context(), site.ID)
		if err != nil {
			return nil, err
		}
		if !last.IsZero() {
			return nil, nil
		}
		v.Sites = append(v.Sites, siteRow{Site: site, Snippet: s.snippet(r, site)})
	}
	return v, nil
}
