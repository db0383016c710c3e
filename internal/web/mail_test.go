package web

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// syncBuffer is a log sink that tests read.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// mailedText is the decoded text of a received message.
func mailedText(t *testing.T, m testutil.SMTPMessage) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLinksByMail(t *testing.T) {
	t.Parallel()
	serverTLS, roots := testutil.SelfSignedTLS(t)
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{TLS: serverTLS, Users: map[string]string{"foyer": "relay password"}})
	m, err := mailer.New(mailer.Config{Addr: relay.Addr, From: "Foyer <foyer@acme.example>", Username: "foyer", Password: "relay password",
		TLS: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	w := newWebTest(t)
	w.srv.cfg.Mail = m
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	nia := w.user("nia@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	ws := w.site("Acme", "acme").WorkspaceID
	olga := w.signIn("olga@example.com")
	same := []string{"Sec-Fetch-Site", "same-origin"}

	// An invitation: shown and mailed; the mailed link works.
	b := body(w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {" New@Example.com"}, "role": {"analyst"}}, olga, same...))
	shown := linkIn(t, b)
	if !strings.Contains(b, "It was also sent by email to new@example.com.") {
		t.Errorf("the page does not say the invitation was mailed:\n%s", b)
	}
	msgs := relay.Messages()
	if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "new@example.com" || msgs[0].From != "foyer@acme.example" || !msgs[0].TLS {
		t.Fatalf("mailed: %+v", msgs)
	}
	text := mailedText(t, msgs[0])
	if mailed := linkIn(t, text); mailed != shown || !strings.Contains(text, "olga@example.com invites you to the workspace \"Acme\" on Foyer, as analyst.") {
		t.Errorf("the mail's link %s, the page's %s; text:\n%s", mailed, shown, text)
	}
	resp := w.do("POST", linkIn(t, text), url.Values{"name": {"Neo"}, "password": {"a new long password"}}, "", same...)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accepting the mailed invitation: %d", resp.StatusCode)
	}
	if r, _ := w.st.Role(t.Context(), ws, w.mustUser("new@example.com").ID); r != foyer.RoleAnalyst {
		t.Errorf("role after the mailed invitation: %q", r)
	}

	// A reset: mailed to the member's address; its link sets the password.
	b = body(w.do("POST", fmt.Sprintf("/app/w/%d/members/%d/reset", ws, nia.ID), url.Values{}, olga, same...))
	if !strings.Contains(b, "It was also sent by email to nia@example.com.") {
		t.Errorf("the page does not say the reset was mailed:\n%s", b)
	}
	msgs = relay.Messages()
	if len(msgs) != 2 || msgs[1].To[0] != "nia@example.com" {
		t.Fatalf("mailed: %+v", msgs)
	}
	text = mailedText(t, msgs[1])
	if linkIn(t, text) != linkIn(t, b) {
		t.Error("the reset mail's link is not the page's")
	}
	if resp := w.do("POST", linkIn(t, text), url.Values{"password": {"nia's new password"}}, "", same...); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the mailed reset link: %d", resp.StatusCode)
	}
	if auth.VerifyPassword("nia's new password", w.mustUser("nia@example.com").PasswordHash) != nil {
		t.Error("the mailed reset link did not set the password")
	}
}

func TestLinkMailFails(t *testing.T) {
	t.Parallel()
	serverTLS, roots := testutil.SelfSignedTLS(t)
	relay := testutil.NewSMTPServer(t, testutil.SMTPOptions{TLS: serverTLS, RejectRcpt: true})
	m, err := mailer.New(mailer.Config{Addr: relay.Addr, From: "foyer@acme.example", TLS: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	w := newWebTest(t)
	var logs syncBuffer
	w.srv.cfg.Mail, w.srv.cfg.Log = m, slog.New(slog.NewTextHandler(&logs, nil))
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	olga := w.signIn("olga@example.com")

	resp := w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {"ghost@example.com"}, "role": {"viewer"}}, olga, "Sec-Fetch-Site", "same-origin")
	b := body(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(b, "The email to ghost@example.com could not be sent (") ||
		!strings.Contains(b, "recipient rejected") || !strings.Contains(b, "[address]") {
		t.Errorf("a failed mail: %d\n%s", resp.StatusCode, b)
	}
	// The link is kept and works.
	if resp := w.do("GET", linkIn(t, b), nil, ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the link of a failed mail: %d", resp.StatusCode)
	}
	if l := logs.String(); !strings.Contains(l, "link not mailed") || !strings.Contains(l, "link=invite") || strings.Contains(l, "@") {
		t.Errorf("the log of a failed mail:\n%s", l)
	}
}

func TestLinksWithoutRelay(t *testing.T) {
	t.Parallel()
	w := newWebTest(t)
	w.user("olga@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	ws := w.site("Acme", "acme").WorkspaceID
	b := body(w.do("POST", fmt.Sprintf("/app/w/%d/invites", ws), url.Values{"email": {"x@example.com"}, "role": {"viewer"}},
		w.signIn("olga@example.com"), "Sec-Fetch-Site", "same-origin"))
	linkIn(t, b)
	if !strings.Contains(b, "No email was sent: no mail relay is configured.") {
		t.Errorf("without a relay the page does not say so:\n%s", b)
	}
}

func TestWithoutAddresses(t *testing.T) {
	for in, want := range map[string]string{
		"RCPT TO: 550 5.1.1 <ana@example.com>: recipient rejected": "RCPT TO: 550 5.1.1 <[address]>: recipient rejected",
		"user Ana.Silva+x@mail.example.co.uk unknown":              "user [address] unknown",
		"dial tcp 127.0.0.1:25: connection refused":                "dial tcp 127.0.0.1:25: connection refused",
	} {
		if got := withoutAddresses(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
