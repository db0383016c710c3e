package mailer_test

import (
	"context"
	"crypto/tls"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// parse reads a received message: its headers and its decoded text.
func parse(t *testing.T, data string) (*mail.Message, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, data)
	}
	if m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Fatalf("encoding %q", m.Header.Get("Content-Transfer-Encoding"))
	}
	b, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	return m, string(b)
}

func TestSendWithStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	serverTLS, roots := testutil.SelfSignedTLS(t)
	srv := testutil.NewSMTPServer(t, testutil.SMTPOptions{TLS: serverTLS, Users: map[string]string{"foyer": "s3cret"}})
	_, port, _ := net.SplitHostPort(srv.Addr)
	m, err := mailer.New(mailer.Config{Addr: "localhost:" + port, From: "Foyer <foyer@acme.example>", Username: "foyer", Password: "s3cret",
		TLS: &tls.Config{RootCAs: roots}})
	if err != nil {
		t.Fatal(err)
	}
	long := "https://foyer.acme.example/invite/" + strings.Repeat("Ab_-", 20)
	body := "Hello,\n\nJoin Zürich = Ärger-frei:\n\n" + long + "\n\n.\nA line with a dot above.\n"
	if err := m.Send(context.Background(), "ana@example.com", "Join Zürich\r\nBcc: eve@evil.example", body); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	msg := got[0]
	if msg.From != "foyer@acme.example" || len(msg.To) != 1 || msg.To[0] != "ana@example.com" || !msg.TLS || msg.User != "foyer" {
		t.Errorf("envelope %+v", msg)
	}
	h, text := parse(t, msg.Data)
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Header.Get("Subject"))
	if subject != "Join Zürich Bcc: eve@evil.example" || h.Header.Get("Bcc") != "" {
		t.Errorf("subject %q, Bcc %q: a line break made a header", subject, h.Header.Get("Bcc"))
	}
	if to, _ := h.Header.AddressList("To"); len(to) != 1 || to[0].Address != "ana@example.com" {
		t.Errorf("To %v", to)
	}
	if from, _ := h.Header.AddressList("From"); len(from) != 1 || from[0].Address != "foyer@acme.example" || from[0].Name != "Foyer" {
		t.Errorf("From %v", from)
	}
	if h.Header.Get("Message-ID") == "" || h.Header.Get("Date") == "" || !strings.HasPrefix(h.Header.Get("Content-Type"), "text/plain; charset=utf-8") {
		t.Errorf("headers %v", h.Header)
	}
	if want := strings.ReplaceAll(body, "\n", "\r\n"); text != want {
		t.Errorf("text %q, want %q", text, want)
	}
}

func TestSendRefusals(t *testing.T) {
	t.Parallel()
	serverTLS, roots := testutil.SelfSignedTLS(t)
	plain := testutil.NewSMTPServer(t, testutil.SMTPOptions{})
	secure := testutil.NewSMTPServer(t, testutil.SMTPOptions{TLS: serverTLS, Users: map[string]string{"foyer": "s3cret"}})
	rejecting := testutil.NewSMTPServer(t, testutil.SMTPOptions{TLS: serverTLS, RejectRcpt: true})
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never greets
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	trust := &tls.Config{RootCAs: roots}
	for _, c := range []struct {
		what string
		cfg  mailer.Config
		want string // in the error
	}{
		{"no STARTTLS offered", mailer.Config{Addr: plain.Addr, From: "foyer@acme.example"}, "offers no STARTTLS"},
		{"untrusted certificate", mailer.Config{Addr: secure.Addr, From: "foyer@acme.example", Username: "foyer", Password: "s3cret"}, "STARTTLS"},
		{"wrong password", mailer.Config{Addr: secure.Addr, From: "foyer@acme.example", Username: "foyer", Password: "wrong", TLS: trust}, "AUTH"},
		{"no login where one is needed", mailer.Config{Addr: secure.Addr, From: "foyer@acme.example", TLS: trust}, "MAIL FROM"},
		{"rejected recipient", mailer.Config{Addr: rejecting.Addr, From: "foyer@acme.example", TLS: trust}, "RCPT TO"},
		{"a relay that never answers", mailer.Config{Addr: silent.Addr().String(), From: "foyer@acme.example", Timeout: 300 * time.Millisecond}, "timeout"},
	} {
		m, err := mailer.New(c.cfg)
		if err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		start := time.Now()
		err = m.Send(context.Background(), "ana@example.com", "Hi", "Hello")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %s", c.what, err, c.want)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s took %v", c.what, time.Since(start))
		}
	}
	for _, s := range []*testutil.SMTPServer{plain, secure, rejecting} {
		if n := len(s.Messages()); n != 0 {
			t.Errorf("a refused send delivered %d messages", n)
		}
	}

	// Without STARTTLS, to a relay on this machine, when told so.
	m, err := mailer.New(mailer.Config{Addr: plain.Addr, From: "foyer@acme.example", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(context.Background(), "ana@example.com", "Hi", "Hello"); err != nil {
		t.Fatal(err)
	}
	if got := plain.Messages(); len(got) != 1 || got[0].TLS {
		t.Errorf("plain relay got %+v", got)
	}
	if err := m.Send(context.Background(), "ana@example.com\r\nRCPT TO:<eve@evil.example>", "Hi", "Hello"); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a recipient with a line break: %v", err)
	}
	if err := m.Send(context.Background(), "Ana <ana@example.com>", "Hi", "Hello"); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a recipient with a name: %v", err)
	}
}

func TestNewChecksConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []mailer.Config{
		{Addr: "smtp.example.com", From: "foyer@example.com"},
		{Addr: ":587", From: "foyer@example.com"},
		{Addr: "smtp.example.com:587", From: "not an address"},
		{Addr: "smtp.example.com:587", From: "foyer@example.com\r\nBcc: eve@evil.example"},
		{Addr: "smtp.example.com:587", From: "foyer@example.com", Username: "foyer"},
		{Addr: "smtp.example.com:587", From: "foyer@example.com", NoStartTLS: true},
		{Addr: "192.0.2.1:25", From: "foyer@example.com", NoStartTLS: true},
	} {
		if _, err := mailer.New(c); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", c, err)
		}
	}
	for _, c := range []mailer.Config{
		{Addr: "smtp.example.com:587", From: "foyer@example.com", Username: "u", Password: "p"},
		{Addr: "localhost:25", From: "Foyer <foyer@example.com>", NoStartTLS: true},
		{Addr: "127.0.0.1:25", From: "foyer@example.com", NoStartTLS: true},
		{Addr: "[::1]:25", From: "foyer@example.com", NoStartTLS: true},
	} {
		if _, err := mailer.New(c); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}
