package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
)

// The tests of the review that drove issue 12: the sign-in paths, one-time
// links and second factors.

var same = []string{"Sec-Fetch-Site", "same-origin"}

// lockAccount fails the user's sign-in until the account is locked.
func (w *webTest) lockAccount(email string) {
	w.t.Helper()
	u := w.mustUser(email)
	for range lockAfter {
		if _, _, err := w.st.LoginFailed(context.Background(), u.ID, lockAfter, lockFor); err != nil {
			w.t.Fatal(err)
		}
	}
	if !w.mustUser(email).LockedUntil.After(time.Now()) {
		w.t.Fatal("not locked")
	}
}

// TestInvitationIsNoPasswordOracle: an owner who invites the address of
// another workspace's user learns neither whether it has an account nor
// anything of its password, and a locked account joins nothing.
func TestInvitationIsNoPasswordOracle(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	bob := w.user("bob@example.com", "bobs own password", "Initech", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	olga := w.signIn("olga@example.com")
	invite := func(email string) string {
		return linkIn(t, body(w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {email}, "role": {"viewer"}}, olga, same...)))
	}
	toBob, toNew := invite("bob@example.com"), invite("carol@example.com")

	// The pages differ only in the address and the link.
	page := func(link, email string) string {
		b := body(w.do("GET", link, nil, ""))
		return strings.NewReplacer(link, "LINK", email, "EMAIL").Replace(b)
	}
	if a, b := page(toBob, "bob@example.com"), page(toNew, "carol@example.com"); a != b {
		t.Errorf("the invitation page tells an account from none:\n%s\n----\n%s", a, b)
	}

	// A password posted to the invitation is never checked against bob's.
	for _, pw := range []string{"wrong password!", "bobs own password"} {
		resp := w.do("POST", toBob, url.Values{"password": {pw}}, "", same...)
		if resp.StatusCode == http.StatusSeeOther || sessionOf(resp) != nil {
			t.Errorf("posting %q to bob's invitation: %d, a session %v", pw, resp.StatusCode, sessionOf(resp) != nil)
		}
	}
	if got := w.mustUser("bob@example.com"); got.PasswordHash != bob.PasswordHash {
		t.Error("the invitation changed bob's password")
	}

	// Signing in on its behalf goes through /login's gate: it counts.
	w.do("POST", "/login", url.Values{"email": {"bob@example.com"}, "password": {"a guess"}, "next": {toBob}}, "", same...)
	if n := w.mustUser("bob@example.com").FailedLogins; n != 1 {
		t.Errorf("a wrong password for an invitation counted %d failures, want 1", n)
	}

	// A locked account joins nothing, with the right password or not.
	w.lockAccount("bob@example.com")
	for _, f := range []url.Values{{"password": {"bobs own password"}}, {"password": {"bobs own password"}, "join": {"1"}}} {
		w.do("POST", toBob, f, "", same...)
	}
	resp := w.do("POST", "/login", url.Values{"email": {"bob@example.com"}, "password": {"bobs own password"}, "next": {toBob}}, "", same...)
	if resp.StatusCode != http.StatusTooManyRequests || sessionOf(resp) != nil {
		t.Errorf("a locked account signs in to join: %d", resp.StatusCode)
	}
	if r, err := w.st.Role(context.Background(), ws, bob.ID); err == nil {
		t.Errorf("locked bob joined Acme as %s", r)
	}
}

// TestResetLinksOnlyForOwnMembers: an owner makes reset links only for
// members who belong to no other workspace; the others reset their own
// password, by mail.
func TestResetLinksOnlyForOwnMembers(t *testing.T) {
	w := newWebTest(t)
	mail := &fakeMailer{}
	w.srv.cfg.Mail = mail
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	nia := w.user("nia@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	bob := w.user("bob@example.com", "bobs own password", "Initech", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	if err := w.st.SetMembership(context.Background(), foyer.Membership{WorkspaceID: ws, UserID: bob.ID, Role: foyer.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	olga := w.signIn("olga@example.com")

	resp := w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, bob.ID), nil, olga, same...)
	if b := body(resp); resp.StatusCode != http.StatusForbidden || linkRE.MatchString(b) || !strings.Contains(b, "only they can") {
		t.Errorf("a reset link for a member of another workspace: %d\n%s", resp.StatusCode, b)
	}
	if n := w.resetLinks(bob.ID); n != 0 {
		t.Errorf("%d reset links for bob", n)
	}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d/members", ws), nil, olga)); !strings.Contains(b, "they reset their own password") {
		t.Error("the members page offers a reset link for bob")
	}
	resp = w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, nia.ID), nil, olga, same...)
	if b := body(resp); resp.StatusCode != http.StatusOK || !linkRE.MatchString(b) {
		t.Errorf("a reset link for a member of this workspace only: %d", resp.StatusCode)
	}

	// Forgot your password? The same answer for an account and for none;
	// only the account gets a mail, whose link works.
	forgot := func(email string) string {
		resp := w.do("POST", "/login/forgot", url.Values{"email": {email}}, "", same...)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("forgot %s: %d", email, resp.StatusCode)
		}
		return strings.ReplaceAll(body(resp), email, "EMAIL")
	}
	if a, b := forgot("bob@example.com"), forgot("nobody@example.com"); a != b {
		t.Errorf("the forgot page tells an account from none:\n%s\n----\n%s", a, b)
	}
	msgs := mail.wait(t, 2) // nia's from olga, and bob's own
	var toBob []fakeMail
	for _, m := range msgs {
		if m.to != "nia@example.com" {
			toBob = append(toBob, m)
		}
	}
	if len(msgs) != 2 || len(toBob) != 1 || toBob[0].to != "bob@example.com" {
		t.Fatalf("mails: %+v", msgs)
	}
	reset := linkIn(t, toBob[0].body)
	if resp := w.do("POST", reset, url.Values{"password": {"bobs new password"}}, "", same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob's own reset: %d", resp.StatusCode)
	}
	if w.signInWith("bob@example.com", "bobs new password") == "" {
		t.Error("bob's new password does not sign in")
	}

	// Without a relay, the page says whom to ask.
	w.srv.cfg.Mail = nil
	if b := body(w.do("GET", "/login/forgot", nil, "")); !strings.Contains(b, "cannot send email") {
		t.Errorf("forgot without a relay:\n%s", b)
	}
}

// resetLinks counts the user's reset links, used or not.
func (w *webTest) resetLinks(userID int64) int {
	w.t.Helper()
	var n int
	if err := w.st.DB().QueryRow(`SELECT COUNT(*) FROM auth_links WHERE kind = 'reset' AND user_id = ?`, userID).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// TestWrongCodesLock: the password step leaves the count of failures, so
// wrong codes after right passwords lock the account as wrong passwords do.
func TestWrongCodesLock(t *testing.T) {
	w := newWebTest(t)
	u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.enrol(u)
	for i := range lockAfter {
		half := sessionOf(w.do("POST", "/login", login("olga@example.com", "correct horse battery"), ""))
		if half == nil {
			t.Fatalf("try %d: the password did not sign in halfway", i+1)
		}
		w.do("POST", "/login/2fa", url.Values{"code": {"000000"}}, half.Value, same...)
	}
	if got := w.mustUser("olga@example.com"); !got.LockedUntil.After(time.Now()) {
		t.Fatalf("after %d wrong codes: %d failures, not locked", lockAfter, got.FailedLogins)
	}
	if resp := w.do("POST", "/login", login("olga@example.com", "correct horse battery"), ""); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the right password of a locked account: %d", resp.StatusCode)
	}
}

// enrol turns on two-factor authentication for u and returns the secret.
func (w *webTest) enrol(u *foyer.User) string {
	w.t.Helper()
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.st.SetTOTP(context.Background(), u.ID, secret, 0, nil); err != nil {
		w.t.Fatal(err)
	}
	return secret
}

// TestTOTPCodeWorksOnce: a code that signed in is refused at the next
// sign-in within its time step, and so is the one that turned 2FA on.
func TestTOTPCodeWorksOnce(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	olga := w.signIn("olga@example.com")
	secret := secretRE.FindStringSubmatch(body(w.do("GET", "/account/2fa", nil, olga)))[1]
	first := w.code(secret)
	if resp := w.do("POST", "/account/2fa", url.Values{"secret": {secret}, "code": {first}}, olga, same...); resp.StatusCode != http.StatusOK {
		t.Fatalf("enrol: %d", resp.StatusCode)
	}
	codeAt := func() string {
		c, err := auth.TOTPCode(secret, w.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	secondStep := func(code string) int {
		half := sessionOf(w.do("POST", "/login", login("olga@example.com", "correct horse battery"), "")).Value
		return w.do("POST", "/login/2fa", url.Values{"code": {code}}, half, same...).StatusCode
	}
	if got := secondStep(first); got != http.StatusUnauthorized {
		t.Errorf("the enrolment's code signs in: %d", got)
	}
	w.clock.Add(30 * time.Second)
	c := codeAt()
	if got := secondStep(c); got != http.StatusSeeOther {
		t.Fatalf("a new code: %d", got)
	}
	if got := secondStep(c); got != http.StatusUnauthorized {
		t.Errorf("the same code again: %d", got)
	}
	// An earlier step's code, still within the allowed skew, is refused too.
	w.clock.Add(30 * time.Second)
	prev, _ := auth.TOTPCode(secret, w.clock.Now().Add(-30*time.Second))
	if got := secondStep(prev); got != http.StatusUnauthorized {
		t.Errorf("a code older than the last one used: %d", got)
	}
	if got := secondStep(codeAt()); got != http.StatusSeeOther {
		t.Errorf("the next step's code: %d", got)
	}
}

// TestPasswordChangeSpendsResetLinks: a new password, by any path, ends
// every outstanding reset link of the user.
func TestPasswordChangeSpendsResetLinks(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	nia := w.user("nia@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	ws := w.site("Acme", "acme").WorkspaceID
	olga := w.signIn("olga@example.com")
	newLink := func() string {
		return linkIn(t, body(w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, nia.ID), nil, olga, same...)))
	}
	// One reset link used: the other ends.
	a, b := newLink(), newLink()
	if resp := w.do("POST", a, url.Values{"password": {"the second password"}}, "", same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if resp := w.do("GET", b, nil, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an older reset link after a reset: %d", resp.StatusCode)
	}
	// The password changed on the account page: the link ends.
	c := newLink()
	niaSession := w.signInWith("nia@example.com", "the second password")
	resp := w.do("POST", "/account/password", url.Values{"current": {"the second password"}, "password": {"the third password"},
		"confirm": {"the third password"}}, niaSession, same...)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change password: %d", resp.StatusCode)
	}
	if resp := w.do("POST", c, url.Values{"password": {"the owner's choice"}}, "", same...); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a reset link after a password change: %d", resp.StatusCode)
	}
	if w.signInWith("nia@example.com", "the third password") == "" {
		t.Error("nia's own password does not sign in")
	}
}

// TestUnknownAddressesAnsweredAsKnown: the login form gives an address
// without an account the same answers, texts and delays as a real one,
// lock-out included.
func TestUnknownAddressesAnsweredAsKnown(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	var mu sync.Mutex
	var delays []int
	w.srv.cfg.FailureDelay = func(n int) time.Duration {
		mu.Lock()
		defer mu.Unlock()
		delays = append(delays, n)
		return 0
	}
	errRE := regexp.MustCompile(`<p class="error" role="alert">([^<]*)</p>`)
	tries := func(email string) []string {
		var out []string
		for i := range lockAfter + 2 {
			mu.Lock()
			delays = nil
			mu.Unlock()
			resp := w.do("POST", "/login", login(email, fmt.Sprintf("guess %d", i)), "")
			m := errRE.FindStringSubmatch(body(resp))
			if m == nil {
				t.Fatalf("%s, try %d: no error on the page (%d)", email, i+1, resp.StatusCode)
			}
			mu.Lock()
			out = append(out, fmt.Sprintf("%d %q delays %v", resp.StatusCode, m[1], delays))
			mu.Unlock()
		}
		return out
	}
	known, unknown := tries("olga@example.com"), tries("nobody@example.com")
	clock := regexp.MustCompile(`\d\d:\d\d UTC`) // the two locks may straddle a minute
	for i := range known {
		known[i], unknown[i] = clock.ReplaceAllString(known[i], "HH:MM UTC"), clock.ReplaceAllString(unknown[i], "HH:MM UTC")
	}
	for i := range known {
		if known[i] != unknown[i] {
			t.Errorf("try %d: an account gets %s, no account %s", i+1, known[i], unknown[i])
		}
	}
	if !strings.Contains(strings.Join(known, "\n"), "locked until") {
		t.Errorf("no lock-out in:\n%s", strings.Join(known, "\n"))
	}
}

// TestLinksUsePublicURL: with a public URL, every link and snippet Foyer
// shows or mails uses it, whatever the request's Host; without one, the
// members page says that links follow the Host header.
func TestLinksUsePublicURL(t *testing.T) {
	w := newWebTest(t)
	mail := &fakeMailer{}
	w.srv.cfg.Mail = mail
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	nia := w.user("nia@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	ws := w.site("Acme", "acme").WorkspaceID
	olga := w.signIn("olga@example.com")
	host := []string{"Sec-Fetch-Site", "same-origin", "Host", "evil.example"}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d/members", ws), nil, olga)); !strings.Contains(b, "no public URL is configured") {
		t.Error("without a public URL, the members page does not say where links point")
	}

	w.srv.cfg.PublicURL = "https://foyer.example.com"
	pages := map[string]string{
		"invitation": body(w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {"new@example.com"}, "role": {"viewer"}}, olga, host...)),
		"reset":      body(w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, nia.ID), nil, olga, host...)),
		"snippets":   body(w.do("GET", fmt.Sprintf("/app/w/%d/sites", ws), nil, olga, host...)),
	}
	w.do("POST", "/login/forgot", url.Values{"email": {"nia@example.com"}}, "", host...)
	for _, m := range mail.wait(t, 3) {
		pages["mail to "+m.to] = m.body
	}
	for what, b := range pages {
		if strings.Contains(b, "evil.example") || !strings.Contains(b, "https://foyer.example.com/") {
			t.Errorf("%s does not use the public URL:\n%s", what, b)
		}
	}
	if b := body(w.do("GET", fmt.Sprintf("/app/w/%d/members", ws), nil, olga)); strings.Contains(b, "no public URL is configured") {
		t.Error("with a public URL, the members page says links follow the Host header")
	}
}

// TestSignInErrorsLogNoAddress: a store that fails during a sign-in is
// logged with the user's ID, never the address.
func TestSignInErrorsLogNoAddress(t *testing.T) {
	w := newWebTest(t)
	u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	var logs syncBuffer
	w.srv.cfg.Log = slog.New(slog.NewTextHandler(&logs, nil))
	w.srv.cfg.Store = failingLogins{w.st}
	if resp := w.do("POST", "/login", login("olga@example.com", "a wrong password"), ""); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("a failing store: %d", resp.StatusCode)
	}
	w.st.Close()
	if resp := w.do("POST", "/login", login("olga@example.com", "a wrong password"), ""); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("a closed store: %d", resp.StatusCode)
	}
	out := logs.String()
	if strings.Contains(out, "olga") || !strings.Contains(out, fmt.Sprintf("user=%d", u.ID)) {
		t.Errorf("the log:\n%s", out)
	}
}

// failingLogins is a store whose count of failed sign-ins fails.
type failingLogins struct{ foyer.Store }

func (failingLogins) LoginFailed(context.Context, int64, int, time.Duration) (int, time.Time, error) {
	return 0, time.Time{}, errors.New("database is locked")
}

// fakeMailer records the messages it is given.
type fakeMailer struct {
	mu   sync.Mutex
	msgs []fakeMail
}

type fakeMail struct{ to, subject, body string }

func (f *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fakeMail{to, subject, body})
	return nil
}

// wait returns the messages once there are n, or fails after a while:
// some are sent after the answer.
func (f *fakeMailer) wait(t *testing.T, n int) []fakeMail {
	t.Helper()
	for range 500 {
		f.mu.Lock()
		got := append([]fakeMail(nil), f.msgs...)
		f.mu.Unlock()
		if len(got) >= n {
			time.Sleep(20 * time.Millisecond) // and no more
			f.mu.Lock()
			defer f.mu.Unlock()
			return append([]fakeMail(nil), f.msgs...)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d of %d mails", len(f.msgs), n)
	return nil
}

// TestSSOLeavesFailuresForTheCode: a single sign-on of a user with TOTP,
// without multi-factor authentication at the provider, is only half a
// sign-in: the count of failures stays until the code, so that wrong
// codes after sign-ons lock the account too.
func TestSSOLeavesFailuresForTheCode(t *testing.T) {
	s := newSSOTest(t, store.SQLite)
	ctx := context.Background()
	ana := s.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleAnalyst)
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetTOTP(ctx, ana.ID, secret, 0, nil); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s.do("POST", "/login", login("ana@example.com", "wrong password!"), "")
	}
	s.as("ana-sub", "ana@example.com")
	resp := s.signOn("/login/sso/test")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login/2fa" {
		t.Fatalf("sign-on: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got, _ := s.st.UserByID(ctx, ana.ID); got.FailedLogins != 2 {
		t.Errorf("failures after a sign-on that still needs the code: %d, want 2", got.FailedLogins)
	}
	s.do("POST", "/login/2fa", url.Values{"code": {s.code(secret)}}, sessionOf(resp).Value, same...)
	if got, _ := s.st.UserByID(ctx, ana.ID); got.FailedLogins != 0 {
		t.Errorf("failures after the code: %d, want 0", got.FailedLogins)
	}
}
