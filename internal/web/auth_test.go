package web

import (
	"bytes"
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
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

var fastHash = auth.Params{Memory: 1024, Time: 1, Threads: 1}

type webTest struct {
	t     *testing.T
	st    *store.Store
	dsn   string // the store's database
	srv   *Server
	clock *testutil.Clock // the server's
}

// code moves the server's clock on to the next TOTP step and returns the
// secret's code there: each call gives a code not used before.
func (w *webTest) code(secret string) string {
	w.t.Helper()
	w.clock.Add(30 * time.Second)
	c, err := auth.TOTPCode(secret, w.clock.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func newWebTest(t *testing.T) *webTest { return newWebTestOn(t, store.SQLite) }

// newWebTestOn is newWebTest on a store of dialect d.
func newWebTestOn(t *testing.T, d store.Dialect) *webTest {
	dsn := testutil.NewDSN(t, d)
	st, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize)) // contacts' personal fields are sealed
	if err != nil {
		t.Fatal(err)
	}
	st.UseKeys(keys)
	clock := testutil.NewClock(time.Now())
	srv := NewServer(Config{Store: st, Log: slog.New(slog.NewTextHandler(t.Output(), nil)), FailureDelay: func(int) time.Duration { return 0 },
		SignInLimit: clientip.NewLimiter(0, 0, nil), // no limit: the tests sign in often from one address
		Now:         clock.Now})
	t.Cleanup(srv.Close) // before the store closes
	return &webTest{t: t, st: st, dsn: dsn, srv: srv, clock: clock}
}

// do serves one request; cookie is the session token to send, if any.
func (w *webTest) do(method, path string, form url.Values, cookie string, hdr ...string) *http.Response {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			r.Host = hdr[i+1]
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, r)
	return rec.Result()
}

func body(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func sessionOf(resp *http.Response) *http.Cookie { return cookieOf(resp, sessionCookie) }

func (w *webTest) user(email, password, workspace string, role foyer.Role) *foyer.User {
	w.t.Helper()
	ctx := context.Background()
	h, err := auth.HashPassword(password, fastHash)
	if err != nil {
		w.t.Fatal(err)
	}
	u := &foyer.User{Email: email, PasswordHash: h}
	if err := w.st.CreateUser(ctx, u); err != nil {
		w.t.Fatal(err)
	}
	ws, err := w.st.WorkspaceByName(ctx, workspace)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		ws = &foyer.Workspace{Name: workspace}
		err = w.st.CreateWorkspace(ctx, ws)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.st.SetMembership(ctx, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: role}); err != nil {
		w.t.Fatal(err)
	}
	return u
}

func login(email, password string) url.Values {
	return url.Values{"email": {email}, "password": {password}}
}

func TestSignInAndOut(t *testing.T) {
	w := newWebTest(t)
	const hostile = `<script>alert("x")</script> & Co`
	ana := w.user("ana@example.com", "correct horse battery", hostile, foyer.RoleAnalyst)

	resp := w.do("GET", "/app", nil, "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("GET /app signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp = w.do("GET", "/login", nil, "")
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(body(resp), `name="password"`) || strings.Contains(csp, "unsafe") ||
		!strings.Contains(csp, "default-src 'none'") || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("GET /login: %d, CSP %q", resp.StatusCode, csp)
	}

	for _, f := range []url.Values{login("ana@example.com", "wrong password!"), login("nobody@example.com", "correct horse battery")} {
		resp = w.do("POST", "/login", f, "")
		if b := body(resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "The email or the password is wrong.") || sessionOf(resp) != nil {
			t.Errorf("bad sign-in %v: %d", f, resp.StatusCode)
		}
	}

	resp = w.do("POST", "/login", login("ANA@example.com ", "correct horse battery"), "")
	c := sessionOf(resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app" || c == nil {
		t.Fatalf("sign-in: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || len(c.Value) < 40 {
		t.Errorf("session cookie %+v", c)
	}
	// The database holds the token's hash, not the token.
	var n int
	w.st.DB().QueryRow(`SELECT COUNT(*) FROM auth_sessions WHERE token_hash = ?`, auth.TokenHash(c.Value)).Scan(&n)
	var raw int
	w.st.DB().QueryRow(`SELECT COUNT(*) FROM auth_sessions WHERE token_hash = ?`, []byte(c.Value)).Scan(&raw)
	if n != 1 || raw != 0 {
		t.Errorf("sessions by hash %d, by token %d; want 1 and 0", n, raw)
	}

	resp = w.do("GET", "/app", nil, c.Value)
	b := body(resp)
	if resp.StatusCode != 200 || !strings.Contains(b, "ana@example.com") || !strings.Contains(b, "analyst") {
		t.Fatalf("GET /app: %d\n%s", resp.StatusCode, b)
	}
	if strings.Contains(b, "<script>") || !strings.Contains(b, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co") {
		t.Errorf("the workspace name is not escaped:\n%s", b)
	}

	// A cross-origin form post is refused.
	resp = w.do("POST", "/logout", url.Values{}, c.Value, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin logout: %d, want 403", resp.StatusCode)
	}
	if resp = w.do("GET", "/app", nil, c.Value); resp.StatusCode != 200 {
		t.Errorf("the refused logout ended the session: %d", resp.StatusCode)
	}

	resp = w.do("POST", "/logout", url.Values{}, c.Value, "Sec-Fetch-Site", "same-origin")
	if resp.StatusCode != http.StatusSeeOther || sessionOf(resp) == nil || sessionOf(resp).MaxAge >= 0 {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp = w.do("GET", "/app", nil, c.Value); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /app after logout: %d, want a redirect to /login", resp.StatusCode)
	}

	// A new password ends every session.
	c2 := sessionOf(w.do("POST", "/login", login("ana@example.com", "correct horse battery"), ""))
	if err := w.st.SetPassword(context.Background(), ana.ID, "$argon2id$changed"); err != nil {
		t.Fatal(err)
	}
	if resp = w.do("GET", "/app", nil, c2.Value); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET /app after a password change: %d, want a redirect", resp.StatusCode)
	}
}

func TestSignInLockout(t *testing.T) {
	w := newWebTest(t)
	w.user("bob@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	var last *http.Response
	for i := 1; i <= lockAfter; i++ {
		last = w.do("POST", "/login", login("bob@example.com", "wrong password!"), "")
		b := body(last)
		if i == lockAfter-3 && !strings.Contains(b, "After 3 more failed attempts the account is locked for 15 minutes.") {
			t.Errorf("failure %d does not warn:\n%s", i, b)
		}
		if i < lockAfter && last.StatusCode != http.StatusUnauthorized {
			t.Errorf("failure %d: %d", i, last.StatusCode)
		}
		if i == lockAfter && (last.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "this account is locked until")) {
			t.Errorf("failure %d: %d\n%s", i, last.StatusCode, b)
		}
	}
	// Locked: even the right password is refused, without a session.
	resp := w.do("POST", "/login", login("bob@example.com", "correct horse battery"), "")
	if resp.StatusCode != http.StatusTooManyRequests || sessionOf(resp) != nil || !bytes.Contains([]byte(body(resp)), []byte("locked until")) {
		t.Errorf("the right password while locked: %d", resp.StatusCode)
	}
}

func TestFailureDelayGrows(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 12; n++ {
		d := failureDelay(n)
		if d < prev || d > maxDelay || d < 250*time.Millisecond {
			t.Errorf("failure %d waits %v after %v", n, d, prev)
		}
		prev = d
	}
	if failureDelay(1) != 250*time.Millisecond || failureDelay(3) != time.Second || failureDelay(10) != maxDelay {
		t.Errorf("delays %v %v %v", failureDelay(1), failureDelay(3), failureDelay(10))
	}
}

func TestSignInThrottledPerAddress(t *testing.T) {
	w := newWebTest(t)
	w.srv.cfg.SignInLimit = clientip.NewLimiter(1.0/60, 3, nil)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	// Three attempts at different accounts from one address, then refused,
	// even with the right password; another address goes on.
	for i, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if resp := w.do("POST", "/login", login(email, "wrong password!"), ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("attempt %d: %d", i+1, resp.StatusCode)
		}
	}
	resp := w.do("POST", "/login", login("ana@example.com", "correct horse battery"), "")
	if b := body(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "Too many sign-in attempts from your network") || sessionOf(resp) != nil {
		t.Errorf("the fourth attempt: %d", resp.StatusCode)
	}
	r := httptest.NewRequest("POST", "/login", strings.NewReader(login("ana@example.com", "correct horse battery").Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "198.51.100.7:4321"
	rec := httptest.NewRecorder()
	w.srv.ServeHTTP(rec, r)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("another address: %d", rec.Code)
	}
}

// Every answer carries the base headers, each once, whatever the page
// (their values are shared between answers).
func TestBaseHeaders(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	for _, path := range []string{"/healthz", "/login", "/no-such-page", "/healthz"} {
		resp := w.do("GET", path, nil, "")
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
			if got := resp.Header.Values(k); len(got) != 1 || got[0] != v {
				t.Errorf("GET %s: %s %q, want %q once", path, k, got, v)
			}
		}
	}
}
