package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/clientip"
)

// enrolWithCodes turns on two-factor authentication for u with recovery
// codes, and returns the secret and the codes.
func (w *webTest) enrolWithCodes(u *foyer.User) (string, []string) {
	w.t.Helper()
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		w.t.Fatal(err)
	}
	codes, hashes := auth.NewRecoveryCodes(3)
	if err := w.st.SetTOTP(context.Background(), u.ID, secret, 0, hashes); err != nil {
		w.t.Fatal(err)
	}
	return secret, codes
}

// recoveryCodesIn returns the recovery codes a page shows.
func recoveryCodesIn(b string) []string {
	_, area, _ := strings.Cut(b, `class="codes">`)
	area, _, _ = strings.Cut(area, "</textarea>")
	return regexp.MustCompile(`[a-z2-9]{5}-[a-z2-9]{5}`).FindAllString(area, -1)
}

// secondStepWith signs in with the password and gives code as the second
// factor; it returns the status of the second step.
func (w *webTest) secondStepWith(email, code string) int {
	w.t.Helper()
	half := sessionOf(w.do("POST", "/login", login(email, "correct horse battery"), "")).Value
	return w.do("POST", "/login/2fa", url.Values{"code": {code}}, half, same...).StatusCode
}

// TestTurnOff2FA: a current code or a recovery code turns two-factor
// authentication off, once; a wrong code is refused and counts toward the
// lock, a used code is refused, and the account page says it is off.
func TestTurnOff2FA(t *testing.T) {
	for _, by := range []string{"totp", "recovery code"} {
		t.Run(by, func(t *testing.T) {
			w := newWebTest(t)
			u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
			olga := w.signIn("olga@example.com")
			secret, codes := w.enrolWithCodes(u)
			if b := body(w.do("GET", "/account/2fa", nil, olga)); !strings.Contains(b, `action="/account/2fa/off"`) || !strings.Contains(b, `action="/account/2fa/recovery-codes"`) {
				t.Fatalf("the page of an enabled user offers no forms:\n%s", b)
			}

			// A wrong code is refused and counted.
			resp := w.do("POST", "/account/2fa/off", url.Values{"code": {"000000"}}, olga, same...)
			if b := body(resp); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "That code is wrong") {
				t.Errorf("a wrong code: %d\n%s", resp.StatusCode, b)
			}
			if got := w.mustUser("olga@example.com"); got.FailedLogins != 1 || got.TOTPSecret != secret {
				t.Errorf("after a wrong code: %d failures, secret kept %v", got.FailedLogins, got.TOTPSecret == secret)
			}

			code := codes[0]
			if by == "totp" {
				code = w.code(secret)
			}
			resp = w.do("POST", "/account/2fa/off", url.Values{"code": {code}}, olga, same...)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account?done=2fa-off" {
				t.Fatalf("turning off: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body(resp))
			}
			if b := body(w.do("GET", "/account?done=2fa-off", nil, olga)); !strings.Contains(b, "Two-factor authentication is off") ||
				!strings.Contains(b, "Two-factor authentication: <strong>off</strong>") {
				t.Errorf("the account page after turning off:\n%s", b)
			}
			if got := w.mustUser("olga@example.com"); got.TOTPSecret != "" {
				t.Error("the secret is kept")
			}
			// The password alone signs in now; the other codes are gone.
			resp = w.do("POST", "/login", login("olga@example.com", "correct horse battery"), "")
			if resp.Header.Get("Location") != "/app" {
				t.Errorf("signing in after turning off goes to %q", resp.Header.Get("Location"))
			}
			if err := w.st.UseRecoveryCode(context.Background(), u.ID, auth.RecoveryHash(codes[1])); foyer.ErrorCode(err) != foyer.ENOTFOUND {
				t.Errorf("another recovery code after turning off: %v", err)
			}
			// Once off, the form changes nothing and goes to the set-up page.
			if resp := w.do("POST", "/account/2fa/off", url.Values{"code": {code}}, olga, same...); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/2fa" {
				t.Errorf("turning off again: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

// TestTurnOff2FAUsedCode: a code that signed in does not also turn
// two-factor authentication off, nor does a spent recovery code.
func TestTurnOff2FAUsedCode(t *testing.T) {
	w := newWebTest(t)
	u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	secret, codes := w.enrolWithCodes(u)
	c := w.code(secret)
	half := sessionOf(w.do("POST", "/login", login("olga@example.com", "correct horse battery"), "")).Value
	if resp := w.do("POST", "/login/2fa", url.Values{"code": {c}}, half, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	if got := w.secondStepWith("olga@example.com", codes[0]); got != http.StatusSeeOther {
		t.Fatalf("a recovery code: %d", got)
	}
	for _, code := range []string{c, codes[0]} {
		if resp := w.do("POST", "/account/2fa/off", url.Values{"code": {code}}, half, same...); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("turning off with a used code: %d", resp.StatusCode)
		}
	}
	if w.mustUser("olga@example.com").TOTPSecret != secret {
		t.Error("a used code turned it off")
	}
}

// TestTurnOff2FARequired: while a workspace of the user requires it,
// turning off is refused with the reason, before any code is checked.
func TestTurnOff2FARequired(t *testing.T) {
	w := newWebTest(t)
	u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	olga := w.signIn("olga@example.com")
	secret, _ := w.enrolWithCodes(u)
	if err := w.st.SetRequire2FA(context.Background(), ws, true); err != nil {
		t.Fatal(err)
	}
	if b := body(w.do("GET", "/account/2fa", nil, olga)); strings.Contains(b, `action="/account/2fa/off"`) || !strings.Contains(b, "stays on while you are a member") {
		t.Errorf("the page offers to turn off what a workspace requires:\n%s", b)
	}
	resp := w.do("POST", "/account/2fa/off", url.Values{"code": {w.code(secret)}}, olga, same...)
	if b := body(resp); resp.StatusCode != http.StatusForbidden || !strings.Contains(b, "A workspace you are in requires two-factor authentication") {
		t.Errorf("turning off what a workspace requires: %d\n%s", resp.StatusCode, b)
	}
	if got := w.mustUser("olga@example.com"); got.TOTPSecret != secret {
		t.Error("it was turned off")
	}
	// Once the workspace no longer requires it, the same user may.
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/require-2fa", ws), url.Values{}, olga, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("lifting the requirement: %d", resp.StatusCode)
	}
	if resp := w.do("POST", "/account/2fa/off", url.Values{"code": {w.code(secret)}}, olga, same...); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("turning off, no longer required: %d", resp.StatusCode)
	}
}

// TestRenewRecoveryCodes: a current code gives new recovery codes, shown
// once; the old ones, and a wrong code, are refused; a wrong code counts.
func TestRenewRecoveryCodes(t *testing.T) {
	w := newWebTest(t)
	u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	olga := w.signIn("olga@example.com")
	secret, old := w.enrolWithCodes(u)

	resp := w.do("POST", "/account/2fa/recovery-codes", url.Values{"code": {"123456"}}, olga, same...)
	if b := body(resp); resp.StatusCode != http.StatusUnauthorized || len(recoveryCodesIn(b)) != 0 {
		t.Errorf("a wrong code: %d", resp.StatusCode)
	}
	if n := w.mustUser("olga@example.com").FailedLogins; n != 1 {
		t.Errorf("a wrong code counted %d failures, want 1", n)
	}

	resp = w.do("POST", "/account/2fa/recovery-codes", url.Values{"code": {w.code(secret)}}, olga, same...)
	b := body(resp)
	codes := recoveryCodesIn(b)
	if resp.StatusCode != http.StatusOK || len(codes) != 10 || !strings.Contains(b, "the old ones no longer work") {
		t.Fatalf("new codes: %d, %d codes\n%s", resp.StatusCode, len(codes), b)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the new codes may be cached: %q", resp.Header.Get("Cache-Control"))
	}
	if b := body(w.do("GET", "/account/2fa", nil, olga)); strings.Contains(b, codes[0]) {
		t.Error("the new codes are shown again")
	}
	if got := w.secondStepWith("olga@example.com", old[0]); got != http.StatusUnauthorized {
		t.Errorf("an old recovery code signs in: %d", got)
	}
	if got := w.secondStepWith("olga@example.com", codes[0]); got != http.StatusSeeOther {
		t.Errorf("a new recovery code: %d", got)
	}
	// A recovery code renews them too, and is spent; the secret stays.
	resp = w.do("POST", "/account/2fa/recovery-codes", url.Values{"code": {codes[1]}}, olga, same...)
	if again := recoveryCodesIn(body(resp)); resp.StatusCode != http.StatusOK || len(again) != 10 {
		t.Errorf("new codes with a recovery code: %d", resp.StatusCode)
	}
	if got := w.mustUser("olga@example.com"); got.TOTPSecret != secret {
		t.Error("new recovery codes changed the secret")
	}
	if got := w.secondStepWith("olga@example.com", w.code(secret)); got != http.StatusSeeOther {
		t.Errorf("the authenticator after new codes: %d", got)
	}
}

// TestTwoFactorFormsLimited: the forms that check a code go through the
// client's sign-in limit, and a locked account's right code is refused.
func TestTwoFactorFormsLimited(t *testing.T) {
	w := newWebTest(t)
	u := w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	olga := w.signIn("olga@example.com")
	secret, _ := w.enrolWithCodes(u)
	w.srv.cfg.SignInLimit = clientip.NewLimiter(1.0/60, 2, nil)
	for _, path := range []string{"/account/2fa/off", "/account/2fa/recovery-codes"} {
		w.do("POST", path, url.Values{"code": {"000000"}}, olga, same...)
	}
	for _, path := range []string{"/account/2fa/off", "/account/2fa/recovery-codes"} {
		resp := w.do("POST", path, url.Values{"code": {w.code(secret)}}, olga, same...)
		if b := body(resp); resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "Too many sign-in attempts") || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s over the limit: %d", path, resp.StatusCode)
		}
	}
	w.srv.cfg.SignInLimit = clientip.NewLimiter(0, 0, nil)
	w.lockAccount("olga@example.com")
	for _, path := range []string{"/account/2fa/off", "/account/2fa/recovery-codes"} {
		if resp := w.do("POST", path, url.Values{"code": {w.code(secret)}}, olga, same...); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s of a locked account: %d", path, resp.StatusCode)
		}
	}
	if w.mustUser("olga@example.com").TOTPSecret != secret {
		t.Error("it was turned off")
	}
}
