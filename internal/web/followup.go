package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// noteRow is a note as the company page lists it.
type noteRow struct {
	foyer.Note
	CanDelete bool // its author, or an admin or owner
}

// memberName is how pages name a member: their name, else their email.
func memberName(u foyer.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// companyOfPath is the workspace of the request's path, with the caller's
// role at least min (403 otherwise), and the ID of the company in its path,
// which must be the workspace's (404 otherwise, as for another
// workspace's IDs); ok is false when the answer was written.
func (s *Server) companyOfPath(w http.ResponseWriter, r *http.Request, u *foyer.User, min foyer.Role) (m foyer.Membership, companyID int64, ok bool) {
	m, ok = s.workspaceRole(w, r, u, min)
	if !ok {
		return m, 0, false
	}
	id, err := strconv.ParseInt(r.PathValue("company"), 10, 64)
	if err == nil {
		_, err = s.cfg.Store.Company(r.Context(), m.WorkspaceID, id)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no company %q", r.PathValue("company"))
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return m, 0, false
	case err != nil:
		s.serverErrorOf(w, "company", u, err)
		return m, 0, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	r.ParseForm()
	return m, id, true
}

// companyPath is the address of a company's page.
func companyPath(workspaceID, companyID int64) string {
	return fmt.Sprintf("/app/w/%d/c/%d", workspaceID, companyID)
}

// followUpDone answers a follow-up form of a company's page: back to the
// page with the notice when err is nil, the reason for a bad form, 404 for
// what is not there.
func (s *Server) followUpDone(w http.ResponseWriter, r *http.Request, u *foyer.User, back, notice string, err error) {
	switch foyer.ErrorCode(err) {
	case "":
		done(w, r, back, notice)
	case foyer.EINVALID, foyer.ECONFLICT:
		s.render(w, formStatus(err), "formerror", formErrorView{
			layout: layout{Title: "Not saved", User: u, Error: foyer.ErrorMessage(err)}, Back: back})
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "follow-up", u, err)
	}
}

// formStatus is the status of a form refused for err: 409 for a conflict
// (the thing exists), else 400.
func formStatus(err error) int {
	if foyer.ErrorCode(err) == foyer.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// addNote stores a note on a company: analysts and above.
func (s *Server) addNote(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	err := s.cfg.Store.AddNote(r.Context(), &foyer.Note{WorkspaceID: m.WorkspaceID, CompanyID: id, AuthorID: u.ID, Body: r.PostFormValue("body")})
	s.followUpDone(w, r, u, companyPath(m.WorkspaceID, id), "note", err)
}

// deleteNote deletes a note of a company: its author (an analyst or
// above), or an admin or owner.
func (s *Server) deleteNote(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	noteID, err := strconv.ParseInt(r.PathValue("note"), 10, 64)
	var n *foyer.Note
	if err == nil {
		n, err = s.cfg.Store.Note(r.Context(), m.WorkspaceID, noteID)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no note %q", r.PathValue("note"))
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND, err == nil && n.CompanyID != id:
		s.notFound(w, u)
		return
	case err != nil:
		s.serverErrorOf(w, "note", u, err)
		return
	case n.AuthorID != u.ID && !m.Role.AtLeast(foyer.RoleAdmin):
		s.forbidden(w, u)
		return
	}
	err = s.cfg.Store.DeleteNote(r.Context(), m.WorkspaceID, noteID)
	s.followUpDone(w, r, u, companyPath(m.WorkspaceID, id), "note-deleted", err)
}

// addTag tags a company: analysts and above.
func (s *Server) addTag(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	err := s.cfg.Store.AddTag(r.Context(), m.WorkspaceID, id, r.PostFormValue("tag"))
	s.followUpDone(w, r, u, companyPath(m.WorkspaceID, id), "tagged", err)
}

// removeTag removes a tag of a company: analysts and above. A tag it does
// not have is gone already: the page says so as for a removed one.
func (s *Server) removeTag(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	err := s.cfg.Store.RemoveTag(r.Context(), m.WorkspaceID, id, r.PostFormValue("tag"))
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		err = nil
	}
	s.followUpDone(w, r, u, companyPath(m.WorkspaceID, id), "untagged", err)
}

// assign assigns a company to a member of the workspace, or to nobody
// (user ""): analysts and above.
func (s *Server) assign(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.companyOfPath(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	var userID int64
	var err error
	if v := strings.TrimSpace(r.PostFormValue("user")); v != "" {
		if userID, err = strconv.ParseInt(v, 10, 64); err != nil || userID <= 0 {
			err = foyer.Errorf(foyer.EINVALID, "choose a member of this workspace, or unassigned")
		}
	}
	if err == nil {
		err = s.cfg.Store.Assign(r.Context(), m.WorkspaceID, id, userID)
	}
	s.followUpDone(w, r, u, companyPath(m.WorkspaceID, id), "assigned", err)
}

// memberOption is a member of the workspace as a select offers them.
type memberOption struct {
	ID   int64
	Name string
}

// memberOptions are the workspace's members, for a select.
func (s *Server) memberOptions(r *http.Request, workspaceID int64) ([]memberOption, error) {
	members, err := s.cfg.Store.Members(r.Context(), workspaceID)
	out := make([]memberOption, 0, len(members))
	for _, m := range members {
		out = append(out, memberOption{ID: m.User.ID, Name: memberName(m.User)})
	}
	return out, err
}

// AssigneeName names the member the company is assigned to; "" for
// nobody.
func (v companyView) AssigneeName() string {
	for _, m := range v.Members {
		if m.ID == v.Assignee {
			return m.Name
		}
	}
	return ""
}

// followUpOf fills in the company page's notes, tags and assignee.
func (s *Server) followUpOf(r *http.Request, u *foyer.User, m foyer.Membership, cd *companyView) error {
	ctx, id := r.Context(), cd.Company.ID
	notes, err := s.cfg.Store.Notes(ctx, m.WorkspaceID, id)
	if err != nil {
		return err
	}
	for _, n := range notes {
		cd.Notes = append(cd.Notes, noteRow{Note: n,
			CanDelete: cd.CanEdit && n.AuthorID == u.ID || m.Role.AtLeast(foyer.RoleAdmin)})
	}
	if cd.Tags, err = s.cfg.Store.Tags(ctx, m.WorkspaceID, id); err != nil {
		return err
	}
	if cd.Assignee, err = s.cfg.Store.Assignee(ctx, m.WorkspaceID, id); err != nil {
		return err
	}
	cd.Members, err = s.memberOptions(r, m.WorkspaceID)
	return err
}
