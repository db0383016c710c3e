package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// editorPolicy lets the editors run their one script of ours, which
// shows each condition row's own inputs.
const editorPolicy = pagePolicy + "; script-src 'self'"

// conditionRow is a row of the condition builder, as typed.
type conditionRow struct {
	Index                         int
	Kind, Field, Attr, Op, Value  string
	Path, Days, Minutes, Campaign string
	Points                        string
}

// fieldChoice is a field a condition can test, with its label.
type fieldChoice struct{ Value, Label string }

// segmentEditView is the segment editor.
type segmentEditView struct {
	layout
	ID             int64 // 0 for a new segment
	Name           string
	Static         bool
	Match          string
	Rows           []conditionRow
	Kinds          []foyer.ConditionKind
	ContactFields  []fieldChoice
	CompanyFields  []fieldChoice
	Ops            []fieldChoice
	Campaigns      []campaignChoice
	Action, Cancel string
}

// choices labels field names.
func choices(list []string) []fieldChoice {
	out := make([]fieldChoice, len(list))
	for i, f := range list {
		l := foyer.FieldLabel(f)
		out[i] = fieldChoice{f, strings.ToUpper(l[:1]) + l[1:]}
	}
	return out
}

// opLabels name the operators.
var opLabels = map[string]string{"is": "is", "is_not": "is not", "contains": "contains", "not_contains": "does not contain",
	"starts_with": "starts with", "ends_with": "ends with", "is_set": "is filled in", "is_empty": "is empty"}

// editorView fills what every editor shows.
func (s *Server) editorView(r *http.Request, u *foyer.User, m foyer.Membership, title string) (segmentEditView, error) {
	camps, err := s.campaignChoices(r, m.WorkspaceID)
	v := segmentEditView{layout: s.layoutOf(r, u, m, title), Kinds: foyer.ConditionKinds, Match: "all",
		ContactFields: append(choices(foyer.ContactFields), fieldChoice{"attr", "Custom attribute…"}),
		CompanyFields: choices(foyer.CompanyFields), Campaigns: camps}
	for _, op := range foyer.FieldOps {
		v.Ops = append(v.Ops, fieldChoice{op, opLabels[op]})
	}
	return v, err
}

// rowOf is a condition as a row of the builder.
func rowOf(i int, c foyer.Condition) conditionRow {
	row := conditionRow{Index: i, Kind: string(c.Kind), Field: c.Field, Op: c.Op, Value: c.Value, Path: c.Path}
	if a, ok := strings.CutPrefix(c.Field, "attr:"); ok {
		row.Field, row.Attr = "attr", a
	}
	if c.Days != 0 {
		row.Days = strconv.Itoa(c.Days)
	}
	if c.Minutes != 0 {
		row.Minutes = strconv.Itoa(c.Minutes)
	}
	if c.Campaign != 0 {
		row.Campaign = strconv.FormatInt(c.Campaign, 10)
	}
	if c.Kind == foyer.CondScore {
		row.Points = strconv.FormatInt(c.Points, 10)
	}
	return row
}

// newRow is the row "Add a condition" adds.
func newRow(i int) conditionRow {
	return conditionRow{Index: i, Kind: string(foyer.CondContact), Field: "email_domain", Op: "is", Days: "30", Minutes: "5"}
}

// newSegmentPage shows an empty editor.
func (s *Server) newSegmentPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	v, err := s.editorView(r, u, m, "New segment")
	if err != nil {
		s.serverErrorOf(w, "segment editor", u, err)
		return
	}
	v.Rows = []conditionRow{newRow(0)}
	v.Action, v.Cancel = segmentsPath(m.WorkspaceID), segmentsPath(m.WorkspaceID)
	w.Header().Set("Content-Security-Policy", editorPolicy)
	s.render(w, http.StatusOK, "segmentedit", v)
}

// editSegmentPage shows a segment in the editor.
func (s *Server) editSegmentPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	sg, ok := s.segmentOf(w, r, u, m)
	if !ok {
		return
	}
	v, err := s.editorView(r, u, m, "Edit "+sg.Name)
	if err != nil {
		s.serverErrorOf(w, "segment editor", u, err)
		return
	}
	v.ID, v.Name, v.Static = sg.ID, sg.Name, sg.Static()
	if d := sg.Definition; d != nil {
		v.Match = string(d.Match)
		for i, c := range d.Conditions {
			v.Rows = append(v.Rows, rowOf(i, c))
		}
	}
	path := fmt.Sprintf("%s/%d", segmentsPath(m.WorkspaceID), sg.ID)
	v.Action, v.Cancel = path, path
	w.Header().Set("Content-Security-Policy", editorPolicy)
	s.render(w, http.StatusOK, "segmentedit", v)
}

// formRows reads the builder's rows from the form: each input is repeated
// once per row, in order.
func formRows(r *http.Request) []conditionRow {
	f := r.PostForm
	n := len(f["kind"])
	at := func(key string, i int) string {
		if vs := f[key]; i < len(vs) {
			return strings.TrimSpace(vs[i])
		}
		return ""
	}
	rows := make([]conditionRow, 0, n)
	for i := range min(n, foyer.MaxConditions+1) {
		rows = append(rows, conditionRow{Index: i, Kind: at("kind", i), Field: at("field", i), Attr: at("attr", i), Op: at("op", i),
			Value: at("value", i), Path: at("path", i), Days: at("days", i), Minutes: at("minutes", i),
			Campaign: at("campaign", i), Points: at("points", i)})
	}
	return rows
}

// conditionOf reads a row into a condition; EINVALID naming what is not
// a number.
func conditionOf(row conditionRow) (foyer.Condition, error) {
	c := foyer.Condition{Kind: foyer.ConditionKind(row.Kind)}
	num := func(s, what string) (int64, error) {
		if s == "" {
			return 0, nil
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, foyer.Errorf(foyer.EINVALID, "%s must be a whole number", what)
		}
		return n, nil
	}
	var days, minutes int64
	var err error
	switch c.Kind {
	case foyer.CondContact, foyer.CondCompany:
		c.Field, c.Op, c.Value = row.Field, row.Op, row.Value
		if row.Field == "attr" && c.Kind == foyer.CondContact {
			c.Field = "attr:" + row.Attr
		}
	case foyer.CondVisited:
		c.Path = row.Path
	case foyer.CondScore:
		c.Points, err = num(row.Points, "the points")
	case foyer.CondOpened, foyer.CondClicked:
		c.Campaign, err = num(row.Campaign, "the campaign")
	}
	if err == nil && c.Kind.Behavioural() && c.Kind != foyer.CondScore {
		days, err = num(row.Days, "the days")
		c.Days = int(min(max(days, -1), foyer.MaxConditionDays+1))
	}
	if err == nil && c.Kind == foyer.CondEngaged {
		minutes, err = num(row.Minutes, "the minutes")
		c.Minutes = int(min(max(minutes, -1), 100001))
	}
	return c, err
}

// saveSegment creates or updates a segment from the editor's form; its
// "Add a condition" and "Remove" buttons show the form again with a row
// more or less, saving nothing.
func (s *Server) saveSegment(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, segmentEditor)
	if !ok {
		return
	}
	sg := &foyer.Segment{WorkspaceID: m.WorkspaceID}
	title := "New segment"
	if r.PathValue("segment") != "" {
		old, ok := s.segmentOf(w, r, u, m)
		if !ok {
			return
		}
		sg.ID, title = old.ID, "Edit "+old.Name
		sg.Definition = old.Definition
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "formerror", formErrorView{
			layout: layout{Title: "Not saved", User: u, Error: "The form could not be read."}, Back: segmentsPath(m.WorkspaceID)})
		return
	}
	v, err := s.editorView(r, u, m, title)
	if err != nil {
		s.serverErrorOf(w, "segment editor", u, err)
		return
	}
	v.ID, v.Name, v.Match, v.Rows = sg.ID, r.PostFormValue("name"), r.PostFormValue("match"), formRows(r)
	v.Static = r.PostFormValue("static") == "on"
	if sg.ID != 0 {
		v.Static = sg.Static()
	}
	v.Action, v.Cancel = segmentsPath(m.WorkspaceID), segmentsPath(m.WorkspaceID)
	if sg.ID != 0 {
		v.Action = fmt.Sprintf("%s/%d", segmentsPath(m.WorkspaceID), sg.ID)
		v.Cancel = v.Action
	}
	again := func(status int, problem string) {
		for i := range v.Rows {
			v.Rows[i].Index = i
		}
		v.Error = problem
		w.Header().Set("Content-Security-Policy", editorPolicy)
		s.render(w, status, "segmentedit", v)
	}
	if r.PostFormValue("add") != "" {
		if len(v.Rows) < foyer.MaxConditions {
			v.Rows = append(v.Rows, newRow(len(v.Rows)))
		}
		again(http.StatusOK, "")
		return
	}
	if rm := r.PostFormValue("remove"); rm != "" {
		if i, err := strconv.Atoi(rm); err == nil && i >= 0 && i < len(v.Rows) {
			v.Rows = append(v.Rows[:i], v.Rows[i+1:]...)
		}
		again(http.StatusOK, "")
		return
	}
	sg.Name = v.Name
	sg.Definition = nil
	if !v.Static {
		d := &foyer.SegmentDefinition{Match: foyer.SegmentMatch(v.Match)}
		for i, row := range v.Rows {
			c, err := conditionOf(row)
			if err != nil {
				again(http.StatusBadRequest, fmt.Sprintf("Not saved: condition %d: %s.", i+1, foyer.ErrorMessage(err)))
				return
			}
			d.Conditions = append(d.Conditions, c)
		}
		sg.Definition = d
	}
	err = s.cfg.Store.SaveSegment(r.Context(), sg, u.Email)
	switch code := foyer.ErrorCode(err); {
	case err == nil:
	case code == foyer.EINVALID || code == foyer.ECONFLICT:
		again(http.StatusBadRequest, "Not saved: "+foyer.ErrorMessage(err)+".")
		return
	case code == foyer.ENOTFOUND:
		s.notFound(w, u)
		return
	default:
		s.serverErrorOf(w, "save segment", u, err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditSettings, "segment", idOf(sg.ID), "segment saved: "+sg.Name)
	done(w, r, fmt.Sprintf("%s/%d", segmentsPath(m.WorkspaceID), sg.ID), "segment-saved")
}
