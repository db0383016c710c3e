package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

//go:embed templates/*.html
var templateFiles embed.FS

// layout is what every page has: what templates/layout.html shows (the
// title, the signed-in user), and what many pages show in their own place
// (the workspace, what went wrong). Each page's view embeds it.
type layout struct {
	Title string
	User  *foyer.User // the signed-in user, or nil
	// Workspace is the workspace the page is in, with the user's role in
	// it; on an invitation, the workspace and the role it offers.
	Workspace foyer.Membership
	Error     string // what went wrong, for the page to say
	Notice    string // what the last form did, confirmed: see noticeOf
	// AskZone, when set, asks the user to confirm a time zone: see askZone.
	AskZone *zoneAsk
	// BackupProblem is what went wrong with the last scheduled backup or
	// its copy to the bucket, in full sentences, set by render for owners
	// (see withBackupProblem).
	BackupProblem string
}

// pageTemplate is a page's template, the layout with the page's content,
// and the type of the view it is rendered with.
type pageTemplate struct {
	tmpl *template.Template
	view reflect.Type
}

// pages are parsed once: each page of templates/ with the view it takes.
var pages = parsePages(map[string]any{
	"login": loginView{}, "twofactor": twoFactorView{}, "forgot": forgotView{}, "reset": resetView{},
	"setup": setupView{}, "invite": inviteView{}, "app": appView{}, "account": accountView{}, "enrol": enrolView{},
	"feed": feedView{}, "company": companyView{}, "sites": sitesView{}, "overview": overviewView{},
	"settings": settingsView{}, "members": membersView{}, "home": homeView{},
	"contacts": contactsView{}, "contact": contactView{}, "contactnew": newContactView{}, "wssettings": workspaceSettingsView{},
	"contactimport": importView{}, "contactimportstep": importStepView{}, "contactimportrecord": importRecordView{},
	"activity": activityView{}, "hidden": hiddenView{}, "requests": requestsView{}, "privacytexts": privacyTextsView{}, "audit": auditView{},
	"campaigns": campaignsView{}, "campaign": campaignView{},
	"automations": automationsView{}, "automation": automationView{},
	"segments": segmentsView{}, "segment": segmentView{}, "segmentedit": segmentEditView{}, "scoring": scoringView{},
	"notfound": layout{}, "forbidden": layout{}, "formerror": formErrorView{},
})

func parsePages(views map[string]any) map[string]pageTemplate {
	return parseTemplates(views, templateFiles, funcs, "templates/layout.html", "templates/_*.html", "templates/%s.html")
}

// parseTemplates parses each page of views, named by the last pattern
// (with %s for its name), with the files of the other patterns.
func parseTemplates(views map[string]any, files fs.FS, fm template.FuncMap, patterns ...string) map[string]pageTemplate {
	m := map[string]pageTemplate{}
	for name, v := range views {
		ps := slices.Clone(patterns)
		ps[len(ps)-1] = fmt.Sprintf(ps[len(ps)-1], name)
		t := template.Must(template.New(name).Funcs(fm).ParseFS(files, ps...))
		m[name] = pageTemplate{tmpl: t, view: reflect.TypeOf(v)}
	}
	return m
}

// render writes a page with its view; it is executed in full first, so
// that a template error, or a view of another page, becomes a 500, not
// half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, view any) {
	s.renderOf(w, status, pages, name, view)
}

// renderOf renders the page name of a set of pages, as render says.
func (s *Server) renderOf(w http.ResponseWriter, status int, set map[string]pageTemplate, name string, view any) {
	var buf bytes.Buffer
	p := set[name]
	view = s.withBackupProblem(view)
	if t := reflect.TypeOf(view); t != p.view {
		s.serverError(w, "render "+name, fmt.Errorf("the page takes a %v, not a %v", p.view, t))
		return
	}
	if err := p.tmpl.ExecuteTemplate(&buf, "layout", view); err != nil {
		s.serverError(w, "render "+name, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// withBackupProblem returns view with its layout's BackupProblem set, when
// the last scheduled backup failed and the page is in a workspace the user
// owns; else view.
func (s *Server) withBackupProblem(view any) any {
	if s.cfg.BackupProblem == nil {
		return view
	}
	v := reflect.ValueOf(view)
	if v.Kind() != reflect.Struct {
		return view
	}
	ws := v.FieldByName("Workspace")
	if !ws.IsValid() || ws.Type() != reflect.TypeOf(foyer.Membership{}) || ws.Interface().(foyer.Membership).Role != foyer.RoleOwner {
		return view
	}
	problem := s.cfg.BackupProblem()
	if problem == "" {
		return view
	}
	cp := reflect.New(v.Type()).Elem()
	cp.Set(v)
	if f := cp.FieldByName("BackupProblem"); f.CanSet() && f.Kind() == reflect.String {
		f.SetString(problem)
	}
	return cp.Interface()
}

// notFound answers that there is nothing here for u: also what another
// workspace's IDs get, so that they tell nothing.
func (s *Server) notFound(w http.ResponseWriter, u *foyer.User) {
	s.render(w, http.StatusNotFound, "notfound", layout{Title: "Not found", User: u})
}

// gone answers a link or a way to sign in that is not (or no longer)
// there, saying so in msg.
func (s *Server) gone(w http.ResponseWriter, msg string) {
	s.render(w, http.StatusNotFound, "notfound", layout{Title: "Not found", Error: msg})
}

// forbidden answers that u's role does not allow this.
func (s *Server) forbidden(w http.ResponseWriter, u *foyer.User) {
	s.render(w, http.StatusForbidden, "forbidden", layout{Title: "Not allowed", User: u})
}

func (s *Server) serverError(w http.ResponseWriter, what string, err error) {
	s.serverErrorOf(w, what, nil, err)
}

// serverErrorOf is serverError for a request about user u (nil: none),
// whom the log names by ID, never by address.
func (s *Server) serverErrorOf(w http.ResponseWriter, what string, u *foyer.User, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if u != nil {
		s.cfg.Log.Error(what, "user", u.ID, "err", err)
	} else {
		s.cfg.Log.Error(what, "err", err)
	}
	http.Error(w, "Something went wrong on our side; try again.", http.StatusInternalServerError)
}

// funcs are the functions the templates call.
var funcs = template.FuncMap{"segmentHelp": segmentHelp, "duration": duration, "ago": ago, "count": count, "percent": percent, "badges": siteBadges,
	"country": countryName, "samefold": strings.EqualFold, "device": deviceLabel, "short": shortHash, "scoreFormula": func() string { return foyer.ScoreFormula }}

// count writes a number of things: "1 visit", "2 visits".
func count(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// duration writes milliseconds of engaged time as "2 min 5 s".
func duration(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	switch {
	case d <= 0:
		return "–"
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}

// now is the clock of the pages; tests replace it.
var now = time.Now

// ago writes how long ago t was, or its date when that is long ago.
func ago(t time.Time) string {
	d := now().Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s ago", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h ago", int(d.Hours()))
	}
	return t.UTC().Format("2 Jan 2006")
}
