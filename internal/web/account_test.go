package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

const (
	firefoxLinux   = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
	chromeWindows  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	safariIPhone   = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	testClientAddr = "192.0.2.1" // httptest's RemoteAddr
)

// signInAs signs in from a browser that sends the User-Agent ua.
func (w *webTest) signInAs(email, password, ua string) string {
	w.t.Helper()
	var hdr []string
	if ua != "" {
		hdr = []string{"User-Agent", ua}
	}
	token := w.signInWith(email, password, hdr...)
	if token == "" {
		w.t.Fatalf("%s could not sign in", email)
	}
	return token
}

// signInWith posts the login form with the headers hdr (name, value, …)
// and returns the session token it sets, or "".
func (w *webTest) signInWith(email, password string, hdr ...string) string {
	w.t.Helper()
	if c := sessionOf(w.do("POST", "/login", login(email, password), "", hdr...)); c != nil {
		return c.Value
	}
	return ""
}

// sessionID is the public ID of a session token.
func (w *webTest) sessionID(token string) string {
	w.t.Helper()
	a, err := w.st.Session(context.Background(), auth.TokenHash(token))
	if err != nil {
		w.t.Fatal(err)
	}
	return a.ID
}

// signedInNow reports whether a session token still signs in.
func (w *webTest) signedInNow(token string) bool {
	w.t.Helper()
	return w.do("GET", "/app", nil, token).StatusCode == http.StatusOK
}

var revokeFormRE = regexp.MustCompile(`action="/account/sessions/([0-9a-f]{32})/revoke"`)

func TestAccountPage(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testAccountPage(t, d)
		})
	}
}

func testAccountPage(t *testing.T, d store.Dialect) {
	w := newWebTestOn(t, d)
	const pw = "correct horse battery"
	ana := w.user("ana@example.com", pw, "Acme", foyer.RoleOwner)
	w.user("bob@example.com", pw, "Initech", foyer.RoleOwner)
	same := []string{"Sec-Fetch-Site", "same-origin"}
	ctx := context.Background()

	here := w.signInAs("ana@example.com", pw, firefoxLinux)
	phone := w.signInAs("ana@example.com", pw, safariIPhone)
	office := w.signInAs("ana@example.com", pw, chromeWindows)
	bob := w.signInAs("bob@example.com", pw, chromeWindows)

	// The page: email, 2FA status, the password form, every live session
	// with a coarse label, this one marked; never the address.
	resp := w.do("GET", "/account", nil, here)
	b := body(resp)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /account: %d\n%s", resp.StatusCode, b)
	}
	for _, want := range []string{"ana@example.com", `href="/account"`, `href="/account/2fa"`, "Two-factor authentication: <strong>off</strong>",
		`name="current"`, `name="confirm"`, "Firefox on Linux", "Safari on iOS", "Chrome on Windows", `action="/account/sign-out-others"`} {
		if !strings.Contains(b, want) {
			t.Errorf("the account page lacks %q", want)
		}
	}
	if strings.Contains(b, "waiting for the two-factor code") {
		t.Error("a full session is shown as waiting for its second factor")
	}
	if n := strings.Count(b, "this session"); n != 1 {
		t.Errorf("%d sessions marked as this one", n)
	}
	if !strings.Contains(b, `<tr class="current"><td>Firefox on Linux <strong class="this">this session</strong>`) {
		t.Error("this session is not the one marked")
	}
	ids := revokeFormRE.FindAllStringSubmatch(b, -1)
	if len(ids) != 3 {
		t.Errorf("%d revoke forms, want 3", len(ids))
	}
	if strings.Contains(b, testClientAddr) || strings.Contains(b, w.sessionID(bob)) {
		t.Error("the account page shows the address, or bob's session")
	}
	rows, err := w.st.DB().Query(`SELECT public_id, device FROM auth_sessions`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, device string
		rows.Scan(&id, &device)
		if strings.Contains(id+device, testClientAddr) || strings.Contains(device, "Mozilla") {
			t.Errorf("a session row holds the address or the whole User-Agent: %q %q", id, device)
		}
	}
	rows.Close()

	// Another user's session: 404, and it stays; another origin: 403.
	if resp := w.do("POST", "/account/sessions/"+w.sessionID(bob)+"/revoke", url.Values{}, here, same...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking bob's session: %d", resp.StatusCode)
	}
	if resp := w.do("POST", "/account/sessions/"+strings.Repeat("0", 32)+"/revoke", url.Values{}, here, same...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoking an unknown session: %d", resp.StatusCode)
	}
	if !w.signedInNow(bob) {
		t.Fatal("bob was signed out by ana")
	}
	cross := []string{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}
	if resp := w.do("POST", "/account/sessions/"+w.sessionID(phone)+"/revoke", url.Values{}, here, cross...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-origin revoke: %d", resp.StatusCode)
	}
	if !w.signedInNow(phone) {
		t.Fatal("a cross-origin revoke signed the phone out")
	}

	// One's own other session, by ID.
	resp = w.do("POST", "/account/sessions/"+w.sessionID(phone)+"/revoke", url.Values{}, here, same...)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=session" {
		t.Errorf("revoke: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if w.signedInNow(phone) || !w.signedInNow(here) || !w.signedInNow(office) {
		t.Error("revoking the phone's session: wrong sessions ended")
	}
	if b := body(w.do("GET", "/account?done=session", nil, here)); !strings.Contains(b, "That session is signed out.") || strings.Contains(b, "Safari on iOS") {
		t.Error("the page after revoking does not say so, or lists the phone")
	}

	// Changing the password: the current one must be right (a wrong one
	// counts as a failed sign-in), the new one typed twice and long enough.
	change := func(current, next, confirm string) *http.Response {
		return w.do("POST", "/account/password", url.Values{"current": {current}, "password": {next}, "confirm": {confirm}}, here, same...)
	}
	resp = change("wrong password!", "a brand new password", "a brand new password")
	if b := body(resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "Your current password is wrong.") {
		t.Errorf("a wrong current password: %d", resp.StatusCode)
	}
	if u, _ := w.st.UserByID(ctx, ana.ID); u.FailedLogins != 1 {
		t.Errorf("a wrong current password counted %d failures, want 1", u.FailedLogins)
	}
	if resp := change(pw, "a brand new password", "a brand new passwort"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(resp), "differ") {
		t.Errorf("two different new passwords: %d", resp.StatusCode)
	}
	if resp := change(pw, "short", "short"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body(resp), "10 characters or more") {
		t.Errorf("a short new password: %d", resp.StatusCode)
	}
	if u, _ := w.st.UserByID(ctx, ana.ID); auth.VerifyPassword(pw, u.PasswordHash) != nil || !w.signedInNow(office) {
		t.Fatal("a refused change changed the password or ended a session")
	}
	resp = change(pw, "a brand new password", "a brand new password")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=password" {
		t.Fatalf("the change: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
	}
	// Sessions are revoked on password change: all but this one.
	if !w.signedInNow(here) || w.signedInNow(office) || !w.signedInNow(bob) {
		t.Errorf("after the change: here %v, office %v (want false), bob %v", w.signedInNow(here), w.signedInNow(office), w.signedInNow(bob))
	}
	if u, _ := w.st.UserByID(ctx, ana.ID); u.FailedLogins != 0 || auth.VerifyPassword("a brand new password", u.PasswordHash) != nil {
		t.Errorf("after the change: %d failures, or the new password is not stored", u.FailedLogins)
	}
	if w.signInWith("ana@example.com", pw) != "" || w.signInWith("ana@example.com", "a brand new password") == "" {
		t.Error("the old password signs in, or the new one does not")
	}
	if b := body(w.do("GET", "/account?done=password", nil, here)); !strings.Contains(b, "Your password is changed.") {
		t.Error("the page does not say the password changed")
	}

	// Sign out everywhere else: this one stays.
	other := w.signInAs("ana@example.com", "a brand new password", safariIPhone)
	if resp := w.do("POST", "/account/sign-out-others", url.Values{}, here, same...); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign out others: %d", resp.StatusCode)
	}
	if w.signedInNow(other) || !w.signedInNow(here) || !w.signedInNow(bob) {
		t.Error("sign out everywhere else ended the wrong sessions")
	}
	if list, _ := w.st.Sessions(ctx, ana.ID); len(list) != 1 {
		t.Errorf("%d live sessions after signing out elsewhere", len(list))
	}

	// Revoking this session signs out here.
	resp = w.do("POST", "/account/sessions/"+w.sessionID(here)+"/revoke", url.Values{}, here, same...)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" || sessionOf(resp) == nil || sessionOf(resp).MaxAge >= 0 {
		t.Errorf("revoking this session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if w.signedInNow(here) {
		t.Error("this session lives on after its revocation")
	}
}

// TestPasswordChangeLocks: wrong current passwords lock the account like
// failed sign-ins; then even the right one is refused, and sign-in too.
func TestPasswordChangeLocks(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	w.user("cy@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	cy := w.signIn("cy@example.com")
	form := func(current string) url.Values {
		return url.Values{"current": {current}, "password": {"a brand new password"}, "confirm": {"a brand new password"}}
	}
	var last *http.Response
	for i := 1; i <= lockAfter; i++ {
		last = w.do("POST", "/account/password", form("wrong password!"), cy, "Sec-Fetch-Site", "same-origin")
	}
	if b := body(last); last.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "locked until") {
		t.Errorf("failure %d: %d", lockAfter, last.StatusCode)
	}
	if resp := w.do("POST", "/account/password", form("correct horse battery"), cy, "Sec-Fetch-Site", "same-origin"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password while locked: %d", resp.StatusCode)
	}
	if w.signInWith("cy@example.com", "correct horse battery") != "" {
		t.Error("sign-in works while locked")
	}
	if u := w.mustUser("cy@example.com"); auth.VerifyPassword("correct horse battery", u.PasswordHash) != nil {
		t.Error("the password changed while locked")
	}
}

// TestAccountShowsHalfSessions: a session that gave the password but not
// yet the code is listed as such, a warning to the user.
func TestAccountShowsHalfSessions(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	u := w.user("dee@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.st.SetTOTP(context.Background(), u.ID, secret, 0, nil); err != nil {
		t.Fatal(err)
	}
	full := w.signInWith("dee@example.com", "correct horse battery")
	w.do("POST", "/login/2fa", url.Values{"code": {w.code(secret)}}, full, "Sec-Fetch-Site", "same-origin")
	w.signInWith("dee@example.com", "correct horse battery") // half
	b := body(w.do("GET", "/account", nil, full))
	if n := strings.Count(b, "waiting for the two-factor code"); n != 1 || !strings.Contains(b, `Two-factor authentication: <strong class="live">on</strong>`) {
		t.Errorf("%d half sessions shown, or 2FA not shown on:\n%s", n, b)
	}
}
