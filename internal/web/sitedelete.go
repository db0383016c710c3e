package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/foyerhq/foyer"
)

// deleteSite deletes a site with its visits, events and roll-ups: admins
// and owners, who type the site's name in the form to confirm. A name
// that does not match shows the settings page again, with the error by
// the form, and deletes nothing. The collector of this process forgets
// the site at once, and then refuses its events as those of an unknown
// site; other collector processes within 10 seconds.
func (s *Server) deleteSite(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, site, ok := s.settingsSite(w, r, u)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderSettings(w, r, u, m, site, http.StatusBadRequest, "",
			settingsView{Settings: formOf(site), DeleteError: "The form could not be read."})
		return
	}
	typed := r.PostForm.Get("confirm")
	if strings.TrimSpace(typed) != site.Name {
		s.renderSettings(w, r, u, m, site, http.StatusBadRequest, "", settingsView{Settings: formOf(site), Confirm: typed,
			DeleteError: fmt.Sprintf("Nothing was deleted: type the site's name, %s, exactly as it is written here.", site.Name)})
		return
	}
	err := s.cfg.Store.DeleteSite(r.Context(), m.WorkspaceID, site.ID)
	switch foyer.ErrorCode(err) {
	case "":
	case foyer.ENOTFOUND: // deleted meanwhile
		s.notFound(w, u)
		return
	default:
		s.serverError(w, "delete site", err)
		return
	}
	if s.cfg.Collect != nil {
		s.cfg.Collect.ForgetSite(site.Key)
	}
	s.cfg.Log.Info("site deleted", "workspace", m.WorkspaceID, "site", site.ID, "user", u.ID)
	s.audit(r, u, m.WorkspaceID, foyer.AuditSiteSettings, "site", idOf(site.ID), "deleted")
	done(w, r, fmt.Sprintf("/app/w/%d/sites", m.WorkspaceID), "site-deleted")
}
