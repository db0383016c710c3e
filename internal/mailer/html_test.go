package mailer_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestSendHTML: an HTML message goes as multipart/alternative, its plain
// text first, each part decoding to what was given; a refused recipient
// comes back as the relay's SMTP error.
func TestSendHTML(t *testing.T) {
	t.Parallel()
	srv := testutil.NewSMTPServer(t, testutil.SMTPOptions{RejectTo: []string{"gone@example.com"}})
	m, err := mailer.New(mailer.Config{Addr: srv.Addr, From: "Foyer <foyer@example.com>", NoStartTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := `<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Spring news</h1>` +
		`<p>Hello =&amp; welcome, ` + strings.Repeat("long ", 40) + `</p><p><a href="https://example.com/x">Read more</a></p></body></html>`
	ctx := context.Background()
	if err := m.SendHTML(ctx, "ana@example.com", "Spring ✓", doc); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "ana@example.com" {
		t.Fatalf("messages: %+v", msgs)
	}
	msg, err := mail.ReadMessage(strings.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	kind, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || kind != "multipart/alternative" {
		t.Fatalf("content type %q: %v", kind, err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); subj != "Spring ✓" {
		t.Errorf("subject %q", subj)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	var kinds []string
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("encoding %q", p.Header.Get("Content-Transfer-Encoding"))
		}
		b, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, p.Header.Get("Content-Type"))
		parts = append(parts, strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	if len(parts) != 2 || kinds[0] != "text/plain; charset=utf-8" || kinds[1] != "text/html; charset=utf-8" {
		t.Fatalf("parts: %q", kinds)
	}
	if parts[1] != doc {
		t.Errorf("html part differs:\n%s", parts[1])
	}
	if !strings.HasPrefix(parts[0], "Spring news\n\nHello =& welcome, long") || !strings.Contains(parts[0], "Read more (https://example.com/x)") ||
		strings.Contains(parts[0], "color") || strings.Contains(parts[0], "T\n") {
		t.Errorf("text part:\n%s", parts[0])
	}
	err = m.SendHTML(ctx, "gone@example.com", "S", doc)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 550 {
		t.Errorf("refused recipient: %v", err)
	}
	if err := m.SendHTML(ctx, "Ana <ana@example.com>", "S", doc); err == nil {
		t.Error("a named address was taken")
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"<p>One</p><p>Two</p>", "One\n\nTwo\n"},
		{"<ul><li>a</li><li>b</li></ul>", "- a\n- b\n"},
		{"Line<br>next", "Line\nnext\n"},
		{`<a href="https://x.example/">https://x.example/</a>`, "https://x.example/\n"},
		{`<a href="mailto:a@b">write</a>`, "write\n"},
		{"<script>alert(1)</script>ok", "ok\n"},
		{"<table><tr><td>a</td><td>b</td></tr></table>", "a b\n"},
		{"", "\n"},
	} {
		if got := mailer.PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzPlainText: any input gives valid text without markup's angle
// brackets from tags, ending in one newline, and never panics.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<a href='https://x'>y", "<script>x", "</a></a><li>", "a &lt; b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := mailer.PlainText(in)
		if !strings.HasSuffix(out, "\n") {
			t.Fatalf("PlainText(%q) = %q: no final newline", in, out)
		}
		if strings.Contains(out, "\n\n\n") {
			t.Fatalf("PlainText(%q) = %q: blank lines not folded", in, out)
		}
	})
}

// BenchmarkPlainText: the text part of a newsletter-sized message.
func BenchmarkPlainText(b *testing.B) {
	doc := "<html><head><style>p{}</style></head><body><h1>News</h1>" +
		strings.Repeat(`<p>A paragraph of the message with <a href="https://example.com/a">a link</a> in it.</p><ul><li>one</li><li>two</li></ul>`, 200) +
		"</body></html>"
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		mailer.PlainText(doc)
	}
}
