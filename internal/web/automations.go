package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// The automation rules' pages: the list, the editor of a new rule, a
// rule's page (its editor, its secret once, its delivery log). Every
// member sees them; admins and owners change them.

// automationsView is the list of the workspace's rules.
type automationsView struct {
	layout
	Rules    []foyer.AutomationRule
	Segments map[int64]string // names, by ID
	CanEdit  bool
}

// automationView is a rule's page, or the editor of a new one.
type automationView struct {
	layout
	New      bool
	Rule     foyer.AutomationRule
	Form     ruleForm
	Segments []foyer.SegmentChoice
	// Secret is the new rule's signing secret, shown on the page that
	// follows its creation and never again.
	Secret     string
	Deliveries []foyer.DeliveryLog
	CanEdit    bool
}

// SegmentName is the name of one of the workspace's segments, for the
// page; "a deleted segment" when it is gone.
func (v automationView) SegmentName(id int64) string {
	for _, sg := range v.Segments {
		if sg.ID == id {
			return sg.Name
		}
	}
	return "a deleted segment"
}

// ruleForm is the editor's fields, as typed.
type ruleForm struct {
	Name, Trigger, Threshold string
	SegmentID                int64
	Enabled, OnlyTracked     bool
	AddTo                    int64
	Email                    bool
	Slack, Webhook           string
}

// ruleDeliveries is how many deliveries a rule's page lists.
const ruleDeliveries = 50

func automationsPath(ws int64) string { return fmt.Sprintf("/app/w/%d/automations", ws) }

func automationPath(ws, id int64) string { return fmt.Sprintf("/app/w/%d/automations/%d", ws, id) }

// mountAutomations adds the pages' routes.
func (s *Server) mountAutomations(csrf *http.CrossOriginProtection) {
	s.mux.Handle("GET /app/w/{ws}/automations", strict(s.signedIn(s.automationsPage)))
	s.mux.Handle("GET /app/w/{ws}/automations/new", strict(s.signedIn(s.newAutomationPage)))
	s.mux.Handle("POST /app/w/{ws}/automations", strict(csrf.Handler(s.signedIn(s.createAutomation))))
	s.mux.Handle("GET /app/w/{ws}/automations/{rule}", strict(s.signedIn(s.automationPage)))
	s.mux.Handle("POST /app/w/{ws}/automations/{rule}", strict(csrf.Handler(s.signedIn(s.updateAutomation))))
	s.mux.Handle("POST /app/w/{ws}/automations/{rule}/delete", strict(csrf.Handler(s.signedIn(s.deleteAutomation))))
}

// automationsPage lists the workspace's rules with their last runs.
func (s *Server) automationsPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	v := automationsView{layout: layout{Title: "Automations", User: u, Workspace: m, Notice: noticeOf(r)},
		CanEdit: m.Role.AtLeast(foyer.RoleAdmin), Segments: map[int64]string{}}
	var err error
	if v.Rules, err = s.cfg.Store.AutomationRules(r.Context(), m.WorkspaceID); err != nil {
		s.serverErrorOf(w, "automations", u, err)
		return
	}
	segs, err := s.cfg.Store.AutomationSegments(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverErrorOf(w, "automations", u, err)
		return
	}
	for _, sg := range segs {
		v.Segments[sg.ID] = sg.Name
	}
	s.render(w, http.StatusOK, "automations", v)
}

// newAutomationPage is the editor of a new rule: admins and owners.
func (s *Server) newAutomationPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	v := automationView{layout: layout{Title: "New automation", User: u, Workspace: m}, New: true, CanEdit: true,
		Form: ruleForm{Trigger: string(foyer.TriggerSegmentEntered), Enabled: true, OnlyTracked: true}}
	s.renderRule(w, r, u, http.StatusOK, v)
}

// renderRule renders a rule's page with the segments to choose from.
func (s *Server) renderRule(w http.ResponseWriter, r *http.Request, u *foyer.User, status int, v automationView) {
	var err error
	if v.Segments, err = s.cfg.Store.AutomationSegments(r.Context(), v.Workspace.WorkspaceID); err != nil {
		s.serverErrorOf(w, "automation", u, err)
		return
	}
	s.render(w, status, "automation", v)
}

// createAutomation stores a new rule and shows its page with its secret,
// once.
func (s *Server) createAutomation(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := readRuleForm(r)
	rule, err := f.rule(m.WorkspaceID)
	secret := ""
	if err == nil {
		rule.CreatedBy = actorOf(u)
		secret, err = s.cfg.Store.CreateAutomationRule(r.Context(), &rule)
	}
	v := automationView{layout: layout{Title: "New automation", User: u, Workspace: m}, New: true, CanEdit: true, Form: f}
	switch code := foyer.ErrorCode(err); {
	case code == foyer.EINVALID || code == foyer.ECONFLICT || code == foyer.ENOTFOUND:
		v.Error = "Not saved: " + foyer.ErrorMessage(err)
		s.renderRule(w, r, u, ruleStatus(code), v)
		return
	case err != nil:
		s.serverErrorOf(w, "automation", u, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditAutomationCreated, "automation", idOf(rule.ID), ruleDetail(&rule))
	v = automationView{layout: layout{Title: rule.Name, User: u, Workspace: m, Notice: notices["automation-created"]},
		Rule: rule, Form: ruleFormOf(&rule), Secret: secret, CanEdit: true}
	s.renderRule(w, r, u, http.StatusOK, v)
}

// ruleOfPath reads the path's rule of the workspace, answering 404 for
// one that is not there (or another workspace's).
func (s *Server) ruleOfPath(w http.ResponseWriter, r *http.Request, u *foyer.User, min foyer.Role) (foyer.Membership, *foyer.AutomationRule, bool) {
	m, ok := s.workspaceRole(w, r, u, min)
	if !ok {
		return m, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("rule"), 10, 64)
	var rule *foyer.AutomationRule
	if err == nil {
		rule, err = s.cfg.Store.AutomationRule(r.Context(), m.WorkspaceID, id)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no rule %q", r.PathValue("rule"))
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return m, nil, false
	case err != nil:
		s.serverErrorOf(w, "automation", u, err)
		return m, nil, false
	}
	return m, rule, true
}

// automationPage shows a rule, its editor and its delivery log.
func (s *Server) automationPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, rule, ok := s.ruleOfPath(w, r, u, foyer.RoleViewer)
	if !ok {
		return
	}
	s.showRule(w, r, u, m, rule, ruleFormOf(rule), http.StatusOK, "")
}

func (s *Server) showRule(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, rule *foyer.AutomationRule,
	f ruleForm, status int, errMsg string) {
	v := automationView{layout: layout{Title: rule.Name, User: u, Workspace: m, Notice: noticeOf(r), Error: errMsg},
		Rule: *rule, Form: f, CanEdit: m.Role.AtLeast(foyer.RoleAdmin)}
	var err error
	if v.Deliveries, err = s.cfg.Store.AutomationDeliveries(r.Context(), m.WorkspaceID, rule.ID, ruleDeliveries); err != nil {
		s.serverErrorOf(w, "automation", u, err)
		return
	}
	s.renderRule(w, r, u, status, v)
}

// updateAutomation saves a rule's editor.
func (s *Server) updateAutomation(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, old, ok := s.ruleOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f := readRuleForm(r)
	rule, err := f.rule(m.WorkspaceID)
	if err == nil {
		rule.ID = old.ID
		err = s.cfg.Store.UpdateAutomationRule(r.Context(), &rule)
	}
	switch code := foyer.ErrorCode(err); {
	case code == foyer.EINVALID || code == foyer.ECONFLICT || code == foyer.ENOTFOUND:
		// ENOTFOUND: another workspace's segment (or the rule deleted
		// meanwhile): 404, with the editor as typed.
		s.showRule(w, r, u, m, old, f, ruleStatus(code), "Not saved: "+foyer.ErrorMessage(err))
		return
	case err != nil:
		s.serverErrorOf(w, "automation", u, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditAutomationChanged, "automation", idOf(rule.ID), ruleDetail(&rule))
	done(w, r, automationPath(m.WorkspaceID, rule.ID), "automation-saved")
}

// deleteAutomation deletes a rule and its delivery log.
func (s *Server) deleteAutomation(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, rule, ok := s.ruleOfPath(w, r, u, foyer.RoleAdmin)
	if !ok {
		return
	}
	err := s.cfg.Store.DeleteAutomationRule(r.Context(), m.WorkspaceID, rule.ID)
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
		return
	case err != nil:
		s.serverErrorOf(w, "automation", u, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditAutomationDeleted, "automation", idOf(rule.ID), "rule "+strconv.Quote(rule.Name))
	done(w, r, automationsPath(m.WorkspaceID), "automation-deleted")
}

// ruleStatus is the status of the editor shown again with an error: 404
// for a segment not of the workspace (another workspace's IDs are not
// found), 409 for a name taken, 400 for the rest.
func ruleStatus(code string) int {
	switch code {
	case foyer.ENOTFOUND:
		return http.StatusNotFound
	case foyer.ECONFLICT:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// ruleDetail is what the audit log says of a rule: its trigger and its
// actions' kinds, never a URL (which may carry a token).
func ruleDetail(r *foyer.AutomationRule) string {
	var kinds []string
	for _, a := range r.Actions {
		kinds = append(kinds, string(a.Kind))
	}
	return fmt.Sprintf("rule %q: %s → %s; enabled %v, only tracked contacts %v", r.Name, r.Trigger, strings.Join(kinds, ", "),
		r.Enabled, r.OnlyTracked)
}

// readRuleForm reads the editor's fields.
func readRuleForm(r *http.Request) ruleForm {
	id := func(name string) int64 {
		n, _ := strconv.ParseInt(r.PostFormValue(name), 10, 64)
		return n
	}
	return ruleForm{
		Name: r.PostFormValue("name"), Trigger: r.PostFormValue("trigger"), Threshold: strings.TrimSpace(r.PostFormValue("threshold")),
		SegmentID: id("segment"), Enabled: r.PostFormValue("enabled") == "on", OnlyTracked: r.PostFormValue("only_tracked") == "on",
		AddTo: id("add_to"), Email: r.PostFormValue("email") == "on",
		Slack: strings.TrimSpace(r.PostFormValue("slack")), Webhook: strings.TrimSpace(r.PostFormValue("webhook")),
	}
}

// rule makes the form's rule; EINVALID for a threshold that is not a
// number.
func (f ruleForm) rule(workspaceID int64) (foyer.AutomationRule, error) {
	r := foyer.AutomationRule{WorkspaceID: workspaceID, Name: f.Name, Trigger: foyer.TriggerKind(f.Trigger),
		Enabled: f.Enabled, OnlyTracked: f.OnlyTracked}
	if r.Trigger == foyer.TriggerSegmentEntered {
		r.SegmentID = f.SegmentID
	} else if r.Trigger.Valid() {
		p, err := strconv.ParseFloat(strings.ReplaceAll(f.Threshold, ",", "."), 64)
		if err != nil || math.IsNaN(p) || math.IsInf(p, 0) || math.Abs(p) > 1e9 {
			return r, foyer.Errorf(foyer.EINVALID, "the score threshold is a number of points, such as 50")
		}
		r.ThresholdMilli = int64(math.Round(p * 1000))
	}
	if f.AddTo != 0 {
		r.Actions = append(r.Actions, foyer.AutomationAction{Kind: foyer.ActionSegment, SegmentID: f.AddTo})
	}
	if f.Email {
		r.Actions = append(r.Actions, foyer.AutomationAction{Kind: foyer.ActionEmail})
	}
	if f.Slack != "" {
		r.Actions = append(r.Actions, foyer.AutomationAction{Kind: foyer.ActionSlack, URL: f.Slack})
	}
	if f.Webhook != "" {
		r.Actions = append(r.Actions, foyer.AutomationAction{Kind: foyer.ActionWebhook, URL: f.Webhook})
	}
	return r, nil
}

// formOf fills the editor with a stored rule.
func ruleFormOf(r *foyer.AutomationRule) ruleForm {
	f := ruleForm{Name: r.Name, Trigger: string(r.Trigger), SegmentID: r.SegmentID, Enabled: r.Enabled, OnlyTracked: r.OnlyTracked}
	if r.ThresholdMilli != 0 {
		f.Threshold = strconv.FormatFloat(float64(r.ThresholdMilli)/1000, 'f', -1, 64)
	}
	for _, a := range r.Actions {
		switch a.Kind {
		case foyer.ActionSegment:
			f.AddTo = a.SegmentID
		case foyer.ActionEmail:
			f.Email = true
		case foyer.ActionSlack:
			f.Slack = a.URL
		case foyer.ActionWebhook:
			f.Webhook = a.URL
		}
	}
	return f
}
