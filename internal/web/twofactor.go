package web

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// twoFactorView is what the page that asks for the second factor shows.
type twoFactorView struct {
	layout
	Email string
	Next  string // where the sign-in goes on to: a local path, or ""
}

// enrolView is what the page that sets up two-factor authentication shows.
type enrolView struct {
	layout
	Secret, URI   string
	QR            template.HTML
	RecoveryCodes []string
	Enabled       bool
	Forced        bool // a workspace of the user requires it
	Renewed       bool // RecoveryCodes replace the old ones; 2FA was on before
}

// secondFactor asks a half-signed-in session for its code (GET) and checks
// it, or a recovery code (POST), through the one gate: wrong codes count
// as failed sign-ins, and a code works once. Only a right one clears the
// count of failures, which the password step left.
func (s *Server) secondFactor(w http.ResponseWriter, r *http.Request) {
	u, sess, err := s.currentUser(r)
	if err != nil {
		s.serverError(w, "2fa", err)
		return
	}
	if u == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	next := cmp.Or(localPath(r.FormValue("next")), "/app")
	if sess.SecondFactor {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	d := twoFactorView{layout: layout{Title: "Two-factor authentication"}, Email: u.Email, Next: localPath(r.FormValue("next"))}
	if r.Method == http.MethodGet {
		s.render(w, http.StatusOK, "twofactor", d)
		return
	}
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	r.ParseForm()
	v, err := s.checkSecret(ctx, u, s.spendCode(ctx, u, r.PostForm.Get("code")))
	if err != nil {
		s.serverErrorOf(w, "2fa", u, err)
		return
	}
	if !v.ok {
		s.auditUser(r, u, foyer.AuditSignInFailed, failedDetail("code", v))
		d.Error = v.msg
		s.render(w, v.status, "twofactor", d)
		return
	}
	if err := s.cfg.Store.ConfirmSecondFactor(ctx, sessionHash(r)); err != nil {
		s.serverErrorOf(w, "2fa", u, err)
		return
	}
	if err := s.cfg.Store.LoginSucceeded(ctx, u.ID); err != nil {
		s.serverErrorOf(w, "2fa", u, err)
		return
	}
	s.auditUser(r, u, foyer.AuditSignIn, "password and code")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// spendCode returns the check, for checkSecret, of a code of u's
// authenticator app or one of u's recovery codes: each works once.
func (s *Server) spendCode(ctx context.Context, u *foyer.User, code string) func() (wrong string) {
	return func() string {
		code := strings.TrimSpace(code)
		if step, ok := auth.MatchTOTP(u.TOTPSecret, code, s.now()); ok {
			if s.cfg.Store.UseTOTPStep(ctx, u.ID, step) == nil {
				return ""
			}
			return "That code was used already. Wait for the next one, or use a recovery code."
		}
		if len(code) > 6 && s.cfg.Store.UseRecoveryCode(ctx, u.ID, auth.RecoveryHash(code)) == nil {
			return ""
		}
		return "That code is wrong. Use the current code of your authenticator app, or one of your recovery codes."
	}
}

// enrolPage sets up two-factor authentication: a new secret to scan or
// type (GET), then the first code (POST), which turns it on and shows the
// recovery codes once.
func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	d, ok := s.newEnrolView(w, r, u)
	if !ok {
		return
	}
	if d.Enabled {
		s.render(w, http.StatusOK, "enrol", d)
		return
	}
	var err error
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		r.ParseForm()
		secret := r.PostForm.Get("secret")
		if step, ok := auth.MatchTOTP(secret, r.PostForm.Get("code"), s.now()); secret != "" && ok {
			codes, hashes := auth.NewRecoveryCodes(10)
			// The code that turned it on does not also sign in: its step is the last used.
			if err := s.cfg.Store.SetTOTP(r.Context(), u.ID, secret, step, hashes); err != nil {
				s.serverError(w, "2fa", err)
				return
			}
			s.auditUser(r, u, foyer.AuditTwoFactorOn, "")
			d.Enabled, d.RecoveryCodes = true, codes
			s.render(w, http.StatusOK, "enrol", d)
			return
		}
		d.Error = "That code does not match: check the time of your device, and type the current code."
		d.Secret = secret
	}
	if d.Secret == "" {
		if d.Secret, err = auth.NewTOTPSecret(); err != nil {
			s.serverError(w, "2fa", err)
			return
		}
	}
	d.URI = auth.TOTPURI(u.Email, d.Secret)
	if d.QR, err = qrSVG(d.URI); err != nil {
		s.serverError(w, "2fa", err)
		return
	}
	status := http.StatusOK
	if d.Error != "" {
		status = http.StatusBadRequest
	}
	s.render(w, status, "enrol", d)
}

// newEnrolView is the two-factor page of u: whether it is on, and whether
// a workspace requires it; ok is false when it wrote an error.
func (s *Server) newEnrolView(w http.ResponseWriter, r *http.Request, u *foyer.User) (enrolView, bool) {
	d := enrolView{layout: layout{Title: "Two-factor authentication", User: u}, Enabled: u.TOTPSecret != ""}
	forced, err := s.requires2FA(r, u)
	if err != nil {
		s.serverErrorOf(w, "2fa", u, err)
		return d, false
	}
	d.Forced = forced
	return d, true
}

// errRequired is why a user may not turn two-factor authentication off.
const errRequired = "A workspace you are in requires two-factor authentication, so it stays on while you are a member."

// checkOwnCode checks the code of the form, of the user's authenticator
// app or a recovery code, through the client's sign-in limit and the one
// gate: a wrong code counts toward the account's lock. When it is not
// right, it renders the page with the reason and reports false.
func (s *Server) checkOwnCode(w http.ResponseWriter, r *http.Request, u *foyer.User, d enrolView) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	r.ParseForm()
	if !s.allowSignIn(w, r) {
		d.Error = errTooManyAttempts
		s.render(w, http.StatusTooManyRequests, "enrol", d)
		return false
	}
	v, err := s.checkSecret(r.Context(), u, s.spendCode(r.Context(), u, r.PostForm.Get("code")))
	if err != nil {
		s.serverErrorOf(w, "2fa", u, err)
		return false
	}
	if !v.ok {
		d.Error = v.msg
		s.render(w, v.status, "enrol", d)
	}
	return v.ok
}

// turnOff2FA turns the user's two-factor authentication off, with a
// current code or a recovery code, unless a workspace of the user requires
// it (403); then the account page says so.
func (s *Server) turnOff2FA(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	if u.TOTPSecret == "" {
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
		return
	}
	d, ok := s.newEnrolView(w, r, u)
	if !ok {
		return
	}
	if d.Forced {
		d.Error = errRequired
		s.render(w, http.StatusForbidden, "enrol", d)
		return
	}
	if !s.checkOwnCode(w, r, u, d) {
		return
	}
	err := s.cfg.Store.ClearTOTP(r.Context(), u.ID)
	if foyer.ErrorCode(err) == foyer.EFORBIDDEN { // required since the check above
		d.Error = errRequired
		s.render(w, http.StatusForbidden, "enrol", d)
		return
	}
	if err != nil {
		s.serverErrorOf(w, "2fa off", u, err)
		return
	}
	s.auditUser(r, u, foyer.AuditTwoFactorOff, "")
	done(w, r, "/account", "2fa-off")
}

// renewRecoveryCodes replaces the user's recovery codes, with a current
// code or a recovery code, and shows the new ones once: the old ones stop
// working.
func (s *Server) renewRecoveryCodes(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	if u.TOTPSecret == "" {
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
		return
	}
	d, ok := s.newEnrolView(w, r, u)
	if !ok || !s.checkOwnCode(w, r, u, d) {
		return
	}
	codes, hashes := auth.NewRecoveryCodes(10)
	err := s.cfg.Store.ReplaceRecoveryCodes(r.Context(), u.ID, hashes)
	if foyer.ErrorCode(err) == foyer.ECONFLICT { // turned off since
		http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
		return
	}
	if err != nil {
		s.serverErrorOf(w, "recovery codes", u, err)
		return
	}
	s.auditUser(r, u, foyer.AuditRecoveryCodes, "")
	d.RecoveryCodes, d.Renewed = codes, true
	s.render(w, http.StatusOK, "enrol", d)
}

// require2FA turns the workspace's requirement of two-factor
// authentication on or off: owners only.
func (s *Server) require2FA(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleOwner)
	if !ok {
		return
	}
	r.ParseForm()
	on := r.PostForm.Get("require") == "on"
	if err := s.cfg.Store.SetRequire2FA(r.Context(), m.WorkspaceID, on); err != nil {
		s.serverError(w, "require 2fa", err)
		return
	}
	s.audit(r, u, m.WorkspaceID, foyer.AuditRequire2FA, "workspace", idOf(m.WorkspaceID), fmt.Sprintf("required: %v", on))
	notice := "2fa-not-required"
	if on {
		notice = "2fa-required"
	}
	done(w, r, fmt.Sprintf("/app/w/%d/members", m.WorkspaceID), notice)
}

// signOutEverywhere ends every session of the user, this one too.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	if err := s.cfg.Store.RevokeUserSessions(r.Context(), u.ID); err != nil {
		s.serverError(w, "sign out everywhere", err)
		return
	}
	clearSession(w)
	done(w, r, "/login", "signed-out")
}
