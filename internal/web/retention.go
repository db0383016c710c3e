package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// retentionView is the retention section of the workspace settings page.
type retentionView struct {
	foyer.Retention
	// Runs are the retention job's latest records, newest first.
	Runs []foyer.RetentionRun
	// ToReview counts the contacts flagged as inactive.
	ToReview int64
}

// retentionRuns is how many records of the job the settings page lists.
const retentionRuns = 12

// loadRetention fills the settings page's retention section.
func (s *Server) loadRetention(r *http.Request, workspaceID int64) (retentionView, error) {
	var v retentionView
	var err error
	if v.Retention, err = s.cfg.Store.Retention(r.Context(), workspaceID); err != nil {
		return v, err
	}
	if v.Runs, err = s.cfg.Store.RetentionRuns(r.Context(), workspaceID, retentionRuns); err != nil {
		return v, err
	}
	v.ToReview, err = s.cfg.Store.ContactsToReview(r.Context(), workspaceID)
	return v, err
}

// setRetention saves the workspace's retention settings: owners only.
// The job applies them at its next run.
func (s *Server) setRetention(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	var ret foyer.Retention
	var err error
	for _, f := range []struct {
		name, label string
		to          *int
	}{{"event_days", "raw events", &ret.EventDays}, {"link_days", "identification links", &ret.LinkDays},
		{"review_months", "inactive contacts", &ret.ReviewMonths}} {
		n, perr := strconv.Atoi(strings.TrimSpace(r.PostFormValue(f.name)))
		if perr != nil {
			err = foyer.Errorf(foyer.EINVALID, "%s: want a whole number", f.label)
			break
		}
		*f.to = n
	}
	if err == nil {
		err = s.cfg.Store.SetRetention(r.Context(), m.WorkspaceID, ret)
	}
	switch {
	case err == nil:
		done(w, r, workspaceSettingsPath(m.WorkspaceID), "retention-saved")
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.renderWorkspaceSettings(w, r, u, m, http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err))
	default:
		s.serverErrorOf(w, "retention", u, err)
	}
}

// keepContact keeps a contact flagged for review: admins and owners, who
// may also erase it.
func (s *Server) keepContact(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	err := s.cfg.Store.KeepContact(r.Context(), m.WorkspaceID, c.ID, actorOf(u))
	switch foyer.ErrorCode(err) {
	case "":
		done(w, r, contactPath(m.WorkspaceID, c.ID), "contact-kept")
	case foyer.ENOTFOUND:
		s.notFound(w, u)
	default:
		s.serverErrorOf(w, "contact", u, err)
	}
}
