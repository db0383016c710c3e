package web

import (
	"net/http"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// accountView is what the account page shows.
type accountView struct {
	layout
	Sessions    []sessionRow
	Identities  []identityRow // the user's linked accounts at single sign-on providers
	HasPassword bool          // the user signs in with a password, not only with single sign-on
	SSO         []ssoButton   // the providers one may link an account at
	// Zones are the time zones the form offers, ZoneSelected the user's,
	// else a guess from the browser's languages.
	Zones        []string
	ZoneSelected string
	// Alerts are the user's subscriptions to saved feeds; MailOff says no
	// relay is configured to send them.
	Alerts  []alertRow
	MailOff bool
}

// sessionRow is one of the user's sessions, as the account page lists it.
type sessionRow struct {
	foyer.AuthSession
	Current bool // the session of this request
}

// accountPage shows the user's email, two-factor status, a password form,
// the user's linked single sign-on accounts and live sessions.
func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	s.renderAccount(w, r, u, http.StatusOK, "", noticeOf(r))
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, u *foyer.User, status int, errMsg, notice string) {
	list, err := s.cfg.Store.Sessions(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, "account", err)
		return
	}
	ids, err := s.identityRows(r.Context(), u)
	if err != nil {
		s.serverError(w, "account", err)
		return
	}
	d := accountView{layout: layout{Title: "Your account", User: u, Error: errMsg, Notice: notice},
		Identities: ids, HasPassword: u.PasswordHash != "", SSO: s.ssoButtons("/login/sso/"), ZoneSelected: u.TimeZone}
	if d.ZoneSelected == "" {
		d.ZoneSelected = guessZone(r.Header.Get("Accept-Language"))
	}
	d.Zones = zoneChoices(d.ZoneSelected)
	if d.Alerts, err = s.userAlerts(r, u); err != nil {
		s.serverError(w, "account", err)
		return
	}
	d.MailOff = s.cfg.Mail == nil
	cur := sessionOfRequest(r)
	for _, a := range list {
		d.Sessions = append(d.Sessions, sessionRow{AuthSession: a, Current: cur != nil && a.ID == cur.ID})
	}
	s.render(w, status, "account", d)
}

// changePassword sets a new password when the current one is right, and
// signs out every other session of the user. A wrong current password
// counts as a failed sign-in, toward the account's lock-out and the
// address's limit.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	ctx := r.Context()
	if !s.allowSignIn(w, r) {
		s.renderAccount(w, r, u, http.StatusTooManyRequests, errTooManyAttempts, "")
		return
	}
	if u.PasswordHash == "" {
		s.renderAccount(w, r, u, http.StatusBadRequest, "You sign in with single sign-on: there is no password to change here.", "")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	r.ParseForm()
	f := r.PostForm
	v, err := s.checkSecret(ctx, u, func() string {
		if auth.VerifyPassword(f.Get("current"), u.PasswordHash) == nil {
			return ""
		}
		return "Your current password is wrong."
	})
	if err != nil {
		s.serverErrorOf(w, "change password", u, err)
		return
	}
	if !v.ok {
		s.renderAccount(w, r, u, v.status, v.msg, "")
		return
	}
	if f.Get("password") != f.Get("confirm") {
		s.renderAccount(w, r, u, http.StatusBadRequest, "The two new passwords differ: type the same one twice.", "")
		return
	}
	hash, problem := hashNewPassword(f.Get("password"))
	if problem != "" {
		s.renderAccount(w, r, u, http.StatusBadRequest, problem, "")
		return
	}
	if err := s.cfg.Store.ChangePassword(ctx, u.ID, hash, sessionHash(r)); err != nil {
		s.serverError(w, "change password", err)
		return
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, u.ID); err != nil {
		s.serverError(w, "change password", err)
		return
	}
	s.auditUser(r, u, foyer.AuditPasswordChanged, "")
	done(w, r, "/account", "password")
}

// sessionHash is the token hash of the request's session cookie.
func sessionHash(r *http.Request) []byte {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return auth.TokenHash(c.Value)
}

// revokeSession signs out one of the user's sessions; another user's, or
// one that ended, is not found. Revoking this session signs out here.
func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	id := r.PathValue("session")
	err := s.cfg.Store.RevokeUserSession(r.Context(), u.ID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.notFound(w, u)
		return
	}
	if err != nil {
		s.serverError(w, "revoke session", err)
		return
	}
	if cur := sessionOfRequest(r); cur != nil && cur.ID == id {
		clearSession(w)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	done(w, r, "/account", "session")
}

// signOutOthers ends every session of the user but this one.
func (s *Server) signOutOthers(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	if err := s.cfg.Store.RevokeOtherSessions(r.Context(), u.ID, sessionHash(r)); err != nil {
		s.serverError(w, "sign out others", err)
		return
	}
	done(w, r, "/account", "others")
}
