package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// Segments: the list, the editor of a segment's conditions (server-rendered
// rows: "Add a condition" and "Remove" are submit buttons that render the
// form again, and a little script of ours hides the inputs a row's kind
// does not use), and a segment's page with its members and the contacts
// it leaves out because they may not be tracked. Analysts and above edit;
// every member views.

// segmentEditor is who may create, change and delete segments and rules.
const segmentEditor = foyer.RoleAnalyst

// segmentsPath is the address of the workspace's segments.
func segmentsPath(ws int64) string { return fmt.Sprintf("/app/w/%d/segments", ws) }

// segmentLine is a segment as the list shows it.
type segmentLine struct {
	*foyer.Segment
	Conditions []string
}

// segmentsView is the list of segments.
type segmentsView struct {
	layout
	Segments []segmentLine
	CanEdit  bool
}

// campaignChoice is a campaign a condition can name.
type campaignChoice struct {
	ID   int64
	Name string
}

// describe says in words what a definition tests.
func describe(d *foyer.SegmentDefinition, campaigns []campaignChoice) []string {
	if d == nil {
		return nil
	}
	name := func(id int64) string {
		for _, c := range campaigns {
			if c.ID == id {
				return c.Name
			}
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	out := make([]string, len(d.Conditions))
	for i, c := range d.Conditions {
		out[i] = c.Describe(name)
	}
	return out
}

// campaignChoices returns the workspace's campaigns, for the editors.
func (s *Server) campaignChoices(r *http.Request, ws int64) ([]campaignChoice, error) {
	refs, err := s.cfg.Store.SegmentCampaigns(r.Context(), ws)
	if err != nil {
		return nil, err
	}
	out := make([]campaignChoice, len(refs))
	for i, c := range refs {
		out[i] = campaignChoice{c.ID, c.Name}
	}
	return out, nil
}

// segmentsPage lists the workspace's segments with their counts.
func (s *Server) segmentsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	list, err := s.cfg.Store.Segments(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "segments", u, err)
		return
	}
	camps, err := s.campaignChoices(r, m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "segments", u, err)
		return
	}
	v := segmentsView{layout: s.layoutOf(r, u, m, "Segments"), CanEdit: m.Role.AtLeast(segmentEditor)}
	for _, sg := range list {
		v.Segments = append(v.Segments, segmentLine{Segment: sg, Conditions: describe(sg.Definition, camps)})
	}
	s.render(w, http.StatusOK, "segments", v)
}

// layoutOf is the layout of a workspace page with its notice.
func (s *Server) layoutOf(r *http.Request, u *foyer.User, m foyer.Membership, title string) layout {
	return layout{Title: title, User: u, Workspace: m, Notice: noticeOf(r)}
}

// requestEvaluation has the evaluator re-evaluate every segment and score.
func (s *Server) requestEvaluation(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	if err := s.cfg.Store.RequestEvaluation(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "evaluate segments", u, err)
		return
	}
	done(w, r, segmentsPath(m.WorkspaceID), "segments-evaluating")
}

// segmentOf reads the segment of the request's path: false, with the
// page answered, when there is none in the workspace.
func (s *Server) segmentOf(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership) (*foyer.Segment, bool) {
	id, err := strconv.ParseInt(r.PathValue("segment"), 10, 64)
	if err != nil {
		s.notFound(w, u)
		return nil, false
	}
	sg, err := s.cfg.Store.Segment(r.Context(), m.WorkspaceID, id)
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return nil, false
	case err != nil:
		s.serverErrorOf(w, "segment", u, err)
		return nil, false
	}
	return sg, true
}

// segmentView is a segment's page.
type segmentView struct {
	layout
	Segment     *foyer.Segment
	Conditions  []string
	Behavioural bool
	Members     []foyer.SegmentMember
	More        int64 // the contact ID the next page starts below; 0 for none
	CanEdit     bool
	Mode        foyer.TrackingMode
}

// segmentPage shows a segment: what it tests, its members, and how many
// contacts it leaves out because they may not be tracked.
func (s *Server) segmentPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	s.renderSegment(w, r, u, m, http.StatusOK, "")
}

func (s *Server) renderSegment(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, problem string) {
	sg, ok := s.segmentOf(w, r, u, m)
	if !ok {
		return
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	const page = 100
	members, err := s.cfg.Store.SegmentMembers(r.Context(), m.WorkspaceID, sg.ID, before, page+1)
	if err != nil {
		s.serverErrorOf(w, "segment members", u, err)
		return
	}
	camps, err := s.campaignChoices(r, m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "segment", u, err)
		return
	}
	mode, err := s.cfg.Store.TrackingMode(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "segment", u, err)
		return
	}
	v := segmentView{layout: s.layoutOf(r, u, m, sg.Name), Segment: sg, Conditions: describe(sg.Definition, camps),
		CanEdit: m.Role.AtLeast(segmentEditor), Mode: mode}
	v.Error = problem
	v.Behavioural = sg.Definition != nil && sg.Definition.Behavioural()
	if len(members) > page {
		members = members[:page]
		v.More = members[page-1].ContactID
	}
	v.Members = members
	s.render(w, status, "segment", v)
}

// deleteSegment deletes a segment.
func (s *Server) deleteSegment(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	sg, ok := s.segmentOf(w, r, u, m)
	if !ok {
		return
	}
	if err := s.cfg.Store.DeleteSegment(r.Context(), m.WorkspaceID, sg.ID); err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
		s.serverErrorOf(w, "delete segment", u, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "segment", idOf(sg.ID), "segment deleted: "+sg.Name)
	done(w, r, segmentsPath(m.WorkspaceID), "segment-deleted")
}

// addSegmentMember adds a contact, by email, to a static segment.
func (s *Server) addSegmentMember(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	sg, ok := s.segmentOf(w, r, u, m)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := s.cfg.Store.ContactByEmail(r.Context(), m.WorkspaceID, r.PostFormValue("email"))
	if err == nil {
		err = s.cfg.Store.AddSegmentMember(r.Context(), m.WorkspaceID, sg.ID, c.ID)
	}
	switch code := foyer.ErrorCode(err); {
	case err == nil:
		s.audit(r, u, m.WorkspaceID, foyer.AuditContactUpdated, "contact", idOf(c.ID), "added to segment "+sg.Name)
		done(w, r, fmt.Sprintf("%s/%d", segmentsPath(m.WorkspaceID), sg.ID), "segment-member-added")
	case code == foyer.ENOTFOUND:
		s.renderSegment(w, r, u, m, http.StatusBadRequest, "Not added: no contact has that email address.")
	case code == foyer.EINVALID:
		s.renderSegment(w, r, u, m, http.StatusBadRequest, "Not added: "+foyer.ErrorMessage(err))
	default:
		s.serverErrorOf(w, "add segment member", u, err)
	}
}

// removeSegmentMember takes a contact added by hand out of a segment.
func (s *Server) removeSegmentMember(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	sg, ok := s.segmentOf(w, r, u, m)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err == nil {
		err = s.cfg.Store.RemoveSegmentMember(r.Context(), m.WorkspaceID, sg.ID, id)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no contact")
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
	case err != nil:
		s.serverErrorOf(w, "remove segment member", u, err)
	default:
		s.audit(r, u, m.WorkspaceID, foyer.AuditContactUpdated, "contact", idOf(id), "removed from segment "+sg.Name)
		done(w, r, fmt.Sprintf("%s/%d", segmentsPath(m.WorkspaceID), sg.ID), "segment-member-removed")
	}
}

// segmentHelp says, for the segment page, which contacts a segment
// leaves out.
func segmentHelp(mode foyer.TrackingMode) string {
	who := "contacts who refused behavioural tracking"
	if mode == foyer.TrackingOptIn {
		who = "contacts who have not accepted behavioural tracking (this workspace is in opt-in mode)"
	}
	return "Conditions on behaviour (visits, engaged time, opens, clicks, forms, score) never match " + who +
		". The number counts those who would be in this segment if every condition on behaviour held for them: " +
		"they meet its other conditions. Their behaviour is never read to decide it."
}
