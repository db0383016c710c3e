package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// Sign-in policy.
const (
	sessionCookie = "foyer_session"
	sessionLife   = 14 * 24 * time.Hour
	lockAfter     = 10               // failed sign-ins in a row
	lockFor       = 15 * time.Minute // then
	maxDelay      = 3 * time.Second  // the answer to a failure waits up to this long
)

// failureDelay is how long the answer to the n-th failure in a row waits:
// 250 ms, doubling, up to maxDelay.
func failureDelay(n int) time.Duration {
	d := 250 * time.Millisecond
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	return min(d, maxDelay)
}

// loginView is what the login page shows.
type loginView struct {
	layout
	Email   string
	Next    string // where a sign-in goes on to: a local path, or "" for the app
	NoUsers bool   // nobody can sign in yet
	SSO     []ssoButton
}

// newLoginView is the login page saying errMsg (or nothing), with a
// button for each single sign-on provider, as every answer on it has.
func (s *Server) newLoginView(errMsg string) loginView {
	return loginView{layout: layout{Title: "Sign in", Error: errMsg}, SSO: s.ssoButtons("/login/sso/")}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if u, sess, _ := s.currentUser(r); u != nil && sess.SecondFactor {
		http.Redirect(w, r, cmp.Or(next, "/app"), http.StatusSeeOther)
		return
	}
	d := s.newLoginView("")
	d.Next, d.Notice = next, noticeOf(r)
	has, err := s.cfg.Store.HasUsers(r.Context())
	if err != nil {
		s.serverError(w, "login", err)
		return
	}
	d.NoUsers = !has
	s.render(w, http.StatusOK, "login", d)
}

// errWrongLogin is the one answer to an unknown email or a wrong password,
// so that the form does not tell which addresses have accounts.
const errWrongLogin = "The email or the password is wrong."

// login checks an address and its password through the one gate
// (checkSecret, checkNobody). A user with a second factor gets half a
// session, and the count of failures stays until the code is given.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, http.StatusBadRequest, "login", s.newLoginView("The form could not be read."))
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	d := s.newLoginView("")
	d.Email, d.Next = email, localPath(r.PostForm.Get("next"))
	ctx := r.Context()
	u, err := s.cfg.Store.UserByEmail(ctx, email)
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		v := s.checkNobody(ctx, email, password)
		s.auditNobody(r, email)
		d.Error = v.msg
		s.render(w, v.status, "login", d)
		return
	case err != nil:
		s.serverError(w, "login", err) // the store's error names no address
		return
	}
	v, err := s.checkSecret(ctx, u, func() string {
		if u.PasswordHash != "" && auth.VerifyPassword(password, u.PasswordHash) == nil {
			return ""
		}
		return errWrongLogin
	})
	if err != nil {
		s.serverErrorOf(w, "login", u, err)
		return
	}
	if !v.ok {
		s.auditUser(r, u, foyer.AuditSignInFailed, failedDetail("password", v))
		d.Error = v.msg
		s.render(w, v.status, "login", d)
		return
	}
	if u.TOTPSecret == "" { // else the count stays until the second factor
		if err := s.cfg.Store.LoginSucceeded(ctx, u.ID); err != nil {
			s.serverErrorOf(w, "login", u, err)
			return
		}
		s.auditUser(r, u, foyer.AuditSignIn, "password")
	}
	if err := s.startSession(w, r, u, false); err != nil {
		s.serverErrorOf(w, "login", u, err)
		return
	}
	http.Redirect(w, r, afterSignIn(u, cmp.Or(d.Next, "/app")), http.StatusSeeOther)
}

// localPath returns p when it is a path on this server to go on to after
// signing in, and "" otherwise: never another host's address.
func localPath(p string) string {
	if len(p) > 512 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return p
}

// afterSignIn is where a new session goes: the second factor first, for a
// user who has one.
func afterSignIn(u *foyer.User, next string) string {
	if u.TOTPSecret != "" {
		if next != "/app" && next != "" {
			return "/login/2fa?next=" + url.QueryEscape(next)
		}
		return "/login/2fa"
	}
	return next
}

// startSession signs u in: a new session and its cookie. A user with
// two-factor authentication has only half a session until they give it,
// unless the identity provider of a single sign-on did multi-factor
// authentication (mfaAtIdP).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *foyer.User, mfaAtIdP bool) error {
	token, hash := auth.NewToken()
	now := time.Now()
	if err := s.cfg.Store.CreateSession(r.Context(), hash, foyer.AuthSession{UserID: u.ID, CreatedAt: now,
		ExpiresAt: now.Add(sessionLife), SecondFactor: u.TOTPSecret == "" || mfaAtIdP, MultiFactorAtIdP: mfaAtIdP,
		Device: deviceLabel(r.UserAgent())}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", Expires: now.Add(sessionLife),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// clearSession tells the browser to forget the session cookie.
func clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// dummyHash is verified against when the email is unknown, so that the
// answer takes as long.
var dummyHash = func() string {
	h, err := auth.HashPassword("no account has this password", auth.DefaultParams)
	if err != nil {
		panic(err)
	}
	return h
}()

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if h := sessionHash(r); h != nil {
		if err := s.cfg.Store.RevokeSession(r.Context(), h); err != nil {
			s.serverError(w, "logout", err)
			return
		}
	}
	clearSession(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// appView is what the app's home page shows: the user's workspaces.
type appView struct {
	layout
	Workspaces []foyer.Membership
}

func (s *Server) appHome(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	ms, err := s.memberships(r, u)
	if err != nil {
		s.serverError(w, "app", err)
		return
	}
	s.render(w, http.StatusOK, "app", appView{layout: layout{Title: "Workspaces", User: u, Notice: noticeOf(r), AskZone: askZone(r, u)}, Workspaces: ms})
}

// hashNewPassword returns the hash of a password a user chose, or what is
// wrong with it, for the form.
func hashNewPassword(password string) (hash, problem string) {
	hash, err := auth.HashPassword(password, auth.DefaultParams)
	if err != nil {
		return "", fmt.Sprintf("Choose a password of %d characters or more.", auth.MinPassword)
	}
	return hash, ""
}
