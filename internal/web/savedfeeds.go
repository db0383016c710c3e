package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// saveFeed saves the feed page's period, filter and order under a name, for
// analysts and above; the workspace's members all see it.
func (s *Server) saveFeed(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	qs, err := url.ParseQuery(r.PostFormValue("query"))
	var p feedPeriod
	var f foyer.FeedQuery
	if err == nil {
		p, err = parsePeriod(qs)
	}
	if err == nil {
		var problems []string
		if f, problems = parseFilter(qs); len(problems) > 0 {
			err = foyer.Errorf(foyer.EINVALID, "%s", strings.Join(problems, " "))
		}
	}
	back := "/app/w/" + strconv.FormatInt(m.WorkspaceID, 10)
	if err != nil {
		s.feedError(w, r, u, back, foyer.Errorf(foyer.EINVALID, "this feed's period or filters cannot be saved: %s", foyer.ErrorMessage(err)))
		return
	}
	saved := &foyer.SavedFeed{WorkspaceID: m.WorkspaceID, Name: r.PostFormValue("name"),
		Query: feedQueryString(p, f), CreatedBy: u.ID}
	if err := s.cfg.Store.SaveFeed(r.Context(), saved); err != nil {
		if code := foyer.ErrorCode(err); code == foyer.EINVALID || code == foyer.ECONFLICT {
			s.feedError(w, r, u, back+"?"+saved.Query, err)
			return
		}
		s.serverError(w, "save feed", err)
		return
	}
	done(w, r, back+"?"+saved.Query, "feed-saved")
}

// deleteSavedFeed deletes a saved feed: its author, or an admin or owner.
func (s *Server) deleteSavedFeed(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("feed"), 10, 64)
	if err != nil {
		err = foyer.Errorf(foyer.ENOTFOUND, "no saved feed %q", r.PathValue("feed"))
	}
	var f *foyer.SavedFeed
	if err == nil {
		f, err = s.cfg.Store.SavedFeed(r.Context(), m.WorkspaceID, id)
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return
	case err != nil:
		s.serverError(w, "saved feed", err)
		return
	case f.CreatedBy != u.ID && !m.Role.AtLeast(foyer.RoleAdmin):
		s.forbidden(w, u)
		return
	}
	if err := s.cfg.Store.DeleteSavedFeed(r.Context(), m.WorkspaceID, id); err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
		s.serverError(w, "delete saved feed", err)
		return
	}
	done(w, r, "/app/w/"+strconv.FormatInt(m.WorkspaceID, 10), "feed-deleted")
}

// formErrorView is what a page that only says why a form cannot be done
// shows.
type formErrorView struct {
	layout
	Back string // where it leads back to
}

// feedError answers a form of the feed page that cannot be done: the
// reason, and the way back to the feed.
func (s *Server) feedError(w http.ResponseWriter, r *http.Request, u *foyer.User, back string, err error) {
	s.render(w, http.StatusBadRequest, "formerror", formErrorView{
		layout: layout{Title: "Not saved", User: u, Error: foyer.ErrorMessage(err)}, Back: back})
}
