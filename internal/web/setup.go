package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// SetupLinkLife is how long a first-owner setup link works; each start of
// the server without users makes a new one.
const SetupLinkLife = 24 * time.Hour

// setupView is what the first owner's sign-up page shows.
type setupView struct {
	layout
	SetupPath     string   // the page's address, for its form
	WorkspaceName string   // as typed, or the first existing workspace's
	Name          string   // the owner's, as typed
	Email         string   // the owner's, as typed
	Unowned       []string // workspaces that exist without members (the demo's)
	Start         string   // "demo" to take the oldest of them, "empty" for a new workspace
}

// NewSetupLink returns the path of a new one-time link that creates the
// first owner (/setup/TOKEN), or "" when the installation has users.
func NewSetupLink(ctx context.Context, st foyer.SetupService) (string, error) {
	token, hash := auth.NewToken()
	err := st.CreateSetupLink(ctx, hash, time.Now().Add(SetupLinkLife))
	if foyer.ErrorCode(err) == foyer.ECONFLICT { // there are users
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return "/setup/" + url.PathEscape(token), nil
}

// setup shows (GET) and takes (POST) the first owner's sign-up: their
// account, their workspace, and a session, from a link the server logged.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	hash := auth.TokenHash(r.PathValue("token"))
	existing, err := s.cfg.Store.SetupLink(ctx, hash)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.setupGone(w)
		return
	}
	if err != nil {
		s.serverError(w, "setup", err)
		return
	}
	d := setupView{layout: layout{Title: "Set up Foyer"}, SetupPath: r.URL.Path, Unowned: existing}
	if len(existing) > 0 {
		d.WorkspaceName, d.Start = existing[0], "demo"
	}
	if r.Method == http.MethodGet {
		s.render(w, http.StatusOK, "setup", d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		d.Error = "The form could not be read."
		s.render(w, http.StatusBadRequest, "setup", d)
		return
	}
	f := r.PostForm
	d.Email, d.Name, d.WorkspaceName = strings.TrimSpace(f.Get("email")), strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("workspace"))
	refuse := func(msg string) {
		d.Error = msg
		s.render(w, http.StatusBadRequest, "setup", d)
	}
	if d.WorkspaceName == "" {
		refuse("Name your workspace: your company's name will do.")
		return
	}
	if f.Get("password") != f.Get("confirm") {
		refuse("The two passwords differ: type the same one twice.")
		return
	}
	pwHash, problem := hashNewPassword(f.Get("password"))
	if problem != "" {
		refuse(problem)
		return
	}
	u := &foyer.User{Email: d.Email, Name: d.Name, PasswordHash: pwHash}
	ws := &foyer.Workspace{Name: d.WorkspaceName}
	if len(existing) > 0 {
		// The owner chose between the demo's workspace, renamed to the name
		// they typed, and a new one of that name.
		d.Start = f.Get("start")
		switch d.Start {
		case "demo":
			demo, err := s.cfg.Store.WorkspaceByName(ctx, existing[0])
			if err != nil {
				s.serverError(w, "setup", err)
				return
			}
			ws.ID = demo.ID
		case "empty":
			if slices.Contains(existing, d.WorkspaceName) {
				refuse(fmt.Sprintf("A workspace named %q exists: choose another name, or start with the demo site.", d.WorkspaceName))
				return
			}
		default:
			refuse("Choose whether to start with the demo site or empty.")
			return
		}
	}
	err = s.cfg.Store.CompleteSetup(ctx, hash, u, ws)
	switch foyer.ErrorCode(err) {
	case "":
	case foyer.EINVALID, foyer.ECONFLICT:
		msg := foyer.ErrorMessage(err)
		refuse(strings.ToUpper(msg[:1]) + msg[1:] + ".")
		return
	case foyer.ENOTFOUND:
		s.setupGone(w)
		return
	default:
		s.serverError(w, "setup", err)
		return
	}
	s.cfg.Log.Info("first owner created", "user_id", u.ID, "workspace_id", ws.ID)
	s.audit(r, u, ws.ID, foyer.AuditJoined, "user", idOf(u.ID), "as owner, the installation's first")
	if err := s.startSession(w, r, u, false); err != nil {
		s.serverError(w, "setup", err)
		return
	}
	// A new workspace starts by adding its site; the demo's shows its feed.
	next := fmt.Sprintf("/app/w/%d", ws.ID)
	if sites, err := s.cfg.Store.Sites(ctx, ws.ID); err == nil && len(sites) == 0 {
		next += "/sites"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// setupGone answers a setup link that cannot create the first owner.
func (s *Server) setupGone(w http.ResponseWriter) {
	s.gone(w, "This setup link is unknown or expired, or Foyer has its first owner already. "+
		"Sign in; or, while Foyer has no users, restart it for a new link.")
}
