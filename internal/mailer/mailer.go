// Package mailer sends Foyer's few emails (invitation and password reset
// links) through an SMTP relay the operator configures, with the standard
// library's net/smtp. Foyer works without one: the links are always shown
// to be copied.
package mailer

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// Config is an SMTP relay. The zero value (no Addr) means none.
type Config struct {
	Addr     string // host:port of the relay
	From     string // sender address, optionally with a name: "Foyer <foyer@example.com>"
	Username string // for AUTH PLAIN; "" to send without authenticating
	Password string
	// NoStartTLS sends without encryption; only allowed to a relay on this
	// machine (localhost or a loopback address). Otherwise the relay must
	// offer STARTTLS, and its certificate must be valid for its host.
	NoStartTLS bool
	// Timeout bounds one message, from dialling to QUIT; 15 s when 0.
	Timeout time.Duration
	// TLS, when set, is the TLS configuration for STARTTLS (tests use it
	// to trust their own relay); its ServerName defaults to Addr's host.
	TLS *tls.Config
}

// Mailer sends plain-text messages through one relay. It is safe for
// concurrent use: each message has its own connection.
type Mailer struct {
	cfg  Config
	host string
	from *mail.Address
}

// New checks cfg and returns its Mailer. EINVALID for a bad address,
// sender, half a login, or NoStartTLS to a relay that is not on this
// machine.
func New(cfg Config) (*Mailer, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		return nil, foyer.Errorf(foyer.EINVALID, "SMTP relay %q: want host:port, such as smtp.example.com:587", cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil || strings.ContainsAny(cfg.From, "\r\n") {
		return nil, foyer.Errorf(foyer.EINVALID, "SMTP sender %q: want an address such as foyer@example.com", cfg.From)
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, foyer.Errorf(foyer.EINVALID, "SMTP login: give both the username and the password, or neither")
	}
	if cfg.NoStartTLS && !isLoopback(host) {
		return nil, foyer.Errorf(foyer.EINVALID, "SMTP relay %s: sending without STARTTLS is only allowed to a relay on this machine", host)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	return &Mailer{cfg: cfg, host: host, from: from}, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send mails a plain-text message to one address. It returns when the
// relay accepted the message, or with the reason it did not; EINVALID for
// a bad recipient.
func (m *Mailer) Send(ctx context.Context, to, subject, body string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil || rcpt.Name != "" || strings.ContainsAny(to, "\r\n") {
		return foyer.Errorf(foyer.EINVALID, "not an email address")
	}
	msg, err := m.compose(rcpt.Address, subject, body, time.Now())
	if err != nil {
		return err
	}
	return m.deliver(ctx, rcpt.Address, msg)
}

// deliver hands a composed message for one address to the relay.
func (m *Mailer) deliver(ctx context.Context, to string, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.cfg.Addr)
	if err != nil {
		return fmt.Errorf("mailer: connect to the relay: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if err := m.converse(conn, to, msg); err != nil {
		return fmt.Errorf("mailer: %w", err)
	}
	return nil
}

// converse runs one SMTP session on conn: EHLO, STARTTLS, AUTH, MAIL,
// RCPT, DATA, QUIT.
func (m *Mailer) converse(conn net.Conn, to string, msg []byte) error {
	c, err := smtp.NewClient(conn, m.host)
	if err != nil {
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	// The name Foyer gives itself: nothing about the machine it runs on.
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("EHLO: %w", err)
	}
	if !m.cfg.NoStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("the relay %s offers no STARTTLS, and sending without it is off", m.host)
		}
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if m.cfg.TLS != nil {
			tc = m.cfg.TLS.Clone()
		}
		if tc.ServerName == "" {
			tc.ServerName = m.host
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if m.cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.Username, m.cfg.Password, m.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(m.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("the relay refused the message: %w", err)
	}
	return c.Quit()
}

// newMessageID returns a unique Message-ID on the sender's domain.
func (m *Mailer) newMessageID() string {
	b := make([]byte, 12)
	rand.Read(b)
	_, domain, _ := strings.Cut(m.from.Address, "@")
	return "<" + hex.EncodeToString(b) + "@" + domain + ">"
}
