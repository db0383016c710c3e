package e2e_test

import (
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/internal/testutil"
)

// TestInvitationMailed configures `foyer serve` with an SMTP relay through
// FOYER_SMTP_… variables, the password from a file, signs an owner in,
// invites someone, and finds the invitation in the relay with a link that
// works. A relay off this machine without STARTTLS is refused at start.
func TestInvitationMailed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	add := exec.Command(foyerBin, "user", "add", "--db", dsn, "--workspace", "Acme", "--email", "olga@example.com", "--password-stdin")
	add.Env, add.Stdin = cleanEnv(), strings.NewReader("correct horse battery\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{Users: map[string]string{"foyer": "relay pass phrase"}})
	secret := filepath.Join(dir, "smtp-password")
	if err := os.WriteFile(secret, []byte("relay pass phrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	srv := startServerEnv(t, files, []string{"FOYER_SMTP_ADDR=" + relay.Addr, "FOYER_SMTP_FROM=Foyer <foyer@acme.example>",
		"FOYER_SMTP_USERNAME=foyer", "FOYER_SMTP_PASSWORD_FILE=" + secret, "FOYER_SMTP_NO_STARTTLS=true"}, "--db", dsn)

	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values, cookie string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if cookie != "" {
			req.Header.Set("Cookie", "foyer_session="+cookie)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, _ := post("/login", url.Values{"email": {"olga@example.com"}, "password": {"correct horse battery"}}, "")
	var session string
	for _, ck := range resp.Cookies() {
		if ck.Name == "foyer_session" {
			session = ck.Value
		}
	}
	if session == "" {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/app", nil)
	req.Header.Set("Cookie", "foyer_session="+session)
	home, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(home.Body)
	home.Body.Close()
	ws := regexp.MustCompile(`/app/w/(\d+)`).FindStringSubmatch(string(hb))
	if ws == nil {
		t.Fatalf("no workspace on /app:\n%s", hb)
	}
	resp, page := post("/app/w/"+ws[1]+"/invites", url.Values{"email": {"nia@example.com"}, "role": {"viewer"}}, session)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "It was also sent by email to nia@example.com.") {
		t.Fatalf("invite: %d\n%s", resp.StatusCode, page)
	}
	msgs := relay.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "nia@example.com" || msgs[0].User != "foyer" {
		t.Fatalf("the relay received %+v", msgs)
	}
	m, err := mail.ReadMessage(strings.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	link := regexp.MustCompile(`http://127\.0\.0\.1:\d+/invite/[A-Za-z0-9_-]+`).FindString(string(text))
	if link == "" || !strings.Contains(page, link) {
		t.Fatalf("no link, or not the page's, in the mail:\n%s", text)
	}
	got, err := http.Get(link)
	if err != nil || got.StatusCode != http.StatusOK {
		t.Fatalf("GET the mailed link: %v %v", err, got)
	}
	got.Body.Close()
	srv.stop()
	if logs, _ := os.ReadFile(files.stderr); strings.Contains(string(logs), "relay pass phrase") || strings.Contains(string(logs), "nia@example.com") {
		t.Errorf("the log holds the relay's password or the address:\n%s", logs)
	}

	// Plain text to a relay elsewhere is refused before anything starts.
	bad := exec.Command(foyerBin, "serve", "--listen", "127.0.0.1:0", "--db", dsn, "--smtp-addr", "smtp.example.com:25",
		"--smtp-from", "foyer@acme.example", "--smtp-no-starttls")
	bad.Env = cleanEnv()
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "only allowed to a relay on this machine") {
		t.Errorf("no STARTTLS to a remote relay: %v\n%s", err, out)
	}
}
