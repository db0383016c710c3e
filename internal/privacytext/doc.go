// Package privacytext writes a workspace's privacy texts from its actual
// settings, in English and French: the section of the privacy statement on
// the visits to its websites, the cookie declaration of the tracker (from
// tracker.Storage, the one list of what it sets), and the entry of the
// record of processing activities. A Doc renders as Markdown and as HTML,
// with every value that comes from the settings escaped for each.
package privacytext

import (
	"html"
	"strings"
)

// Lang is a language the texts are written in.
type Lang string

// The languages of the texts.
const (
	English Lang = "en"
	French  Lang = "fr"
)

// Langs are the languages, in the order the page offers them.
var Langs = []Lang{English, French}

// ParseLang returns the language named s ("" is English), or false.
func ParseLang(s string) (Lang, bool) {
	switch l := Lang(s); l {
	case "":
		return English, true
	case English, French:
		return l, true
	}
	return "", false
}

// Name returns the language's name in itself.
func (l Lang) Name() string {
	if l == French {
		return "Français"
	}
	return "English"
}

// Span is a run of text: plain, code (a cookie's name, a path) or strong.
type Span struct {
	Text         string
	Code, Strong bool
}

// Line is a paragraph, a list item or a table cell.
type Line []Span

// Block is one part of a section: a heading, a paragraph, a list or a
// table; only one of them is set.
type Block struct {
	Heading string
	Para    Line
	Items   []Line
	Table   *Table
}

// Table is a table with a row of headings.
type Table struct {
	Head []string
	Rows [][]Line
}

// Section is one of the three texts.
type Section struct {
	ID     string // statement, cookies or record
	Title  string
	Blocks []Block
}

// Doc is the privacy texts in one language.
type Doc struct {
	Lang     Lang
	Title    string
	Sections []Section
}

// Markdown returns the texts as CommonMark (with a GitHub table), every
// character of the settings' values escaped so that it shows as itself.
func (d Doc) Markdown() string {
	var b strings.Builder
	b.WriteString("# " + mdText(d.Title) + "\n")
	for _, s := range d.Sections {
		b.WriteString("\n")
		s.markdown(&b, "##")
	}
	return b.String()
}

// Markdown returns the section alone as CommonMark, its title a heading of
// level 2.
func (s Section) Markdown() string {
	var b strings.Builder
	s.markdown(&b, "##")
	return b.String()
}

func (s Section) markdown(b *strings.Builder, level string) {
	b.WriteString(level + " " + mdText(s.Title) + "\n")
	for _, bl := range s.Blocks {
		b.WriteString("\n")
		switch {
		case bl.Heading != "":
			b.WriteString(level + "# " + mdText(bl.Heading) + "\n")
		case bl.Para != nil:
			b.WriteString(bl.Para.markdown() + "\n")
		case bl.Items != nil:
			for _, it := range bl.Items {
				b.WriteString("- " + it.markdown() + "\n")
			}
		case bl.Table != nil:
			row := func(cells []string) {
				b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			}
			head := make([]string, len(bl.Table.Head))
			rule := make([]string, len(bl.Table.Head))
			for i, h := range bl.Table.Head {
				head[i], rule[i] = mdText(h), "---"
			}
			row(head)
			row(rule)
			for _, r := range bl.Table.Rows {
				cells := make([]string, len(r))
				for i, c := range r {
					cells[i] = c.markdown()
				}
				row(cells)
			}
		}
	}
}

func (l Line) markdown() string {
	var b strings.Builder
	for _, s := range l {
		switch {
		case s.Code:
			b.WriteString(mdCode(s.Text))
		case s.Strong:
			b.WriteString("**" + mdText(s.Text) + "**")
		default:
			b.WriteString(mdText(s.Text))
		}
	}
	return b.String()
}

// mdSpecial are the characters a backslash makes literal in CommonMark
// text that could otherwise start markup, an HTML tag, an entity or a
// table cell; the line breaks become spaces, so that a value stays on its
// line.
var mdSpecial = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`&`, `\&`, `|`, `\|`, `#`, `\#`, `~`, `\~`, `!`, `\!`, "\r\n", " ", "\n", " ", "\r", " ")

func mdText(s string) string { return mdSpecial.Replace(s) }

// mdCode writes s as a code span: fenced by more backticks than any run in
// it, and on one line. A pipe, which would end a table cell even in a
// code span, becomes the look-alike "│" (U+2502); none of the names and
// paths the texts show as code holds one.
func mdCode(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "|", "│").Replace(s)
	run, longest := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// HTML returns the texts as an HTML fragment, headings from h2 on, every
// text escaped.
func (d Doc) HTML() string {
	var b strings.Builder
	for _, s := range d.Sections {
		b.WriteString(s.HTML())
	}
	return b.String()
}

// HTML returns the section as an HTML fragment: its title an h2, its
// headings h3s.
func (s Section) HTML() string {
	var b strings.Builder
	id := html.EscapeString(s.ID)
	b.WriteString(`<section class="privacy-text" id="` + id + `" aria-labelledby="` + id + `-title">` + "\n")
	b.WriteString(`<h2 id="` + id + `-title">` + html.EscapeString(s.Title) + "</h2>\n")
	for _, bl := range s.Blocks {
		switch {
		case bl.Heading != "":
			b.WriteString("<h3>" + html.EscapeString(bl.Heading) + "</h3>\n")
		case bl.Para != nil:
			b.WriteString("<p>" + bl.Para.html() + "</p>\n")
		case bl.Items != nil:
			b.WriteString("<ul>\n")
			for _, it := range bl.Items {
				b.WriteString("<li>" + it.html() + "</li>\n")
			}
			b.WriteString("</ul>\n")
		case bl.Table != nil:
			b.WriteString("<table>\n<thead><tr>")
			for _, h := range bl.Table.Head {
				b.WriteString(`<th scope="col">` + html.EscapeString(h) + "</th>")
			}
			b.WriteString("</tr></thead>\n<tbody>\n")
			for _, r := range bl.Table.Rows {
				b.WriteString("<tr>")
				for i, c := range r {
					// A wide table's cells carry their column's name, for a
					// narrow screen to show them one under the other.
					label := ""
					if len(bl.Table.Head) > 2 && i > 0 && i < len(bl.Table.Head) {
						label = ` data-label="` + html.EscapeString(bl.Table.Head[i]) + `"`
					}
					b.WriteString("<td" + label + ">" + c.html() + "</td>")
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</tbody>\n</table>\n")
		}
	}
	b.WriteString("</section>\n")
	return b.String()
}

func (l Line) html() string {
	var b strings.Builder
	for _, s := range l {
		t := html.EscapeString(s.Text)
		switch {
		case s.Code:
			b.WriteString("<code>" + t + "</code>")
		case s.Strong:
			b.WriteString("<strong>" + t + "</strong>")
		default:
			b.WriteString(t)
		}
	}
	return b.String()
}

// Page returns the texts as a whole HTML document, to download.
func (d Doc) Page() string {
	return "<!doctype html>\n<html lang=\"" + string(d.Lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
		html.EscapeString(d.Title) + "</title>\n</head>\n<body>\n<h1>" + html.EscapeString(d.Title) + "</h1>\n" +
		d.HTML() + "</body>\n</html>\n"
}
