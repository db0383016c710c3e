package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/foyerhq/foyer"
)

// SendHTML mails an HTML message to one address, as multipart/alternative
// with a plain-text part made from the HTML (PlainText) first. It returns
// when the relay accepted the message, or with the reason it did not (an
// SMTP refusal is a *textproto.Error in the chain); EINVALID for a bad
// recipient.
func (m *Mailer) SendHTML(ctx context.Context, to, subject, htmlBody string) error {
	rcpt, err := mail.ParseAddress(to)
	if err != nil || rcpt.Name != "" || strings.ContainsAny(to, "\r\n") {
		return foyer.Errorf(foyer.EINVALID, "not an email address")
	}
	msg, err := m.composeHTML(rcpt.Address, subject, htmlBody, time.Now())
	if err != nil {
		return err
	}
	return m.deliver(ctx, rcpt.Address, msg)
}

// composeHTML writes a multipart/alternative message: the plain text,
// then the HTML, each UTF-8 and quoted-printable.
func (m *Mailer) composeHTML(to, subject, htmlBody string, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	boundary := newBoundary()
	header("From", m.from.String())
	header("To", "<"+to+">")
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(subject)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", m.newMessageID())
	header("MIME-Version", "1.0")
	header("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ kind, body string }{{"text/plain", PlainText(htmlBody)}, {"text/html", htmlBody}} {
		b.WriteString("--" + boundary + "\r\n")
		header("Content-Type", part.kind+"; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, part.body); err != nil {
			return nil, err
		}
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// writeQP writes text quoted-printable with CRLF line ends.
func writeQP(w io.Writer, text string) error {
	qp := quotedprintable.NewWriter(w)
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	if _, err := qp.Write([]byte(text)); err != nil {
		return fmt.Errorf("mailer: compose: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mailer: compose: %w", err)
	}
	return nil
}

// newBoundary returns a random MIME boundary (128 random bits: a part's
// text holds it only by chance).
func newBoundary() string {
	b := make([]byte, 16)
	rand.Read(b)
	return "foyer-" + hex.EncodeToString(b)
}

// PlainText makes the text of an HTML message: its words, a line per
// block (paragraph, heading, list item, table row), a link's address in
// brackets after its text when they differ; scripts, styles and the head
// left out, runs of blank lines folded to one.
func PlainText(doc string) string {
	z := html.NewTokenizer(strings.NewReader(doc))
	var out strings.Builder
	var line strings.Builder
	skip := 0          // depth in script, style, head, title
	var hrefs []string // of the open links
	// flush ends the line; blank, at a block's edge, leaves a blank line
	// after it as well.
	flush := func(blank bool) {
		if s := strings.Join(strings.Fields(line.String()), " "); s != "" {
			out.WriteString(s)
			out.WriteString("\n")
		}
		if blank && out.Len() > 0 && !strings.HasSuffix(out.String(), "\n\n") {
			out.WriteString("\n")
		}
		line.Reset()
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			flush(false)
			return strings.TrimSpace(out.String()) + "\n"
		case html.TextToken:
			if skip == 0 {
				line.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch a {
			case atom.A:
				if end {
					if len(hrefs) > 0 {
						h := hrefs[len(hrefs)-1]
						hrefs = hrefs[:len(hrefs)-1]
						if h != "" && !strings.Contains(line.String(), h) {
							line.WriteString(" (" + h + ")")
						}
					}
				} else if tt == html.StartTagToken {
					href := ""
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" && (strings.HasPrefix(string(v), "http://") || strings.HasPrefix(string(v), "https://")) {
							href = string(v)
						}
					}
					if len(hrefs) < 64 {
						hrefs = append(hrefs, href)
					}
				}
			case atom.Br:
				flush(false)
			case atom.Li:
				flush(false)
				if !end {
					line.WriteString("- ")
				}
			case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Tr, atom.Table,
				atom.Ul, atom.Ol, atom.Blockquote, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Hr, atom.Pre:
				flush(true)
			case atom.Td, atom.Th:
				line.WriteString(" ")
			}
		}
	}
}
