package web

import (
	"fmt"
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
