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

// membersView is what the members page shows.
type membersView struct {
	layout
	Members      []foyer.Member
	Invitations  []foyer.Invitation // pending ones
	Self         int64              // the signed-in user's ID
	Tokens       []foyer.APIToken
	NewToken     string
	NewLink      string
	NewLinkWhat  string
	NewLinkUntil time.Time
	mailResult   // whether the link was mailed
	// HostLinks is set when no public URL is configured: links follow
	// the Host header of the request that made them.
	HostLinks bool
}

// inviteView is what the page of an invitation shows; its layout's
// Workspace is the workspace it invites to, with the role it offers.
type inviteView struct {
	layout
	Email      string // the invited address
	Next       string // the invitation page, where a sign-in goes on to
	InvitePath string // the invitation page's address, for its form
	SSO        []ssoButton
	// The signed-in user, when there is one, and whether it has the
	// invited address.
	SignedInAs string
	Invited    bool
}

// resetView is what the page of a password reset link shows.
type resetView struct {
	layout
	Email string // whose password it sets
}

// linkURL is where a one-time link points, on this Foyer.
func (s *Server) linkURL(r *http.Request, kind foyer.LinkKind, token string) string {
	return fmt.Sprintf("%s/%s/%s", s.baseURL(r), kind, token)
}

func (s *Server) membersPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	s.renderMembers(w, r, u, m, http.StatusOK, "", membersView{layout: layout{Notice: noticeOf(r)}})
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, errMsg string, d membersView) {
	members, err := s.cfg.Store.Members(r.Context(), m.WorkspaceID)
	if err != nil {
		s.serverError(w, "members", err)
		return
	}
	d.Members, d.HostLinks, d.Self = members, s.cfg.PublicURL == "", u.ID
	if d.Invitations, err = s.cfg.Store.Invitations(r.Context(), m.WorkspaceID); err != nil {
		s.serverError(w, "members", err)
		return
	}
	if d.Tokens, err = s.cfg.Store.APITokens(r.Context(), m.WorkspaceID); err != nil {
		s.serverError(w, "members", err)
		return
	}
	d.layout = layout{Title: "Members", User: u, Error: errMsg, Workspace: m, Notice: d.Notice}
	s.render(w, status, "members", d)
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
			email, link := strings.ToLower(strings.TrimSpace(l.Email)), s.linkURL(r, foyer.LinkInvite, token)
			s.audit(r, u, m.WorkspaceID, foyer.AuditInvite, "invitation", "", fmt.Sprintf("%s as %s", email, role))
			subject, body := inviteMail(u.Email, m.WorkspaceName, role, link, l.ExpiresAt)
			s.renderMembers(w, r, u, m, http.StatusOK, "", membersView{NewLink: link,
				NewLinkWhat:  fmt.Sprintf("An invitation for %s as %s.", email, role),
				NewLinkUntil: l.ExpiresAt.UTC(), mailResult: s.mailLink(r.Context(), foyer.LinkInvite, email, subject, body)})
			return
		}
	}
	if foyer.ErrorCode(err) == foyer.EINVALID {
		s.renderMembers(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err), membersView{})
		return
	}
	s.serverError(w, "invite", err)
}

// resetLink makes a password reset link for a member: owners only.
func (s *Server) resetLink(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, id, ok := s.memberForOwner(w, r, u)
	if !ok {
		return
	}
	target, err := s.cfg.Store.UserByID(r.Context(), id)
	if err != nil {
		s.serverError(w, "reset", err)
		return
	}
	// An owner of this workspace is no one to take over an account that
	// belongs to another: such a user resets their own password.
	theirs, err := s.cfg.Store.Memberships(r.Context(), id)
	if err != nil {
		s.serverError(w, "reset", err)
		return
	}
	if len(theirs) > 1 {
		s.renderMembers(w, r, u, m, http.StatusForbidden, fmt.Sprintf("%s belongs to another workspace too, so only they can "+
			"choose a new password: with “Forgot your password?” on the sign-in page.", target.Email), membersView{})
		return
	}
	token, hash := auth.NewToken()
	l := foyer.AuthLink{Kind: foyer.LinkReset, WorkspaceID: m.WorkspaceID, UserID: id, CreatedBy: u.ID, ExpiresAt: time.Now().Add(resetLife)}
	if err := s.cfg.Store.CreateLink(r.Context(), hash, l); err != nil {
		s.serverError(w, "reset", err)
		return
	}
	link := s.linkURL(r, foyer.LinkReset, token)
	s.audit(r, u, m.WorkspaceID, foyer.AuditResetLink, "user", idOf(id), "")
	subject, body := resetMail(u.Email, target.Email, link, l.ExpiresAt)
	s.renderMembers(w, r, u, m, http.StatusOK, "", membersView{NewLink: link,
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
		s.gone(w, gone)
		return nil, nil, false
	}
	return l, hash, true
}

// acceptInvite shows (GET) and takes (POST) an invitation. The page is the
// same whether the invited address has an account or not: someone who has
// one signs in (through /login, the one gate) and then joins; someone new
// makes an account here. It never checks a password itself.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) {
	l, hash, ok := s.linkOf(w, r, foyer.LinkInvite)
	if !ok {
		return
	}
	ctx := r.Context()
	d, _, err := s.invitePage(ctx, l, r.PathValue("token"))
	if err != nil {
		s.serverError(w, "invite", err)
		return
	}
	signedIn, sess, err := s.currentUser(r)
	if err != nil {
		s.serverError(w, "invite", err)
		return
	}
	if signedIn != nil && sess.SecondFactor {
		d.SignedInAs, d.Invited = signedIn.Email, signedIn.Email == l.Email
	} else {
		signedIn = nil
	}
	if r.Method == http.MethodGet {
		s.render(w, http.StatusOK, "invite", d)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	u := signedIn
	if r.PostForm.Get("join") == "" {
		// A new account. Its answer tells whether the address has one, so
		// it counts against the client's sign-in limit.
		if !s.allowSignIn(w, r) {
			d.Error = errTooManyAttempts
			s.render(w, http.StatusTooManyRequests, "invite", d)
			return
		}
		pwHash, problem := hashNewPassword(r.PostForm.Get("password"))
		if problem != "" {
			d.Error = problem
			s.render(w, http.StatusBadRequest, "invite", d)
			return
		}
		u, signedIn = &foyer.User{Name: r.PostForm.Get("name"), PasswordHash: pwHash}, nil
	} else if u == nil || !d.Invited {
		d.Error = "Sign in with the invited address first, then join."
		s.render(w, http.StatusForbidden, "invite", d)
		return
	}
	_, err = s.cfg.Store.AcceptInvite(ctx, hash, u, nil)
	switch foyer.ErrorCode(err) {
	case "":
	case foyer.ENOTFOUND:
		s.gone(w, "This link was used meanwhile.")
		return
	case foyer.ECONFLICT:
		d.Error = "This address has a Foyer account already: sign in with it above to join."
		if signedIn != nil {
			d.Error = foyer.ErrorMessage(err) // the last owner, say
		}
		s.render(w, http.StatusConflict, "invite", d)
		return
	default:
		s.serverError(w, "invite", err)
		return
	}
	s.audit(r, u, l.WorkspaceID, foyer.AuditJoined, "user", idOf(u.ID), "as "+string(l.Role))
	dest := fmt.Sprintf("/app/w/%d", l.WorkspaceID)
	if signedIn == nil {
		if err := s.startSession(w, r, u, false); err != nil {
			s.serverError(w, "invite", err)
			return
		}
		dest = afterSignIn(u, dest)
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// invitePage returns what the page of an invitation shows, and the user
// who has the invited address, if any (for single sign-on; the page does
// not tell).
func (s *Server) invitePage(ctx context.Context, l *foyer.AuthLink, token string) (inviteView, *foyer.User, error) {
	ws := foyer.Membership{WorkspaceID: l.WorkspaceID, Role: l.Role}
	if wsp, err := s.cfg.Store.WorkspaceByID(ctx, l.WorkspaceID); err == nil {
		ws.WorkspaceName = wsp.Name
	}
	existing, err := s.cfg.Store.UserByEmail(ctx, l.Email)
	if err != nil && foyer.ErrorCode(err) != foyer.ENOTFOUND {
		return inviteView{}, nil, err
	}
	path := "/invite/" + url.PathEscape(token)
	return inviteView{layout: layout{Title: "Join " + ws.WorkspaceName, Workspace: ws}, Email: l.Email, Next: path,
		InvitePath: path, SSO: s.ssoButtons(path + "/sso/")}, existing, nil
}

// resetPassword shows (GET) and takes (POST) a password reset: the link,
// the new password, the end of every session and of every other reset
// link, in one transaction.
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
	d := resetView{layout: layout{Title: "New password"}, Email: u.Email}
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
	if _, err := s.cfg.Store.ResetPassword(ctx, hash, pw); err != nil {
		if foyer.ErrorCode(err) == foyer.ENOTFOUND {
			s.gone(w, "This link was used meanwhile.")
			return
		}
		s.serverErrorOf(w, "reset", u, err)
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
		s.renderMembers(w, r, u, m, http.StatusBadRequest, foyer.ErrorMessage(err), membersView{})
		return
	}
	if err != nil {
		s.serverError(w, "token", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditTokenCreated, "token", "", fmt.Sprintf("%q, scope %s", r.PostForm.Get("name"), r.PostForm.Get("scope")))
	s.renderMembers(w, r, u, m, http.StatusOK, "", membersView{NewToken: token})
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
	s.audit(r, u, m.WorkspaceID, foyer.AuditTokenRevoked, "token", idOf(id), "")
	done(w, r, fmt.Sprintf("/app/w/%d/members", m.WorkspaceID), "token-revoked")
}
