package web

import (
	"bytes"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestFormTextComplete: every language of the hosted forms has every
// sentence, each with as many %s as English's, and no two languages share
// a sentence but the languages' own names.
func TestFormTextComplete(t *testing.T) {
	en := reflect.ValueOf(*formTexts["en"])
	for lang, text := range formTexts {
		v := reflect.ValueOf(*text)
		for i := range v.NumField() {
			name, s := v.Type().Field(i).Name, v.Field(i).String()
			if s == "" {
				t.Errorf("%s: %s is empty", lang, name)
			}
			if n, want := strings.Count(s, "%s"), strings.Count(en.Field(i).String(), "%s"); n != want || strings.Count(s, "%") != n {
				t.Errorf("%s: %s has %d %%s, want %d: %q", lang, name, n, want, s)
			}
			if lang != "en" && s == en.Field(i).String() && name != "English" && name != "French" {
				t.Errorf("%s: %s is the English sentence", lang, name)
			}
		}
	}
}

// TestEveryFormPageRenders renders each page of the hosted forms with
// every field filled, in each language, and with only its layout's
// language: no field or function named wrongly, no "%!" of a bad format.
func TestEveryFormPageRenders(t *testing.T) {
	files, err := fs.Glob(formTemplateFiles, "templates/forms/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/forms/"), ".html")
		if _, ok := formPageTemplates[name]; !ok && name != "layout" {
			t.Errorf("template %s is not one of the form pages", f)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(formPageTemplates)) {
		p := formPageTemplates[name]
		for lang, text := range formTexts {
			full := reflect.New(p.view).Elem()
			fill(full, 0)
			full.FieldByName("T").Set(reflect.ValueOf(text))
			full.FieldByName("Lang").SetString(lang)
			var buf bytes.Buffer
			if err := p.tmpl.ExecuteTemplate(&buf, "layout", full.Interface()); err != nil {
				t.Errorf("%s in %s: %v", name, lang, err)
				continue
			}
			if html := buf.String(); !strings.Contains(html, "</html>") || strings.Contains(html, "<no value>") || strings.Contains(html, "%!") ||
				!strings.Contains(html, `lang="`+lang+`"`) {
				t.Errorf("%s in %s: a page cut short, with a missing value or a bad format:\n%s", name, lang, html)
			}
			for _, tmpl := range []string{"layout", "content"} {
				for _, err := range templateFields(p.tmpl.Lookup(tmpl).Tree, p.view) {
					t.Errorf("%s, %s: %v", name, tmpl, err)
				}
			}
			// Only the language: no workspace (a link not to be trusted).
			bare := reflect.New(p.view).Elem()
			bare.FieldByName("T").Set(reflect.ValueOf(text))
			bare.FieldByName("Lang").SetString(lang)
			if err := p.tmpl.ExecuteTemplate(&buf, "layout", bare.Interface()); err != nil {
				t.Errorf("%s in %s, bare: %v", name, lang, err)
			}
		}
	}
}
