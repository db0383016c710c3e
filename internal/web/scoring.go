package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/foyerhq/foyer"
)

// The scoring page: the workspace's rules (add, delete), the half-life of
// scores, and the contacts and companies with the highest scores.

// scoringPath is the address of the workspace's scoring page.
func scoringPath(ws int64) string { return fmt.Sprintf("/app/w/%d/scoring", ws) }

// ruleLine is a rule as the page lists it.
type ruleLine struct {
	*foyer.ScoreRule
	Describe string
}

// scoringView is the scoring page.
type scoringView struct {
	layout
	Rules                   []ruleLine
	HalfLife                int64
	TopContacts, TopCompany []foyer.ScoreEntry
	CanEdit                 bool
	Form                    segmentEditView // the kinds, fields and campaigns a new rule can use
	Row                     conditionRow    // the new rule as typed
	Target, Name, Points    string
}

// scoringPage shows the rules, the half-life and the top scores.
func (s *Server) scoringPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceOf(w, r, u)
	if !ok {
		return
	}
	s.renderScoring(w, r, u, m, http.StatusOK, "", nil)
}

func (s *Server) renderScoring(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, problem string, typed *scoringView) {
	ctx := r.Context()
	form, err := s.editorView(r, u, m, "Scoring")
	if err != nil {
		s.serverErrorOf(w, "scoring", u, err)
		return
	}
	v := scoringView{layout: s.layoutOf(r, u, m, "Scoring"), CanEdit: m.Role.AtLeast(segmentEditor), Form: form,
		Row: newRow(0), Target: string(foyer.TargetContact), Points: "10"}
	v.Row.Kind, v.Row.Path = string(foyer.CondVisited), "/pricing/"
	if typed != nil {
		v.Row, v.Target, v.Name, v.Points = typed.Row, typed.Target, typed.Name, typed.Points
	}
	v.Error = problem
	rules, err := s.cfg.Store.ScoreRules(ctx, m.WorkspaceID)
	if err == nil {
		for _, rule := range rules {
			v.Rules = append(v.Rules, ruleLine{ScoreRule: rule, Describe: ruleText(rule, form.Campaigns)})
		}
		var days int
		days, err = s.cfg.Store.ScoreHalfLife(ctx, m.WorkspaceID)
		v.HalfLife = int64(days)
	}
	if err == nil {
		v.TopContacts, err = s.cfg.Store.TopScores(ctx, m.WorkspaceID, foyer.TargetContact, 10)
	}
	if err == nil {
		v.TopCompany, err = s.cfg.Store.TopScores(ctx, m.WorkspaceID, foyer.TargetCompany, 10)
	}
	if err != nil {
		s.serverErrorOf(w, "scoring", u, err)
		return
	}
	w.Header().Set("Content-Security-Policy", editorPolicy)
	s.render(w, status, "scoring", v)
}

// ruleText says what a rule gives points for.
func ruleText(r *foyer.ScoreRule, campaigns []campaignChoice) string {
	c := r.Condition
	d := describe(&foyer.SegmentDefinition{Conditions: []foyer.Condition{c}}, campaigns)[0]
	switch c.Kind {
	case foyer.CondVisited:
		return "each visit to a page matching " + c.Path
	case foyer.CondEngaged:
		return "each engaged minute"
	case foyer.CondOpened, foyer.CondClicked:
		return "each campaign " + map[foyer.ConditionKind]string{foyer.CondOpened: "opened", foyer.CondClicked: "clicked"}[c.Kind] + d[len("opened"):]
	case foyer.CondForm:
		return "each identification by a tracked form"
	}
	return d
}

// createScoreRule adds a rule from the page's form.
func (s *Server) createScoreRule(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		s.renderScoring(w, r, u, m, http.StatusBadRequest, "Not added: the form could not be read.", nil)
		return
	}
	typed := &scoringView{Target: r.PostFormValue("target"), Name: r.PostFormValue("name"), Points: r.PostFormValue("rule_points")}
	if rows := formRows(r); len(rows) > 0 {
		typed.Row = rows[0]
	}
	// A rule's behaviour has no window: decay bounds what counts.
	typed.Row.Days, typed.Row.Minutes = "1", "1"
	c, err := conditionOf(typed.Row)
	var rule *foyer.ScoreRule
	if err == nil {
		points, perr := strconv.ParseInt(typed.Points, 10, 64)
		if perr != nil {
			err = foyer.Errorf(foyer.EINVALID, "the points must be a whole number")
		}
		rule = &foyer.ScoreRule{WorkspaceID: m.WorkspaceID, Target: foyer.ScoreTarget(typed.Target), Name: typed.Name, Points: points, Condition: c}
	}
	if err == nil {
		err = s.cfg.Store.CreateScoreRule(r.Context(), rule, u.Email)
	}
	switch {
	case err == nil:
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "score_rule", idOf(rule.ID), "scoring rule added: "+rule.Name)
		done(w, r, scoringPath(m.WorkspaceID), "rule-added")
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.renderScoring(w, r, u, m, http.StatusBadRequest, "Not added: "+foyer.ErrorMessage(err)+".", typed)
	default:
		s.serverErrorOf(w, "add scoring rule", u, err)
	}
}

// deleteScoreRule deletes a rule.
func (s *Server) deleteScoreRule(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("rule"), 10, 64)
	if err == nil {
		err = s.cfg.Store.DeleteScoreRule(r.Context(), m.WorkspaceID, id)
	} else {
		err = foyer.Errorf(foyer.ENOTFOUND, "no rule")
	}
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		s.notFound(w, u)
	case err != nil:
		s.serverErrorOf(w, "delete scoring rule", u, err)
	default:
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "score_rule", idOf(id), "scoring rule deleted")
		done(w, r, scoringPath(m.WorkspaceID), "rule-deleted")
	}
}

// setScoreHalfLife sets the half-life of the workspace's scores.
func (s *Server) setScoreHalfLife(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	days, err := strconv.Atoi(r.PostFormValue("days"))
	if err != nil {
		err = foyer.Errorf(foyer.EINVALID, "the half-life must be a whole number of days")
	} else {
		err = s.cfg.Store.SetScoreHalfLife(r.Context(), m.WorkspaceID, days)
	}
	switch {
	case err == nil:
		s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "workspace", idOf(m.WorkspaceID), "score half-life: "+strconv.Itoa(days)+" days")
		done(w, r, scoringPath(m.WorkspaceID), "half-life")
	case foyer.ErrorCode(err) == foyer.EINVALID:
		s.renderScoring(w, r, u, m, http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err)+".", nil)
	default:
		s.serverErrorOf(w, "score half-life", u, err)
	}
}
