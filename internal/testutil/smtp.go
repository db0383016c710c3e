package testutil

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
)

// SMTPMessage is one message an SMTPServer accepted.
type SMTPMessage struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Data string   // as sent after DATA, dot-stuffing undone, CRLF line ends
	TLS  bool     // it came over STARTTLS
	User string   // the AUTH PLAIN user, or ""
}

// SMTPOptions shape an SMTPServer.
type SMTPOptions struct {
	// TLS, when set, makes the server offer STARTTLS with it.
	TLS *tls.Config
	// Users, when set, makes the server offer AUTH PLAIN and require it
	// before MAIL: user name to password.
	Users map[string]string
	// RejectRcpt refuses every recipient with 550.
	RejectRcpt bool
	// RejectTo refuses these recipients with 550 (lower case addresses),
	// and Defer those with 451 (a temporary refusal).
	RejectTo, Defer []string
}

// SMTPServer is a minimal SMTP server on 127.0.0.1 for tests: EHLO/HELO,
// STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP and QUIT. It keeps
// what it accepts in memory and stops when the test ends.
type SMTPServer struct {
	Addr string // 127.0.0.1:PORT
	opt  SMTPOptions

	mu    sync.Mutex
	msgs  []SMTPMessage
	conns map[net.Conn]bool
}

// NewSMTPServer starts a server.
func NewSMTPServer(t testing.TB, opt SMTPOptions) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{Addr: ln.Addr().String(), opt: opt, conns: map[net.Conn]bool{}}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[c] = true
			s.mu.Unlock()
			wg.Go(func() {
				s.serve(c)
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
			})
		}
	})
	return s
}

// Messages returns what the server has accepted so far.
func (s *SMTPServer) Messages() []SMTPMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SMTPMessage(nil), s.msgs...)
}

// smtpSession is one connection's state.
type smtpSession struct {
	conn net.Conn
	r    *bufio.Reader
	tls  bool
	user string
	msg  *SMTPMessage
}

func (s *SMTPServer) serve(conn net.Conn) {
	defer conn.Close()
	ss := &smtpSession{conn: conn, r: bufio.NewReader(conn)}
	ss.reply("220 foyer-test ESMTP")
	for {
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"foyer-test"}
			if s.opt.TLS != nil && !ss.tls {
				ext = append(ext, "STARTTLS")
			}
			if s.opt.Users != nil {
				ext = append(ext, "AUTH PLAIN")
			}
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				ss.reply("250" + sep + e)
			}
		case "HELO", "NOOP":
			ss.reply("250 ok")
		case "RSET":
			ss.msg = nil
			ss.reply("250 ok")
		case "STARTTLS":
			if s.opt.TLS == nil || ss.tls {
				ss.reply("502 no")
				continue
			}
			ss.reply("220 go ahead")
			tc := tls.Server(conn, s.opt.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			ss.conn, ss.r, ss.tls, ss.user, ss.msg = tc, bufio.NewReader(tc), true, "", nil
		case "AUTH":
			s.auth(ss, arg)
		case "MAIL":
			if s.opt.Users != nil && ss.user == "" {
				ss.reply("530 5.7.0 authentication required")
				continue
			}
			ss.msg = &SMTPMessage{From: addrArg(arg, "FROM:"), TLS: ss.tls, User: ss.user}
			ss.reply("250 ok")
		case "RCPT":
			switch to := addrArg(arg, "TO:"); {
			case ss.msg == nil:
				ss.reply("503 MAIL first")
			case s.opt.RejectRcpt || slices.Contains(s.opt.RejectTo, strings.ToLower(to)):
				ss.reply("550 5.1.1 <" + to + ">: recipient rejected")
			case slices.Contains(s.opt.Defer, strings.ToLower(to)):
				ss.reply("451 4.3.0 <" + to + ">: try again later")
			default:
				ss.msg.To = append(ss.msg.To, to)
				ss.reply("250 ok")
			}
		case "DATA":
			if ss.msg == nil || len(ss.msg.To) == 0 {
				ss.reply("503 RCPT first")
				continue
			}
			ss.reply("354 end with .")
			data, err := readData(ss.r)
			if err != nil {
				return
			}
			ss.msg.Data = data
			s.mu.Lock()
			s.msgs = append(s.msgs, *ss.msg)
			s.mu.Unlock()
			ss.msg = nil
			ss.reply("250 queued")
		case "QUIT":
			ss.reply("221 bye")
			return
		default:
			ss.reply("502 unknown command")
		}
	}
}

// auth takes AUTH PLAIN, with the credentials on the line or after a 334.
func (s *SMTPServer) auth(ss *smtpSession, arg string) {
	mech, initial, _ := strings.Cut(arg, " ")
	if s.opt.Users == nil || !strings.EqualFold(mech, "PLAIN") {
		ss.reply("504 unsupported")
		return
	}
	if initial == "" {
		ss.reply("334 ")
		line, err := ss.r.ReadString('\n')
		if err != nil {
			return
		}
		initial = strings.TrimRight(line, "\r\n")
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 {
		ss.reply("501 bad PLAIN response")
		return
	}
	if pw, ok := s.opt.Users[parts[1]]; !ok || pw != parts[2] {
		ss.reply("535 5.7.8 authentication failed")
		return
	}
	ss.user = parts[1]
	ss.reply("235 ok")
}

func (ss *smtpSession) reply(line string) { fmt.Fprintf(ss.conn, "%s\r\n", line) }

// addrArg returns the address of "FROM:<a@b> SIZE=…" after the prefix.
func addrArg(arg, prefix string) string {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return ""
	}
	a, _, _ := strings.Cut(strings.TrimSpace(arg[len(prefix):]), " ")
	return strings.TrimSuffix(strings.TrimPrefix(a, "<"), ">")
}

// readData reads a message up to the line with one dot, undoing the
// dot-stuffing.
func readData(r *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if line == ".\r\n" || line == ".\n" {
			return b.String(), nil
		}
		b.WriteString(strings.TrimPrefix(line, "."))
	}
}
