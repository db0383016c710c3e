package web

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages are parsed once: each page is the layout with its own content.
var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"login", "app", "feed", "company", "sites", "members", "invite", "reset", "setup", "notfound", "forbidden",
		"twofactor", "enrol", "overview", "formerror", "account", "settings", "forgot"} {
		m[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html"))
	}
	return m
}()

// pageData is what every page template gets; each page uses its part.
type pageData struct {
	Title      string
	User       *foyer.User
	Error      string
	Email      string
	Next       string // where a sign-in goes on to: a local path, or "" for the app
	Back       string // where a page that only says what went wrong leads back to
	Workspaces []foyer.Membership
	feedData
	companyData
	sitesData
	membersData
	twoFactorData
	overviewData
	ssoData
	setupData
	accountData
	settingsData
}

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

// render writes a page; it is executed in full first, so that a template
// error becomes a 500, not half a page.
func (s *Server) render(w http.ResponseWriter, status int, page string, d pageData) {
	if page == "login" { // every answer on the login page offers single sign-on
		d.SSO = s.ssoButtons("/login/sso/")
	}
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, "layout", d); err != nil {
		s.serverError(w, "render "+page, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if u, sess, _ := s.currentUser(r); u != nil && sess.SecondFactor {
		http.Redirect(w, r, cmp.Or(next, "/app"), http.StatusSeeOther)
		return
	}
	d := pageData{Title: "Sign in", Next: next}
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
		s.render(w, http.StatusBadRequest, "login", pageData{Title: "Sign in", Error: "The form could not be read."})
		return
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	d := pageData{Title: "Sign in", Email: email, Next: localPath(r.PostForm.Get("next"))}
	ctx := r.Context()
	u, err := s.cfg.Store.UserByEmail(ctx, email)
	switch {
	case foyer.ErrorCode(err) == foyer.ENOTFOUND:
		v := s.checkNobody(ctx, email, password)
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
		d.Error = v.msg
		s.render(w, v.status, "login", d)
		return
	}
	if u.TOTPSecret == "" { // else the count stays until the second factor
		if err := s.cfg.Store.LoginSucceeded(ctx, u.ID); err != nil {
			s.serverErrorOf(w, "login", u, err)
			return
		}
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

// currentUser returns the user and session of a request's cookie, or nil.
func (s *Server) currentUser(r *http.Request) (*foyer.User, *foyer.AuthSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	hash := auth.TokenHash(c.Value)
	sess, err := s.cfg.Store.Session(r.Context(), hash)
	if foyer.ErrorCode(err) == foyer.EUNAUTHORIZED {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	s.lastUsed.record("session", s.cfg.Store.TouchSession, hash, sess.LastSeenAt)
	u, err := s.cfg.Store.UserByID(r.Context(), sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	return u, sess, nil
}

type membershipsKey struct{}

type sessionKey struct{}

// sessionOfRequest returns the session of a request that signedIn served,
// or nil.
func sessionOfRequest(r *http.Request) *foyer.AuthSession {
	sess, _ := r.Context().Value(sessionKey{}).(*foyer.AuthSession)
	return sess
}

// membershipCache holds a signed-in request's memberships once read.
type membershipCache struct {
	ms   []foyer.Membership
	err  error
	done bool
}

// memberships returns the user's workspaces and roles, read once per
// request that signedIn served: its checks and the page use the same.
func (s *Server) memberships(r *http.Request, u *foyer.User) ([]foyer.Membership, error) {
	c, ok := r.Context().Value(membershipsKey{}).(*membershipCache)
	if !ok {
		return s.cfg.Store.Memberships(r.Context(), u.ID)
	}
	if !c.done {
		c.ms, c.err = s.cfg.Store.Memberships(r.Context(), u.ID)
		c.done = true
	}
	return c.ms, c.err
}

// signedIn serves a page only to a signed-in user: others go to /login,
// a session that has not given its second factor to /login/2fa, and a
// member of a workspace that requires two-factor authentication who has
// none to /account/2fa to set it up; multi-factor authentication at the
// identity provider of a single sign-on meets the requirement too.
func (s *Server) signedIn(next func(http.ResponseWriter, *http.Request, *foyer.User)) http.HandlerFunc {
	return s.signedInTo(false, next)
}

// enrolling is signedIn for what the two-factor enrolment page offers (the
// enrolment itself, and signing out everywhere): a member a workspace
// makes set up two-factor authentication reaches them before doing so.
func (s *Server) enrolling(next func(http.ResponseWriter, *http.Request, *foyer.User)) http.HandlerFunc {
	return s.signedInTo(true, next)
}

func (s *Server) signedInTo(enrolment bool, next func(http.ResponseWriter, *http.Request, *foyer.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, sess, err := s.currentUser(r)
		if err != nil {
			s.serverError(w, "session", err)
			return
		}
		if u == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		ctx := context.WithValue(r.Context(), membershipsKey{}, &membershipCache{})
		r = r.WithContext(context.WithValue(ctx, sessionKey{}, sess))
		if !sess.SecondFactor {
			http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
			return
		}
		if u.TOTPSecret == "" && !sess.MultiFactorAtIdP && !enrolment {
			ms, err := s.memberships(r, u)
			if err != nil {
				s.serverError(w, "session", err)
				return
			}
			for _, m := range ms {
				if m.Require2FA {
					http.Redirect(w, r, "/account/2fa", http.StatusSeeOther)
					return
				}
			}
		}
		next(w, r, u)
	}
}

func (s *Server) appHome(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	ms, err := s.memberships(r, u)
	if err != nil {
		s.serverError(w, "app", err)
		return
	}
	s.render(w, http.StatusOK, "app", pageData{Title: "Workspaces", User: u, Workspaces: ms})
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

// notFound answers that there is nothing here for u: also what another
// workspace's IDs get, so that they tell nothing.
func (s *Server) notFound(w http.ResponseWriter, u *foyer.User) {
	s.render(w, http.StatusNotFound, "notfound", pageData{Title: "Not found", User: u})
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
