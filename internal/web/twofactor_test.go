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
)

var secretRE = regexp.MustCompile(`<code class="secret">([A-Z2-7]+)</code>`)

func TestTwoFactor(t *testing.T) {
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	w.user("vic@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	same := []string{"Sec-Fetch-Site", "same-origin"}
	olga := w.signIn("olga@example.com")

	// Enrolment: a wrong code keeps the key; the right one turns it on and
	// shows ten recovery codes once.
	m := secretRE.FindStringSubmatch(body(w.do("GET", "/account/2fa", nil, olga)))
	if m == nil {
		t.Fatal("no key on the enrolment page")
	}
	secret := m[1]
	if resp := w.do("POST", "/account/2fa", url.Values{"secret": {secret}, "code": {"000000"}}, olga, same...); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a wrong first code: %d", resp.StatusCode)
	}
	b := body(w.do("POST", "/account/2fa", url.Values{"secret": {secret}, "code": {w.code(secret)}}, olga, same...))
	_, area, _ := strings.Cut(b, `class="codes">`)
	area, _, _ = strings.Cut(area, "</textarea>")
	codes := regexp.MustCompile(`[a-z2-9]{5}-[a-z2-9]{5}`).FindAllString(area, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown:\n%s", len(codes), b)
	}
	if u, _ := w.st.UserByEmail(context.Background(), "olga@example.com"); u.TOTPSecret != secret {
		t.Fatal("the secret was not stored")
	}

	// Signing in now takes the second factor.
	resp := w.do("POST", "/login", login("olga@example.com", "correct horse battery"), "")
	half := sessionOf(resp).Value
	if resp.Header.Get("Location") != "/login/2fa" {
		t.Errorf("after the password: %s", resp.Header.Get("Location"))
	}
	if resp := w.do("GET", "/app", nil, half); resp.Header.Get("Location") != "/login/2fa" {
		t.Errorf("half a session on /app: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := w.do("POST", "/login/2fa", url.Values{"code": {"123456"}}, half, same...); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong code: %d", resp.StatusCode)
	}
	if resp := w.do("POST", "/login/2fa", url.Values{"code": {w.code(secret)}}, half, same...); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/app" {
		t.Errorf("the right code: %d", resp.StatusCode)
	}
	if resp := w.do("GET", "/app", nil, half); resp.StatusCode != 200 {
		t.Errorf("/app after the second factor: %d", resp.StatusCode)
	}

	// A recovery code works once.
	for i, want := range []int{http.StatusSeeOther, http.StatusUnauthorized} {
		s := sessionOf(w.do("POST", "/login", login("olga@example.com", "correct horse battery"), "")).Value
		if resp := w.do("POST", "/login/2fa", url.Values{"code": {strings.ToUpper(codes[3])}}, s, same...); resp.StatusCode != want {
			t.Errorf("recovery code, try %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}

	// The owner requires it: a member without it is sent to set it up.
	full := w.signInWith("olga@example.com", "correct horse battery")
	w.do("POST", "/login/2fa", url.Values{"code": {w.code(secret)}}, full, same...)
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/require-2fa", acme.WorkspaceID), url.Values{"require": {"on"}}, full, same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("require: %d", resp.StatusCode)
	}
	vic := w.signIn("vic@example.com")
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d", acme.WorkspaceID), nil, vic); resp.Header.Get("Location") != "/account/2fa" {
		t.Errorf("a member without 2FA: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/require-2fa", acme.WorkspaceID), url.Values{}, vic, same...); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/2fa" {
		t.Errorf("a member without 2FA turning it off: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	vb := body(w.do("GET", "/account/2fa", nil, vic))
	if !strings.Contains(vb, "requires two-factor authentication") {
		t.Error("the enrolment page does not say it is required")
	}
	// The page's "sign out everywhere" works before enrolling too.
	other := w.signIn("vic@example.com")
	if resp := w.do("POST", "/account/sign-out-everywhere", url.Values{}, other, same...); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?done=signed-out" {
		t.Errorf("a member without 2FA signing out everywhere: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := w.do("GET", "/account/2fa", nil, vic); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Errorf("another session after signing out everywhere: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	vic = w.signIn("vic@example.com")
	vb = body(w.do("GET", "/account/2fa", nil, vic))
	vs := secretRE.FindStringSubmatch(vb)[1]
	w.do("POST", "/account/2fa", url.Values{"secret": {vs}, "code": {w.code(vs)}}, vic, same...)
	if resp := w.do("GET", fmt.Sprintf("/app/w/%d", acme.WorkspaceID), nil, vic); resp.StatusCode != 200 {
		t.Errorf("after enrolling: %d", resp.StatusCode)
	}
	// Viewers cannot lift the requirement.
	if resp := w.do("POST", fmt.Sprintf("/app/w/%d/require-2fa", acme.WorkspaceID), url.Values{}, vic, same...); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer lifting the requirement: %d", resp.StatusCode)
	}
	if ms, _ := w.st.Memberships(context.Background(), w.mustUser("vic@example.com").ID); len(ms) != 1 || !ms[0].Require2FA {
		t.Error("the requirement was lifted")
	}
}

func (w *webTest) mustUser(email string) *foyer.User {
	u, err := w.st.UserByEmail(context.Background(), email)
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

func TestQRSVG(t *testing.T) {
	svg, err := qrSVG("otpauth://totp/Foyer:ana@example.com?issuer=Foyer&secret=JBSWY3DPEHPK3PXP")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, `<svg class="qr" viewBox="0 0 `) || strings.Count(s, "h1v1h-1z") < 200 || strings.Contains(s, "style=") || strings.Contains(s, "<script") {
		t.Errorf("QR SVG: %.200s…", s)
	}
	// The three finder patterns: the top-left module of each is dark.
	if !strings.Contains(s, "M4 4h1v1h-1z") {
		t.Error("no dark module at the top-left corner")
	}
}
