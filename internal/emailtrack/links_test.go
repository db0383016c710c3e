package emailtrack

import (
	"fmt"
	"strings"
	"testing"
)

func TestLinks(t *testing.T) {
	doc := `<html><head><title><a href="https://no.example/">not a link in a title</a></title>
<style>a[href="https://no.example/css"] {}</style></head><body>
<a href="https://a.example/one?x=1&amp;y=2">one</a>
<A HREF=" http://b.example/two ">two</A>
<a href="mailto:x@example.com">mail</a><a href="/relative">rel</a><a href="javascript:alert(1)">js</a>
<a href="https://user:pw@c.example/">creds</a><a name="top">anchor</a><a href="tel:+331">tel</a>
<!-- <a href="https://no.example/comment">x</a> -->
<script>document.write('<a href="https://no.example/script">')</script>
<a href="https://a.example/one?x=1&amp;y=2">one again</a>
</body></html>`
	got := Links(doc)
	want := []string{"https://a.example/one?x=1&y=2", "http://b.example/two", "https://a.example/one?x=1&y=2"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Links:\n got %q\nwant %q", got, want)
	}
	out := Rewrite(doc, "https://f.example", []string{"T1", "T2", "T3"}, "P")
	for _, s := range []string{`href="https://f.example/c/T1"`, `href="https://f.example/c/T2"`, `href="https://f.example/c/T3"`,
		`href="mailto:x@example.com"`, `<!-- <a href="https://no.example/comment">x</a> -->`, `<a href="/relative">rel</a>`,
		`<img src="https://f.example/o/P" width="1" height="1" alt=""`} {
		if !strings.Contains(out, s) {
			t.Errorf("Rewrite lacks %s:\n%s", s, out)
		}
	}
	if strings.Contains(out, "a.example") || strings.Contains(out, "b.example") {
		t.Errorf("a link is left unwrapped:\n%s", out)
	}
	if i, j := strings.Index(out, "/o/P"), strings.Index(out, "</body>"); i < 0 || i > j {
		t.Errorf("the pixel is not before </body>:\n%s", out)
	}
	// No </body>: the pixel goes at the end.
	if out := Rewrite(`<p>Hi <a href="https://a.example/">x</a>`, "https://f", []string{"T"}, "P"); !strings.HasSuffix(out, `border:0">`) ||
		!strings.Contains(out, `<a href="https://f/c/T">x</a>`) {
		t.Errorf("no body: %s", out)
	}
}

// FuzzRewrite: whatever the HTML, the rewritten message's links are the
// wrapped ones, as many as Links found, in order, each token once; the
// pixel is there once; and the text outside the links is kept.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		`<html><body><a href="https://a.example/">a</a></body></html>`,
		`<a href="http://x">1</a><a href='https://y/z?q=1#f'>2</a></BODY>`,
		`<a href="https://a.example/" href="https://b.example/">dup</a>`,
		`<a href=https://a.example/x>unquoted</a><a href="https://a.example/&quot;>">q</a>`,
		`<table><tr><td><a href="https://e.example/%zz">bad escape</a></td></tr></table>`,
		`<svg><a href="https://svg.example/">svg</a></svg><math><a href="https://m.example/">m</a></math>`,
		`<textarea><a href="https://no.example/"></textarea><a href="https://yes.example/">`,
		`<a href="https://a.example/"`, `</body></body>`, "<a href=\"https://a.example/\x00\">nul</a>", ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		links := Links(doc)
		tokens := make([]string, len(links))
		for i := range tokens {
			tokens[i] = fmt.Sprintf("tok%04dx", i)
		}
		out := Rewrite(doc, "https://f.example", tokens, "pixelTOKEN")
		if n := strings.Count(out, "https://f.example/o/pixelTOKEN"); n != 1 {
			t.Fatalf("%d pixels in %q", n, out)
		}
		again := Links(out)
		if len(again) != len(links) {
			t.Fatalf("%d links became %d:\n%q\n%q", len(links), len(again), doc, out)
		}
		for i, u := range again {
			if u != "https://f.example/c/"+tokens[i] {
				t.Fatalf("link %d is %q, want token %s:\n%q\n%q", i, u, tokens[i], doc, out)
			}
		}
		// Without links nor </body>, the message is kept as it was, but
		// for a tag left unfinished at its end; the pixel follows.
		pixel := Pixel("https://f.example", "pixelTOKEN")
		if len(links) == 0 && !strings.Contains(strings.ToLower(doc), "</body") &&
			(!strings.HasSuffix(out, pixel) || !strings.HasPrefix(doc, strings.TrimSuffix(out, pixel))) {
			t.Fatalf("the message was changed:\n%q\n%q", doc, out)
		}
	})
}
