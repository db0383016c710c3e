package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
)

// alertChoice is one frequency an alert form offers.
type alertChoice struct {
	Value, Label string
	Selected     bool
}

// alertChoices are the frequencies of an alert, then "off"; current is
// selected ("": off).
func alertChoices(current foyer.AlertFrequency) []alertChoice {
	var out []alertChoice
	for _, f := range []foyer.AlertFrequency{foyer.AlertImmediately, foyer.AlertDaily, foyer.AlertWeekly, ""} {
		v := string(f)
		if f == "" {
			v = "off"
		}
		out = append(out, alertChoice{Value: v, Label: f.Label(), Selected: f == current})
	}
	return out
}

// alertControl is the feed page's form of the member's alert on the saved
// feed it shows.
type alertControl struct {
	FeedID     int64
	FeedName   string
	Choices    []alertChoice
	On         bool
	LastSentAt time.Time // zero: no email yet
	MailOff    bool      // no relay is configured: nothing can be sent
}

// alertOf is the member's alert control for a saved feed.
func (s *Server) alertOf(r *http.Request, m foyer.Membership, u *foyer.User, f foyer.SavedFeed) (*alertControl, error) {
	c := &alertControl{FeedID: f.ID, FeedName: f.Name, MailOff: s.cfg.Mail == nil}
	a, err := s.cfg.Store.FeedAlert(r.Context(), m.WorkspaceID, u.ID, f.ID)
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		c.Choices = alertChoices("")
	case err != nil:
		return nil, err
	default:
		c.Choices, c.On, c.LastSentAt = alertChoices(a.Frequency), true, a.LastSentAt
	}
	return c, nil
}

// alertRow is one of the user's alerts as the account page lists it.
type alertRow struct {
	foyer.FeedAlert
	Choices []alertChoice
}

// FeedURL is the address of the alert's feed.
func (a alertRow) FeedURL() string {
	return "/app/w/" + strconv.FormatInt(a.WorkspaceID, 10) + "?" + a.FeedQuery
}

// userAlerts lists the user's alerts for the account page.
func (s *Server) userAlerts(r *http.Request, u *foyer.User) ([]alertRow, error) {
	list, err := s.cfg.Store.UserFeedAlerts(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]alertRow, len(list))
	for i, a := range list {
		out[i] = alertRow{FeedAlert: a, Choices: alertChoices(a.Frequency)}
	}
	return out, nil
}

// setFeedAlert subscribes the signed-in member to a saved feed of the
// workspace, changes how often, or ends it ("off"): any member may, for
// themself only. Another workspace's feed is not found.
func (s *Server) setFeedAlert(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("feed"), 10, 64)
	var f *foyer.SavedFeed
	if err != nil {
		err = foyer.Errorf(foyer.ENOTFOUND, "no saved feed %q", r.PathValue("feed"))
	} else {
		f, err = s.cfg.Store.SavedFeed(ctx, m.WorkspaceID, id)
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return
	case err != nil:
		s.serverError(w, "saved feed", err)
		return
	}
	back := "/app/w/" + strconv.FormatInt(m.WorkspaceID, 10) + "?" + f.Query
	if r.PostFormValue("back") == "account" {
		back = "/account"
	}
	freq := r.PostFormValue("frequency")
	if freq == "off" {
		if err := s.cfg.Store.DeleteFeedAlert(ctx, m.WorkspaceID, u.ID, f.ID); err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
			s.serverError(w, "delete feed alert", err)
			return
		}
		done(w, r, back, "alert-off")
		return
	}
	a := &foyer.FeedAlert{WorkspaceID: m.WorkspaceID, UserID: u.ID, SavedFeedID: f.ID, Frequency: foyer.AlertFrequency(freq)}
	if err := s.cfg.Store.SetFeedAlert(ctx, a); err != nil {
		switch foyer.ErrorCode(err) {
		case foyer.EINVALID:
			s.feedError(w, r, u, back, err)
		case foyer.ENOTFOUND:
			s.notFound(w, u)
		default:
			s.serverError(w, "set feed alert", err)
		}
		return
	}
	done(w, r, back, "alert-saved")
}
