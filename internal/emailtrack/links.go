// Package emailtrack makes a campaign's messages trackable and tells
// people from machines: it finds a message's links, wraps them and adds
// the open pixel for each recipient, recognises mail scanners and link
// checkers, and writes opens and clicks in batches.
package emailtrack

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Links returns the URLs of the message's links, in order: the href of
// every <a> whose href is an absolute http or https URL with a host. The
// n-th URL is the link at position n (from 1), which Rewrite wraps with
// the n-th token.
func Links(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		if t := z.Token(); t.DataAtom == atom.A {
			if _, u, ok := trackedHref(&t); ok {
				out = append(out, u)
			}
		}
	}
}

// trackedHref returns the index of t's href attribute and its URL when
// it is one that Links records.
func trackedHref(t *html.Token) (int, string, bool) {
	for i, a := range t.Attr {
		if a.Namespace != "" || a.Key != "href" {
			continue
		}
		u := strings.TrimSpace(a.Val)
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
			return 0, "", false
		}
		return i, u, true
	}
	return 0, "", false
}

// Rewrite returns the message with the n-th link of Links pointing at
// base + "/c/" + links[n-1], and the open pixel (base + "/o/" + open, a
// 1×1 image) before its first </body>, or at its end. Everything else is
// copied as it was, but for a tag left unfinished at the very end, which
// is dropped (browsers ignore it too). links must have one token per link of Links(doc); a
// link beyond it is left as it is.
func Rewrite(doc, base string, links []string, open string) string {
	var b bytes.Buffer
	b.Grow(len(doc) + len(links)*64 + 200)
	pixel := Pixel(base, open)
	placed := false
	n := 0
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			// At the end, a tag left unfinished is dropped, as browsers
			// drop it: the pixel written after it would become part of it.
			break
		}
		raw := z.Raw()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			if t.DataAtom != atom.A {
				break
			}
			i, _, ok := trackedHref(&t)
			if !ok || n >= len(links) {
				break
			}
			t.Attr[i].Val = base + "/c/" + links[n]
			n++
			b.WriteString(t.String())
			continue
		case html.EndTagToken:
			if !placed {
				if name, _ := z.TagName(); string(name) == "body" {
					b.WriteString(pixel)
					placed = true
				}
			}
		}
		b.Write(raw)
	}
	if !placed {
		b.WriteString(pixel)
	}
	return b.String()
}

// Pixel is the open pixel's tag: a 1×1 image at base + "/o/" + open.
func Pixel(base, open string) string {
	return `<img src="` + html.EscapeString(base+"/o/"+open) + `" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`
}
