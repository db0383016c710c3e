package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/contactexport"
)

// Data-subject requests: admins and owners record a request on the
// contact's profile (access, rectification, erasure, objection), with its
// due date, then carry it out or reject it; the requests page lists the
// open ones by due date and warns a week before. The API opens and lists
// them too. What carrying out does:
//
//   - access: the contact's access package (a ZIP, contactexport.WriteAccess)
//     is downloaded, and the request is done;
//   - rectification: the profile is edited as usual, then marked done;
//   - erasure: the contact is erased (its ledger entry names the request);
//   - objection: the tracking consent becomes refused, with the source
//     "request".

// requestHandler is who handles requests.
const requestHandler = foyer.RoleAdmin

// requestsPath is the address of the workspace's requests page.
func requestsPath(workspaceID int64) string { return fmt.Sprintf("/app/w/%d/requests", workspaceID) }

// requestLine is a request as the pages show it, with its contact's name
// ("" once the contact is erased).
type requestLine struct {
	foyer.SubjectRequest
	ContactName string
	DaysLeft    int64
	DueSoon     bool
}

// requestsView is the requests page.
type requestsView struct {
	layout
	Open, Closed []requestLine
	Days         int64
	CanSetDays   bool
}

// requestLines adds names and due dates to requests.
func (s *Server) requestLines(ctx context.Context, workspaceID int64, list []foyer.SubjectRequest) []requestLine {
	now := s.now()
	names := map[int64]string{}
	out := make([]requestLine, 0, len(list))
	for _, r := range list {
		name, ok := names[r.ContactID]
		if !ok {
			if c, err := s.cfg.Store.Contact(ctx, workspaceID, r.ContactID); err == nil {
				name = contactName(c)
			}
			names[r.ContactID] = name
		}
		out = append(out, requestLine{SubjectRequest: r, ContactName: name, DaysLeft: int64(r.DaysLeft(now)), DueSoon: r.DueSoon(now)})
	}
	return out
}

// requestsPage lists the workspace's requests: the open ones by due date,
// then the last ones closed.
func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, requestHandler)
	if !ok {
		return
	}
	s.renderRequests(w, r, u, m, http.StatusOK, "")
}

func (s *Server) renderRequests(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, errMsg string) {
	ctx := r.Context()
	list, err := s.cfg.Store.SubjectRequests(ctx, m.WorkspaceID, foyer.RequestQuery{Limit: 200})
	if err != nil {
		s.serverErrorOf(w, "requests", u, err)
		return
	}
	d := requestsView{layout: layout{Title: "Data-subject requests", User: u, Workspace: m, Notice: noticeOf(r), Error: errMsg},
		CanSetDays: m.Role.AtLeast(foyer.RoleOwner)}
	for _, l := range s.requestLines(ctx, m.WorkspaceID, list) {
		if l.Status == foyer.RequestOpen {
			d.Open = append(d.Open, l)
		} else if len(d.Closed) < 50 {
			d.Closed = append(d.Closed, l)
		}
	}
	days, err := s.cfg.Store.RequestDays(ctx, m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "requests", u, err)
		return
	}
	d.Days = int64(days)
	s.render(w, status, "requests", d)
}

// setRequestDays sets how many days the workspace gives itself: owners.
func (s *Server) setRequestDays(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err == nil {
		err = s.cfg.Store.SetRequestDays(r.Context(), m.WorkspaceID, days)
	} else {
		err = foyer.Errorf(foyer.EINVALID, "give a number of days, 1 to %d", foyer.MaxRequestDays)
	}
	switch foyer.ErrorCode(err) {
	case "":
		done(w, r, requestsPath(m.WorkspaceID), "request-days")
	case foyer.EINVALID:
		s.renderRequests(w, r, u, m, http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err)+".")
	default:
		s.serverErrorOf(w, "request days", u, err)
	}
}

// openRequest records a request about the contact of the path.
func (s *Server) openRequest(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, c, ok := s.contactOfPath(w, r, u, requestHandler)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	req := &foyer.SubjectRequest{WorkspaceID: m.WorkspaceID, ContactID: c.ID, Kind: foyer.RequestKind(r.PostFormValue("kind")),
		Reference: r.PostFormValue("reference"), OpenedBy: actorOf(u)}
	var err error
	if v := strings.TrimSpace(r.PostFormValue("received")); v != "" {
		if req.ReceivedAt, err = time.ParseInLocation("2006-01-02", v, location(u.TimeZone)); err != nil {
			err = foyer.Errorf(foyer.EINVALID, "the date it was received: write it as 2026-12-31")
		}
	}
	if err == nil {
		err = s.cfg.Store.OpenRequest(r.Context(), req)
	}
	switch foyer.ErrorCode(err) {
	case "":
		s.audit(r, u, m.WorkspaceID, foyer.AuditRequestOpened, "contact", idOf(c.ID), fmt.Sprintf("%s, request %d", req.Kind, req.ID))
		done(w, r, contactPath(m.WorkspaceID, c.ID)+"#requests", "request-opened")
	case foyer.EINVALID:
		s.render(w, http.StatusBadRequest, "formerror", formErrorView{layout: layout{Title: "Not recorded", User: u, Workspace: m,
			Error: "Not recorded: " + foyer.ErrorMessage(err) + "."}, Back: contactPath(m.WorkspaceID, c.ID)})
	default:
		s.serverErrorOf(w, "open request", u, err)
	}
}

// requestOfPath reads the workspace's request of the path, for a member
// who may handle it; else it answers and ok is false.
func (s *Server) requestOfPath(w http.ResponseWriter, r *http.Request, u *foyer.User) (foyer.Membership, *foyer.SubjectRequest, bool) {
	m, ok := s.workspaceRole(w, r, u, requestHandler)
	if !ok {
		return m, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("request"), 10, 64)
	var req *foyer.SubjectRequest
	if err == nil {
		req, err = s.cfg.Store.SubjectRequest(r.Context(), m.WorkspaceID, id)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no request")
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return m, nil, false
	case err != nil:
		s.serverErrorOf(w, "request", u, err)
		return m, nil, false
	}
	return m, req, true
}

// fulfilRequest carries out a request: the access package is the answer
// (a download, again if asked after), the others go back to the page the
// form came from.
func (s *Server) fulfilRequest(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, req, ok := s.requestOfPath(w, r, u)
	if !ok {
		return
	}
	ctx := r.Context()
	if req.Kind == foyer.RequestAccess {
		if !s.auditRead(w, r, u, m.WorkspaceID, foyer.AuditExport, "contact", idOf(req.ContactID), fmt.Sprintf("access package, request %d", req.ID)) {
			return
		}
		wasOpen := req.Status == foyer.RequestOpen
		if err := s.sendAccess(w, r, m.WorkspaceID, m.WorkspaceName, req, actorOf(u)); err != nil {
			s.requestFailed(w, u, m, req, err)
			return
		}
		if wasOpen {
			s.audit(r, u, m.WorkspaceID, foyer.AuditRequestClosed, "contact", idOf(req.ContactID), fmt.Sprintf("access, request %d: done", req.ID))
		}
		return
	}
	if req.Status != foyer.RequestOpen {
		done(w, r, requestsPath(m.WorkspaceID), "request-closed")
		return
	}
	err := s.carryOut(ctx, m.WorkspaceID, req, actorOf(u))
	if err != nil {
		s.requestFailed(w, u, m, req, err)
		return
	}
	for _, e := range closedEntries(req) {
		s.audit(r, u, m.WorkspaceID, e.Action, e.ObjectType, e.ObjectID, e.Detail)
	}
	if req.Kind == foyer.RequestErasure {
		done(w, r, requestsPath(m.WorkspaceID), "request-erased")
		return
	}
	done(w, r, contactPath(m.WorkspaceID, req.ContactID)+"#requests", "request-done")
}

func (s *Server) requestFailed(w http.ResponseWriter, u *foyer.User, m foyer.Membership, req *foyer.SubjectRequest, err error) {
	switch foyer.ErrorCode(err) {
	case foyer.ENOTFOUND, foyer.ECONFLICT, foyer.EINVALID:
		s.render(w, http.StatusConflict, "formerror", formErrorView{layout: layout{Title: "Not carried out", User: u, Workspace: m,
			Error: "Not carried out: " + foyer.ErrorMessage(err) + "."}, Back: requestsPath(m.WorkspaceID)})
	default:
		s.serverErrorOf(w, "request "+strconv.FormatInt(req.ID, 10), u, err)
	}
}

// carryOut does what an open request of another kind than access asks
// and closes it as done.
func (s *Server) carryOut(ctx context.Context, workspaceID int64, req *foyer.SubjectRequest, actor string) error {
	ref := fmt.Sprintf("request %d", req.ID)
	var outcome string
	switch req.Kind {
	case foyer.RequestErasure:
		if _, err := s.cfg.Store.EraseContact(ctx, workspaceID, req.ContactID, actor, ref); err != nil {
			return err
		}
		outcome = "The contact was erased: its personal data and its key are destroyed, its visits are anonymous."
	case foyer.RequestObjection:
		_, _, _, err := s.cfg.Store.RecordConsent(ctx, workspaceID, req.ContactID, foyer.ConsentChange{
			Status: foyer.ConsentRefused, At: s.now(), Source: foyer.SourceRequest, Actor: actor, Reason: "objection, " + ref})
		if err != nil {
			return err
		}
		outcome = "Tracking consent set to refused: the contact is no longer tracked."
	case foyer.RequestRectification:
		outcome = "The profile was corrected."
	default:
		return foyer.Errorf(foyer.EINVALID, "a %s request is answered with its package", req.Kind)
	}
	closed, err := s.cfg.Store.CloseRequest(ctx, workspaceID, req.ID, foyer.RequestDone, outcome, actor)
	if err == nil {
		*req = *closed
	}
	return err
}

// closedEntries are the audit entries of a request carried out (the
// actor is the caller's to fill in): its closing, and the erasure or the
// consent change it made.
func closedEntries(req *foyer.SubjectRequest) []foyer.AuditEntry {
	contact := idOf(req.ContactID)
	out := []foyer.AuditEntry{{Action: foyer.AuditRequestClosed, ObjectType: "contact", ObjectID: contact,
		Detail: fmt.Sprintf("%s, request %d: done", req.Kind, req.ID)}}
	switch req.Kind {
	case foyer.RequestErasure:
		out = append(out, foyer.AuditEntry{Action: foyer.AuditContactDeleted, ObjectType: "contact", ObjectID: contact,
			Detail: fmt.Sprintf("erased, request %d", req.ID)})
	case foyer.RequestObjection:
		out = append(out, foyer.AuditEntry{Action: foyer.AuditConsentChanged, ObjectType: "contact", ObjectID: contact,
			Detail: fmt.Sprintf("refused, request %d", req.ID)})
	}
	return out
}

// sendAccess answers the access package of the request's contact as a
// ZIP download, and closes an open request as done: once the package is
// gathered, so that a request whose package could not be made stays open.
func (s *Server) sendAccess(w http.ResponseWriter, r *http.Request, workspaceID int64, workspace string, req *foyer.SubjectRequest, actor string) error {
	ctx := r.Context()
	data, err := s.accessData(ctx, workspaceID, workspace, req.ContactID)
	if err != nil {
		return err
	}
	if req.Status == foyer.RequestOpen {
		closed, err := s.cfg.Store.CloseRequest(ctx, workspaceID, req.ID, foyer.RequestDone, "The access package was sent.", actor)
		if err != nil && foyer.ErrorCode(err) != foyer.ECONFLICT {
			return err
		}
		if closed != nil {
			*req = *closed
			for i := range data.Requests { // the package tells the request as it now stands
				if data.Requests[i].ID == closed.ID {
					data.Requests[i] = *closed
				}
			}
		}
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="foyer-access-%d-%d.zip"`, req.ContactID, req.ID))
	w.Header().Set("Cache-Control", "no-store")
	return contactexport.WriteAccess(w, data)
}

// accessData gathers everything the workspace holds on a contact.
func (s *Server) accessData(ctx context.Context, workspaceID int64, workspace string, contactID int64) (*contactexport.AccessData, error) {
	st := s.cfg.Store
	c, err := st.Contact(ctx, workspaceID, contactID)
	if err != nil {
		return nil, err
	}
	a := &contactexport.AccessData{Workspace: workspace, Generated: s.now().UTC(), Contact: c}
	if a.Mode, err = st.TrackingMode(ctx, workspaceID); err != nil {
		return nil, err
	}
	if a.Consent, err = st.ConsentHistory(ctx, workspaceID, contactID); err != nil {
		return nil, err
	}
	if a.Changes, err = st.ContactChanges(ctx, workspaceID, contactID, 10_000); err != nil {
		return nil, err
	}
	for before := int64(0); ; {
		page, err := st.ContactVisits(ctx, workspaceID, contactID, before, 200)
		if err != nil {
			return nil, err
		}
		a.Visits = append(a.Visits, page...)
		if len(page) < 200 {
			break
		}
		before = page[len(page)-1].ID
	}
	if a.Campaigns, err = st.ContactCampaigns(ctx, workspaceID, contactID); err != nil {
		return nil, err
	}
	if a.Requests, err = st.SubjectRequests(ctx, workspaceID, foyer.RequestQuery{ContactID: contactID, Limit: 1000}); err != nil {
		return nil, err
	}
	for f := (foyer.AuditFilter{ObjectType: "contact", ObjectID: idOf(contactID), Limit: 1000}); ; {
		page, more, err := st.AuditLog(ctx, workspaceID, f)
		if err != nil {
			return nil, err
		}
		a.Audit = append(a.Audit, page...)
		if !more || len(page) == 0 {
			break
		}
		f.BeforeID = page[len(page)-1].ID
	}
	if a.PriorErasure, err = st.PriorErasure(ctx, workspaceID, contactID); foyer.ErrorCode(err) == foyer.ENOTFOUND {
		err = nil
	}
	return a, err
}

// rejectRequest closes an open request as rejected, with the reason.
func (s *Server) rejectRequest(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, req, ok := s.requestOfPath(w, r, u)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		s.requestFailed(w, u, m, req, foyer.Errorf(foyer.EINVALID, "say why the request is rejected"))
		return
	}
	_, err := s.cfg.Store.CloseRequest(r.Context(), m.WorkspaceID, req.ID, foyer.RequestRejected, "Rejected: "+reason, actorOf(u))
	if err != nil {
		s.requestFailed(w, u, m, req, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditRequestClosed, "contact", idOf(req.ContactID), fmt.Sprintf("%s, request %d: rejected", req.Kind, req.ID))
	done(w, r, requestsPath(m.WorkspaceID), "request-rejected")
}

// The API: GET and POST /api/v1/contacts/{id}/requests, and the access
// package at GET /api/v1/contacts/{id}/requests/{request}/access.

// apiRequest is a request as the API shows it.
type apiRequest struct {
	ID         int64      `json:"id"`
	ContactID  int64      `json:"contact_id"`
	Kind       string     `json:"kind"`
	Status     string     `json:"status"`
	Reference  string     `json:"reference"`
	ReceivedAt time.Time  `json:"received_at"`
	DueAt      time.Time  `json:"due_at"`
	ClosedAt   *time.Time `json:"closed_at"`
	Outcome    string     `json:"outcome"`
	Access     string     `json:"access_url,omitempty"` // an access request's package
}

func apiRequestOf(r foyer.SubjectRequest) apiRequest {
	out := apiRequest{ID: r.ID, ContactID: r.ContactID, Kind: string(r.Kind), Status: string(r.Status), Reference: r.Reference,
		ReceivedAt: r.ReceivedAt, DueAt: r.DueAt, ClosedAt: optTime(r.ClosedAt), Outcome: r.Outcome}
	if r.Kind == foyer.RequestAccess {
		out.Access = fmt.Sprintf("/api/v1/contacts/%d/requests/%d/access", r.ContactID, r.ID)
	}
	return out
}

// apiListRequests: GET /api/v1/contacts/{id}/requests — the contact's
// requests (also once it is erased).
func (s *Server) apiListRequests(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	ctx := r.Context()
	list, err := s.cfg.Store.SubjectRequests(ctx, t.WorkspaceID, foyer.RequestQuery{ContactID: id, Limit: 1000})
	if err == nil && len(list) == 0 {
		_, err = s.cfg.Store.Contact(ctx, t.WorkspaceID, id) // none, or no such contact
	}
	if err != nil {
		s.apiFail(w, "api requests", err)
		return
	}
	out := []apiRequest{}
	for _, q := range list {
		out = append(out, apiRequestOf(q))
	}
	apiJSON(w, map[string]any{"data": out})
}

// apiOpenRequest: POST /api/v1/contacts/{id}/requests {"kind", "reference",
// "received_at"} — 201 with the request. An erasure or an objection is
// carried out at once (the caller verified the person); an access request
// stays open until its package is fetched; a rectification until the
// profile is patched and the request closed in the app.
func (s *Server) apiOpenRequest(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return
	}
	b, ok := writeBody(w, r, t, 16<<10)
	if !ok {
		return
	}
	var in struct {
		Kind       string     `json:"kind"`
		Reference  string     `json:"reference"`
		ReceivedAt *time.Time `json:"received_at"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	req := &foyer.SubjectRequest{WorkspaceID: t.WorkspaceID, ContactID: id, Kind: foyer.RequestKind(in.Kind), Reference: in.Reference,
		OpenedBy: tokenActor(t)}
	if in.ReceivedAt != nil {
		req.ReceivedAt = *in.ReceivedAt
	}
	ctx := r.Context()
	if err := s.cfg.Store.OpenRequest(ctx, req); err != nil {
		s.apiFail(w, "api open request", err)
		return
	}
	s.auditToken(r, t, foyer.AuditRequestOpened, "contact", idOf(id), fmt.Sprintf("%s, request %d", req.Kind, req.ID))
	if req.Kind == foyer.RequestErasure || req.Kind == foyer.RequestObjection {
		if err := s.carryOut(ctx, t.WorkspaceID, req, tokenActor(t)); err != nil {
			s.apiFail(w, "api carry out request", err)
			return
		}
		for _, e := range closedEntries(req) {
			s.auditToken(r, t, e.Action, e.ObjectType, e.ObjectID, e.Detail)
		}
	}
	apiJSONStatus(w, http.StatusCreated, apiRequestOf(*req))
}

// apiAccess: GET /api/v1/contacts/{id}/requests/{request}/access — the
// access package (write scope: it closes the request).
func (s *Server) apiAccess(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	id, ok := writeContact(w, r, t)
	if !ok {
		return
	}
	rid, err := strconv.ParseInt(r.PathValue("request"), 10, 64)
	if err != nil {
		apiError(w, foyer.Errorf(foyer.ENOTFOUND, "no request %q", r.PathValue("request")))
		return
	}
	ctx := r.Context()
	req, err := s.cfg.Store.SubjectRequest(ctx, t.WorkspaceID, rid)
	if err == nil && (req.ContactID != id || req.Kind != foyer.RequestAccess) {
		err = foyer.Errorf(foyer.ENOTFOUND, "no access request %d of contact %d", rid, id)
	}
	var name string
	if err == nil {
		var ws *foyer.Workspace
		if ws, err = s.cfg.Store.WorkspaceByID(ctx, t.WorkspaceID); err == nil {
			name = ws.Name
		}
	}
	if err != nil {
		s.apiFail(w, "api access package", err)
		return
	}
	if !s.auditTokenRead(w, r, t, foyer.AuditExport, "contact", idOf(id), fmt.Sprintf("access package, request %d", req.ID)) {
		return
	}
	wasOpen := req.Status == foyer.RequestOpen
	if err := s.sendAccess(w, r, t.WorkspaceID, name, req, tokenActor(t)); err != nil {
		s.apiFail(w, "api access package", err)
		return
	}
	if wasOpen {
		s.auditToken(r, t, foyer.AuditRequestClosed, "contact", idOf(id), fmt.Sprintf("access, request %d: done", req.ID))
	}
}
