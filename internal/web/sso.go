package web

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/sso"
)

// Single sign-on with OpenID Connect: GET /login/sso/{provider} (or
// /invite/{token}/sso/{provider}) sends the browser to the provider with a
// fresh state, nonce and PKCE challenge, whose secrets wait in a cookie
// that only the callback gets; the callback checks the state, has the
// provider's ID token checked, and signs in (sso_signin.go).

const (
	flowCookie = "foyer_sso"
	flowPath   = "/login/sso/"
	// flowLife bounds the time from the button to the callback.
	flowLife = 10 * time.Minute
)

// ssoButton is a provider's link on a page.
type ssoButton struct{ Name, URL string }

// ssoButtons returns a link per provider, at prefix + the provider's ID.
func (s *Server) ssoButtons(prefix string) []ssoButton {
	var out []ssoButton
	for _, p := range s.cfg.SSO {
		out = append(out, ssoButton{Name: p.Name(), URL: prefix + url.PathEscape(p.ID())})
	}
	return out
}

// provider returns the configured provider with the ID, or nil.
func (s *Server) provider(id string) *sso.Provider {
	for _, p := range s.cfg.SSO {
		if p.ID() == id {
			return p
		}
	}
	return nil
}

// redirectURL is where the provider sends the browser back: the address to
// register with it.
func (s *Server) redirectURL(r *http.Request, p *sso.Provider) string {
	return RedirectURL(s.baseURL(r), p)
}

// RedirectURL is the address under base where p sends the browser back.
func RedirectURL(base string, p *sso.Provider) string {
	return base + flowPath + url.PathEscape(p.ID()) + "/callback"
}

// ssoFlow is what the flow cookie holds.
type ssoFlow struct {
	Provider string `json:"p"`
	Invite   string `json:"i,omitempty"` // the invitation's token, when accepting one
	sso.Flow
}

func (s *Server) ssoStart(w http.ResponseWriter, r *http.Request) { s.startFlow(w, r, "") }

// ssoInviteStart starts a sign-on that accepts an invitation.
func (s *Server) ssoInviteStart(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.linkOf(w, r, foyer.LinkInvite); !ok {
		return
	}
	s.startFlow(w, r, r.PathValue("token"))
}

// startFlow sends the browser to the provider, with the flow's secrets in
// a cookie. It is a GET, so that no form-action policy stands in the way.
func (s *Server) startFlow(w http.ResponseWriter, r *http.Request, invite string) {
	p := s.provider(r.PathValue("provider"))
	if p == nil {
		s.gone(w, "There is no such way to sign in.")
		return
	}
	f := ssoFlow{Provider: p.ID(), Invite: invite, Flow: sso.NewFlow()}
	to, err := p.AuthURL(r.Context(), s.redirectURL(r, p), f.Flow)
	if err != nil {
		s.ssoFailed(w, r, p, &f, err)
		return
	}
	v, _ := json.Marshal(f)
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: base64.RawURLEncoding.EncodeToString(v), Path: flowPath,
		MaxAge: int(flowLife.Seconds()), Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// flowOf reads the flow cookie, and tells the browser to forget it: a
// flow is good for one callback.
func flowOf(w http.ResponseWriter, r *http.Request) *ssoFlow {
	http.SetCookie(w, &http.Cookie{Name: flowCookie, Value: "", Path: flowPath, MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	c, err := r.Cookie(flowCookie)
	if err != nil {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	var f ssoFlow
	if err != nil || json.Unmarshal(b, &f) != nil || f.State == "" || f.Nonce == "" || f.Verifier == "" {
		return nil
	}
	return &f
}

// oauthError matches the error codes of OAuth 2.0, which are safe to log;
// anything else in the parameter is not logged.
var oauthError = regexp.MustCompile(`^[a-z_]{1,40}$`)

// ssoCallback takes the browser back from the provider.
func (s *Server) ssoCallback(w http.ResponseWriter, r *http.Request) {
	p := s.provider(r.PathValue("provider"))
	if p == nil {
		s.gone(w, "There is no such way to sign in.")
		return
	}
	f := flowOf(w, r)
	q := r.URL.Query()
	if f == nil || f.Provider != p.ID() || subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		s.cfg.Log.Warn("sso: a callback without this browser's flow or with another state", "provider", p.ID())
		s.ssoError(w, r, nil, http.StatusBadRequest, "This sign-in could not be matched to your browser: it took too long, "+
			"or it was started in another window. Start again.")
		return
	}
	if e := q.Get("error"); e != "" {
		if !oauthError.MatchString(e) {
			e = "(not an OAuth error code)"
		}
		s.cfg.Log.Info("sso: the provider did not sign the user in", "provider", p.ID(), "error", e)
		s.ssoError(w, r, f, http.StatusUnauthorized, p.Name()+" did not sign you in: it was cancelled or refused there.")
		return
	}
	id, err := p.Exchange(r.Context(), s.redirectURL(r, p), q.Get("code"), f.Flow)
	if err != nil {
		s.ssoFailed(w, r, p, f, err)
		return
	}
	if f.Invite != "" {
		s.ssoAcceptInvite(w, r, p, f, id)
		return
	}
	s.ssoSignIn(w, r, p, id)
}

// ssoFailed answers a provider that could not be reached, or a sign-in
// that was refused. The error holds no token, code or address.
func (s *Server) ssoFailed(w http.ResponseWriter, r *http.Request, p *sso.Provider, f *ssoFlow, err error) {
	if foyer.ErrorCode(err) == foyer.EUNAVAILABLE {
		s.cfg.Log.Error("sso: provider unavailable", "provider", p.ID(), "err", err)
		s.ssoError(w, r, f, http.StatusBadGateway, p.Name()+" could not be reached. Try again in a moment.")
		return
	}
	s.cfg.Log.Warn("sso: sign-in refused", "provider", p.ID(), "err", err)
	s.ssoError(w, r, f, http.StatusUnauthorized, "The sign-in with "+p.Name()+" could not be verified. Start again; "+
		"if it happens again, tell your administrator.")
}

// ssoError shows a failed sign-on on the page it began from: the
// invitation's, when it accepts one that still stands, or the login page.
func (s *Server) ssoError(w http.ResponseWriter, r *http.Request, f *ssoFlow, status int, msg string) {
	if f != nil && f.Invite != "" {
		if d, ok := s.inviteOf(w, r, f.Invite); ok {
			d.Error = msg
			s.render(w, status, "invite", d)
		}
		return
	}
	s.render(w, status, "login", s.newLoginView(msg))
}
