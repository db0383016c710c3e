package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/sso"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/testutil/oidctest"
)

// The test provider's redirect URI: test requests come to example.com.
const ssoCallbackURL = "https://example.com/login/sso/test/callback"

// ssoTest is a web test with one provider, "test" (named "Test ID"),
// served by an oidctest provider, and the server's log kept.
type ssoTest struct {
	*webTest
	idp  *oidctest.Provider
	logs *syncBuffer
}

// newTestIdP starts a test provider that accepts Foyer's test redirect URI.
func newTestIdP(t *testing.T) (*oidctest.Provider, *sso.Provider) {
	t.Helper()
	idp := oidctest.New(t, "foyer-test-client", "test-client-secret")
	idp.AllowRedirect(ssoCallbackURL)
	p, err := sso.New(sso.Config{ID: "test", Name: "Test ID", Issuer: idp.URL, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return idp, p
}

func newSSOTest(t *testing.T, d store.Dialect) *ssoTest {
	t.Helper()
	idp, p := newTestIdP(t)
	st := testutil.NewStore(t, d, store.Options{})
	logs := &syncBuffer{}
	clock := testutil.NewClock(time.Now())
	srv := NewServer(Config{Store: st, Log: slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil)),
		FailureDelay: func(int) time.Duration { return 0 }, SignInLimit: clientip.NewLimiter(0, 0, nil), SSO: []*sso.Provider{p},
		Now: clock.Now})
	s := &ssoTest{webTest: &webTest{t: t, st: st, srv: srv, clock: clock}, idp: idp, logs: logs}
	t.Cleanup(s.checkLogs)
	return s
}

// checkLogs fails the test when the server logged an address, a code or
// a token.
func (s *ssoTest) checkLogs() {
	logs := s.logs.String()
	for _, bad := range []string{"@example.com", "@example.org", "code=", "eyJ", "192.0.2."} {
		if strings.Contains(logs, bad) {
			s.t.Errorf("the log holds %q:\n%s", bad, logs)
		}
	}
}

// get serves a GET of path (and query) with the cookies.
func (s *ssoTest) get(path string, cookies ...*http.Cookie) *http.Response {
	s.t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = "192.0.2.1:1234"
	for _, c := range cookies {
		if c != nil {
			r.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	s.srv.ServeHTTP(rec, r)
	return rec.Result()
}

func cookieOf(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// start begins a sign-on at path; it returns the provider's authorization
// URL and the flow cookie.
func (s *ssoTest) start(path string) (*url.URL, *http.Cookie) {
	s.t.Helper()
	resp := s.get(path)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc.String(), s.idp.URL+"/authorize?") {
		s.t.Fatalf("GET %s: %d to %q\n%s", path, resp.StatusCode, resp.Header.Get("Location"), body(resp))
	}
	c := cookieOf(resp, flowCookie)
	if c == nil {
		s.t.Fatalf("GET %s set no flow cookie", path)
	}
	return loc, c
}

// authorize plays the browser at the provider: it returns the callback's
// path and query on Foyer.
func (s *ssoTest) authorize(u *url.URL) string {
	s.t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u.String())
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, ssoCallbackURL+"?") {
		s.t.Fatalf("the provider answered %d to %q (refusals %q)", resp.StatusCode, back, s.idp.Refusals())
	}
	return strings.TrimPrefix(back, "https://example.com")
}

// signOn runs a whole sign-on from path and returns Foyer's answer to the
// callback.
func (s *ssoTest) signOn(path string) *http.Response {
	s.t.Helper()
	u, c := s.start(path)
	return s.get(s.authorize(u), c)
}

// as makes the provider sign in a verified user with the address.
func (s *ssoTest) as(subject, email string, amr ...string) {
	s.idp.SetUser(oidctest.User{Subject: subject, Email: email, EmailVerified: true, AMR: amr})
}

// identities returns the subjects linked to the user.
func (s *ssoTest) identities(u *foyer.User) []string {
	s.t.Helper()
	ids, err := s.st.Identities(context.Background(), u.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		out = append(out, id.Subject)
	}
	return out
}

// wantRefused checks a callback's answer: the status, the message, and no
// session.
func wantRefused(t *testing.T, what string, resp *http.Response, status int, msg string) {
	t.Helper()
	b := body(resp)
	if resp.StatusCode != status || !strings.Contains(b, msg) || sessionOf(resp) != nil {
		t.Errorf("%s: %d, want %d saying %q; session %v\n%s", what, resp.StatusCode, status, msg, sessionOf(resp), b)
	}
}
