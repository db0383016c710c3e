package web

import (
	"bytes"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// fill sets every settable field of v, recursively, to a value that is not
// zero: strings "x1", numbers 1, true, a fixed time, one element in each
// slice and map, and a filled value behind each pointer. Exported fields of
// embedded structs are filled too, as the templates reach them.
func fill(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		if v.CanSet() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)))
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			if sf.Anonymous || f.CanSet() {
				fill(f, depth+1)
			}
		}
		return
	}
	if !v.CanSet() {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x1")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// TestEveryTemplateRenders renders each page twice: with every field of
// pageData filled, so that a field or function a template names wrongly
// fails here and not in front of a user, and with what the pages that a
// signed-out visitor sees get at the least. Every template file is a page.
func TestEveryTemplateRenders(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if _, ok := pages[name]; !ok && name != "layout" {
			t.Errorf("template %s is not one of the pages", f)
		}
	}
	var full pageData
	fill(reflect.ValueOf(&full).Elem(), 0)
	if full.User == nil || full.Workspace.WorkspaceName == "" || len(full.Feed) == 0 || full.Feed[0].Name == "" {
		t.Fatalf("fill left fields empty: %+v", full)
	}
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		var buf bytes.Buffer
		if err := pages[name].ExecuteTemplate(&buf, "layout", full); err != nil {
			t.Errorf("%s, every field filled: %v", name, err)
			continue
		}
		if html := buf.String(); !strings.Contains(html, "</html>") || strings.Contains(html, "<no value>") {
			t.Errorf("%s, every field filled: a page cut short or with a missing value:\n%s", name, html)
		}
	}
	for _, name := range []string{"login", "setup", "invite", "reset", "notfound", "forbidden", "formerror", "twofactor"} {
		var buf bytes.Buffer
		if err := pages[name].ExecuteTemplate(&buf, "layout", pageData{Title: "T"}); err != nil {
			t.Errorf("%s, signed out with nothing else: %v", name, err)
		}
	}
}
