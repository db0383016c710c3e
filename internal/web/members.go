package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// How long one-time links work.
const (
	inviteLife = 7 * 24 * time.Hour
	resetLife  = 24 * time.Hour
)

// membersData is what the members, invitation and reset pages show.
type membersData struct {
	Members      []foyer.Member
	Tokens       []foyer.APIToken
	NewToken     string
	NewLink      string
	NewLinkWhat  string
	NewLinkUntil time.Time
	Existing     bool // the invited address has an account
	mailResult        // whether the link was mailed
}

// linkURL is where a one-time link points, on this Foyer.
func linkURL(r *http.Request, kind foyer.LinkKind, token string) string {
	return fmt.Sprintf("%s/%s/%s", baseURL(r), kind, token)
}

func (s *Server) membersPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	s.renderMembers(w, r, u, m, http.StatusOK, "", membersData{})
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, errMsg string, d membersData) {
	members, err := s.cfg.Store.Members(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverError(w, "members", err)
		return
	}
	d.Members = members
	if d.Tokens, err = s.cfg.Store.APITokens(r.Context(), m.WorkspaceID); err != nil {
		s.serverError(w, "members", err)
		return
	}
	s.render(w, status, "members", pageData{Title: "Members", User: u, Error: errMsg,
		feedData: feedData{Workspace: m}, membersData: d})
}

// invite makes an invitation link: owners only.
func (s *Server) invite(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	role, err := foyer.ParseRole(r.PostForm.Get("role"))
	if err == nil {
		token, hash := auth.NewToken()
		l := foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: m.WorkspaceID, Email: r.PostForm.Get("email"), Role: role,
			CreatedBy: u.ID, ExpiresAt: time.Now().Add(inviteLife)}
		if err = s.cfg.Store.CreateLink(r.Context(), hash, l); err == nil {
			email, link := strings.ToLower(strings.TrimSpace(l.Email)), linkURL(r, foyer.LinkInvite, token)
			subject, body := inviteMail(u.Email, m.WorkspaceName, role, link, l.ExpiresAt)
			s.renderMembers(w, r, u, m, http.StatusOK, "", membersData{NewLink: link,
				NewLinkWhat:  fmt.Sprintf("An invitation for %s as %s.", email, role),
				NewLinkUntil: l.ExpiresAt.UTC(), mailResult: s.mailLink(r.Context(), foyer.LinkInvite, email, subject, body)})
			return
		}
	}
	if foyer.ErrorCode(err) == foyer.EINVALID {
		s.renderMembers(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err), membersData{})
		return
	}
	s.serverError(w, "invite", err)
}

// resetLink makes a password reset link for a member: owners only.
func (s *Server) resetLink(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("user"), 10, 64)
	if err == nil {
		_, err = s.cfg.Store.Role(r.Context(), m.WorkspaceID, id)
	}
	if err != nil {
		// Not a member of this workspace: as if there were no such user.
		s.notFound(w, u)
		return
	}
	target, err := s.cfg.Store.UserByID(r.Context(), id)
	if err != nil {
		s.serverError(w, "reset", err)
		return
	}
	token, hash := auth.NewToken()
	l := foyer.AuthLink{Kind: foyer.LinkReset, WorkspaceID: m.WorkspaceID, UserID: id, CreatedBy: u.ID, ExpiresAt: time.Now().Add(resetLife)}
	if err := s.cfg.Store.CreateLink(r.Context(), hash, l); err != nil {
		s.serverError(w, "reset", err)
		return
	}
	link := linkURL(r, foyer.LinkReset, token)
	subject, body := resetMail(u.Email, target.Email, link, l.ExpiresAt)
	s.renderMembers(w, r, u, m, http.StatusOK, "", membersData{NewLink: link,
		NewLinkWhat: "A password reset link for " + target.Email + ".", NewLinkUntil: l.ExpiresAt.UTC(),
		mailResult: s.mailLink(r.Context(), foyer.LinkReset, target.Email, subject, body)})
}

// linkOf reads the one-time link in the path, or writes a 404 page.
func (s *Server) linkOf(w http.ResponseWriter, r *http.Request, kind foyer.LinkKind) (*foyer.AuthLink, []byte, bool) {
	return s.linkByToken(w, r, r.PathValue("token"), kind, "This link is unknown, used or expired. Ask for a new one.")
}

// linkByToken reads the standing one-time link of the token and kind, or
// writes a 404 page that says gone.
func (s *Server) linkByToken(w http.ResponseWriter, r *http.Request, token string, kind foyer.LinkKind, gone string) (*foyer.AuthLink, []byte, bool) {
	hash := auth.TokenHash(token)
	l, err := s.cfg.Store.Link(r.Context(), hash)
	if err != nil || l.Kind != kind {
		if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
			s.serverError(w, "link", err)
			return nil, nil, false
		}
		s.render(w, http.StatusNotFound, "notfound", pageData{Title: "Not found", Error: gone})
		return nil, nil, false
	}
	return l, hash, true
}

// acceptInvite shows (GET) and takes (POST) an invitation.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) {
	l, hash, ok := s.linkOf(w, r, foyer.LinkInvite)
	if !ok {
		return
	}
	ctx := r.Context()
	d, existing, err := s.invitePage(ctx, l, r.PathValue("token"))
	if err != nil {
		s.serverError(w, "invite", err)
		return
	}
	if r.Method == http.MethodGet {
		s.render(w, http.StatusOK, "invite", d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	password := r.PostForm.Get("password")
	u := existing
	if u != nil {
		if u.PasswordHash == "" || auth.VerifyPassword(password, u.PasswordHash) != nil {
			d.Error = "The password is wrong."
			s.render(w, http.StatusUnauthorized, "invite", d)
			return
		}
	} else {
		pwHash, problem := hashNewPassword(password)
		if problem != "" {
			d.Error = problem
			s.render(w, http.StatusBadRequest, "invite", d)
			return
		}
		u = &foyer.User{Email: l.Email, Name: r.PostForm.Get("name"), PasswordHash: pwHash}
	}
	if err := s.cfg.Store.UseLink(ctx, hash); err != nil {
		s.render(w, http.StatusNotFound, "notfound", pageData{Title: "Not found", Error: "This link was used meanwhile."})
		return
	}
	if existing == nil {
		if err := s.cfg.Store.CreateUser(ctx, u); err != nil {
			s.serverError(w, "invite", err)
			return
		}
	}
	if err := s.cfg.Store.SetMembership(ctx, foyer.Membership{WorkspaceID: l.WorkspaceID, UserID: u.ID, Role: l.Role}); err != nil {
		s.serverError(w, "invite", err)
		return
	}
	if err := s.startSession(w, r, u, false); err != nil {
		s.serverError(w, "invite", err)
		return
	}
	http.Redirect(w, r, afterSignIn(u, fmt.Sprintf("/app/w/%d", l.WorkspaceID)), http.StatusSeeOther)
}

// invitePage returns what the page of an invitation shows, and the user
// who has the invited address, if any.
func (s *Server) invitePage(ctx context.Context, l *foyer.AuthLink, token string) (pageData, *foyer.User, error) {
	ws := foyer.Membership{WorkspaceID: l.WorkspaceID, Role: l.Role}
	if wsp, err := s.cfg.Store.WorkspaceByID(ctx, l.WorkspaceID); err == nil {
		ws.WorkspaceName = wsp.Name
	}
	existing, err := s.cfg.Store.UserByEmail(ctx, l.Email)
	if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
		return pageData{}, nil, err
	}
	path := "/invite/" + url.PathEscape(token)
	return pageData{Title: "Join " + ws.WorkspaceName, Email: l.Email, feedData: feedData{Workspace: ws},
		membersData: membersData{Existing: existing != nil},
		ssoData:     ssoData{InvitePath: path, SSO: s.ssoButtons(path + "/sso/")}}, existing, nil
}

// resetPassword shows (GET) and takes (POST) a password reset.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) {
	l, hash, ok := s.linkOf(w, r, foyer.LinkReset)
	if !ok {
		return
	}
	ctx := r.Context()
	u, err := s.cfg.Store.UserByID(ctx, l.UserID)
	if err != nil {
		s.serverError(w, "reset", err)
		return
	}
	d := pageData{Title: "New password", Email: u.Email}
	if r.Method == http.MethodGet {
		s.render(w, http.StatusOK, "reset", d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	pw, problem := hashNewPassword(r.PostForm.Get("password"))
	if problem != "" {
		d.Error = problem
		s.render(w, http.StatusBadRequest, "reset", d)
		return
	}
	if err := s.cfg.Store.UseLink(ctx, hash); err != nil {
		s.render(w, http.StatusNotFound, "notfound", pageData{Title: "Not found", Error: "This link was used meanwhile."})
		return
	}
	if err := s.cfg.Store.SetPassword(ctx, u.ID, pw); err != nil {
		s.serverError(w, "reset", err)
		return
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, u.ID); err != nil { // a reset also lifts a lock
		s.serverError(w, "reset", err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// createToken makes an API token of the workspace and shows it once:
// owners only.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	token, hash := auth.NewToken()
	err := s.cfg.Store.CreateAPIToken(r.Context(), hash, foyer.APIToken{WorkspaceID: m.WorkspaceID,
		Name: r.PostForm.Get("name"), Scope: foyer.Scope(r.PostForm.Get("scope"))})
	if foyer.ErrorCode(err) == foyer.EINVALID {
		s.renderMembers(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err), membersData{})
		return
	}
	if err != nil {
		s.serverError(w, "token", err)
		return
	}
	s.renderMembers(w, r, u, m, http.StatusOK, "", membersData{NewToken: token})
}

// revokeToken ends an API token of the workspace: owners only.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("token"), 10, 64)
	if err == nil {
		err = s.cfg.Store.RevokeAPIToken(r.Context(), m.WorkspaceID, id)
	}
	if err != nil {
		if foyer.ErrorCode(err) == foyer.ENOTFOUND || id == 0 {
			s.notFound(w, u)
			return
		}
		s.serverError(w, "revoke token", err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/app/w/%d/members", m.WorkspaceID), http.StatusSeeOther)
}
