package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/foyerhq/foyer"
)

// activityPageSize is how many visits one page of the activity stream
// lists.
const activityPageSize = 50

// activityFirstPages is how many of each visit's pages the stream shows.
const activityFirstPages = 5

// activityView is what the activity stream shows: the workspace's latest
// visits across companies, identified and anonymous, newest first.
type activityView struct {
	layout
	Identified bool // only visits linked to a contact
	Visits     []activityLine
	// Newer is the address of the newest page when this one is older,
	// Older that of the next older page; "" when there is none.
	Newer, Older string
}

// activityLine is a visit of the stream, with its company or, when it
// has none, its organisation's type.
type activityLine struct {
	visitLine
	CompanyID   int64
	CompanyName string
	OrgType     foyer.OrgType
}

// activityPath is the address of a page of the workspace's activity
// stream.
func activityPath(workspaceID int64, identified bool, before int64) string {
	v := url.Values{}
	if identified {
		v.Set("identified", "1")
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	p := fmt.Sprintf("/app/w/%d/activity", workspaceID)
	if len(v) > 0 {
		p += "?" + v.Encode()
	}
	return p
}

// activityPage shows a page of the activity stream to members who may
// read contacts: it names the contacts visits are linked to.
func (s *Server) activityPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, contactReader)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := activityView{Identified: q.Get("identified") == "1"}
	d.layout = layout{Title: "Activity", User: u, Workspace: m, AskZone: askZone(r, u)}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	before = max(before, 0)
	list, err := s.cfg.Store.Activity(r.Context(), foyer.ActivityQuery{WorkspaceID: m.WorkspaceID, Identified: d.Identified,
		BeforeID: before, Limit: activityPageSize + 1})
	if err != nil {
		s.serverErrorOf(w, "activity", u, err)
		return
	}
	if len(list) > activityPageSize {
		list = list[:activityPageSize]
		d.Older = activityPath(m.WorkspaceID, d.Identified, list[len(list)-1].ID)
	}
	if before > 0 {
		d.Newer = activityPath(m.WorkspaceID, d.Identified, 0)
	}
	for _, a := range list {
		line := activityLine{visitLine: newVisitLine(a.Visit, a.SiteName, m.WorkspaceID, d.layout),
			CompanyID: a.CompanyID, CompanyName: a.CompanyName, OrgType: a.OrgType}
		line.firstPages(activityFirstPages)
		d.Visits = append(d.Visits, line)
	}
	s.render(w, http.StatusOK, "activity", d)
}
