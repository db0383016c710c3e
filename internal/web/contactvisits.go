package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// contactVisitsPerPage is how many identified visits a contact's profile
// lists at a time.
const contactVisitsPerPage = 20

// contactVisits is the Visits part of a contact's profile: its identified
// visits, each with the pages from its identification on.
type contactVisits struct {
	Visits    []contactVisitLine
	PersonaOn bool // Persona Insights is on in the workspace
	CanUnlink bool // admins and owners
	// Newer is the address of the newest visits when the list shows
	// older ones, Older that of the next older ones; "" when none.
	Newer, Older string
}

// contactVisitLine is one of a contact's identified visits, with its
// company.
type contactVisitLine struct {
	visitLine
	CompanyID   int64
	CompanyName string
}

// contactVisitsOf reads the contact's visits older than the request's
// before parameter (the newest when none).
func (s *Server) contactVisitsOf(r *http.Request, m foyer.Membership, c *foyer.Contact, l layout) (contactVisits, error) {
	ctx := r.Context()
	d := contactVisits{CanUnlink: m.Role.AtLeast(foyer.RoleAdmin)}
	p, err := s.cfg.Store.PersonaSettings(ctx, m.WorkspaceID)
	if err != nil {
		return d, err
	}
	d.PersonaOn = p.On()
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	before = max(before, 0)
	list, err := s.cfg.Store.ContactVisits(ctx, m.WorkspaceID, c.ID, before, contactVisitsPerPage+1)
	if err != nil {
		return d, err
	}
	path := contactPath(m.WorkspaceID, c.ID)
	if len(list) > contactVisitsPerPage {
		list = list[:contactVisitsPerPage]
		d.Older = fmt.Sprintf("%s?before=%d#visits", path, list[len(list)-1].ID)
	}
	if before > 0 {
		d.Newer = path + "#visits"
	}
	for _, v := range list {
		d.Visits = append(d.Visits, contactVisitLine{visitLine: newVisitLine(v.Visit, v.SiteName, m.WorkspaceID, l),
			CompanyID: v.CompanyID, CompanyName: v.CompanyName})
	}
	return d, nil
}

// unlinkVisit makes one of the contact's identified visits anonymous:
// admins and owners. A visit that is not this contact's is not found.
func (s *Server) unlinkVisit(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("visit"), 10, 64)
	if err != nil || id <= 0 {
		s.notFound(w, u)
		return
	}
	// The store finds the visit only among the contact's.
	err = s.cfg.Store.UnlinkVisit(r.Context(), m.WorkspaceID, c.ID, id, actorOf(u))
	switch foyer.ErrorCode(err) {
	case "":
		done(w, r, contactPath(m.WorkspaceID, c.ID), "visit-unlinked")
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "unlink visit", u, err)
	}
}

// unlinkContactVisits makes all of the contact's visits anonymous and
// forgets its browsers: admins and owners, who tick a box to confirm.
func (s *Server) unlinkContactVisits(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if r.PostFormValue("confirm") != "yes" {
		s.renderContact(w, r, u, m, c, http.StatusBadRequest,
			"Nothing was unlinked: tick the box to confirm that every visit of this contact becomes anonymous.", contactFormOf(c))
		return
	}
	_, err := s.cfg.Store.UnlinkContact(r.Context(), m.WorkspaceID, c.ID, actorOf(u))
	switch foyer.ErrorCode(err) {
	case "":
		done(w, r, contactPath(m.WorkspaceID, c.ID), "visits-unlinked")
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "unlink visits", u, err)
	}
}
