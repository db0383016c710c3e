package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"text/template/parse"
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

// TestEveryTemplateRenders renders each page with its view: with every
// field filled, so that a field or function a template names wrongly
// fails here and not in front of a user, and for the pages that a
// signed-out visitor sees, with a title and nothing else. A field the
// view lacks fails here even in a branch that neither of those runs
// (templateFields). Every template file is a page, but the parts (_NAME).
func TestEveryTemplateRenders(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if _, ok := pages[name]; !ok && name != "layout" && !strings.HasPrefix(name, "_") { // _NAME: a part of pages
			t.Errorf("template %s is not one of the pages", f)
		}
	}
	names := slices.Sorted(maps.Keys(pages))
	for _, name := range names {
		p := pages[name]
		full := reflect.New(p.view).Elem()
		fill(full, 0)
		if empty := emptyField(full); empty != "" {
			t.Fatalf("%s: fill left %s empty: %+v", name, empty, full)
		}
		var buf bytes.Buffer
		if err := p.tmpl.ExecuteTemplate(&buf, "layout", full.Interface()); err != nil {
			t.Errorf("%s, every field filled: %v", name, err)
			continue
		}
		if html := buf.String(); !strings.Contains(html, "</html>") || strings.Contains(html, "<no value>") {
			t.Errorf("%s, every field filled: a page cut short or with a missing value:\n%s", name, html)
		}
		// Executed, the templates are escaped: their trees change no more.
		for _, tmpl := range []string{"layout", "content"} {
			for _, err := range templateFields(p.tmpl.Lookup(tmpl).Tree, p.view) {
				t.Errorf("%s, %s: %v", name, tmpl, err)
			}
		}
	}
	for _, name := range []string{"home", "login", "setup", "invite", "reset", "notfound", "forbidden", "formerror", "twofactor"} {
		p := pages[name]
		v := reflect.New(p.view).Elem()
		v.FieldByName("Title").SetString("T")
		var buf bytes.Buffer
		if err := p.tmpl.ExecuteTemplate(&buf, "layout", v.Interface()); err != nil {
			t.Errorf("%s, signed out with nothing else: %v", name, err)
		}
	}
}

// emptyField returns the name of a field of the struct v, or of a struct
// it embeds, that is zero, or "".
func emptyField(v reflect.Value) string {
	for i := range v.NumField() {
		f, sf := v.Field(i), v.Type().Field(i)
		if sf.Anonymous && f.Kind() == reflect.Struct {
			if name := emptyField(f); name != "" {
				return name
			}
		} else if f.IsZero() {
			return sf.Name
		}
	}
	return ""
}

// templateFields checks each field a template looks up on its data
// (.Name, where dot is the data, and $.Name anywhere), with the fields it
// looks up in turn on what that gives (.Name.Other), against the type of
// the data, in every branch, whether it runs or not: html/template
// finds a missing field only where it runs.
func templateFields(tree *parse.Tree, data reflect.Type) []error {
	var chains [][]string
	dataRefs(tree.Root, true, &chains)
	var errs []error
	for _, chain := range chains {
		if err := lookup(data, chain); err != nil {
			errs = append(errs, fmt.Errorf(".%s: %w", strings.Join(chain, "."), err))
		}
	}
	return errs
}

// dataRefs adds to chains the chains of names that n looks up on the
// template's data; dotIsData says whether dot is the data there.
func dataRefs(n parse.Node, dotIsData bool, chains *[][]string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				dataRefs(c, dotIsData, chains)
			}
		}
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				dataRefs(c, dotIsData, chains)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			dataRefs(a, dotIsData, chains)
		}
	case *parse.ActionNode:
		dataRefs(n.Pipe, dotIsData, chains)
	case *parse.TemplateNode:
		dataRefs(n.Pipe, dotIsData, chains)
	case *parse.ChainNode:
		dataRefs(n.Node, dotIsData, chains)
	case *parse.FieldNode:
		if dotIsData {
			*chains = append(*chains, n.Ident)
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			*chains = append(*chains, n.Ident[1:])
		}
	case *parse.IfNode:
		branchRefs(&n.BranchNode, dotIsData, dotIsData, chains)
	case *parse.RangeNode:
		branchRefs(&n.BranchNode, dotIsData, false, chains)
	case *parse.WithNode:
		branchRefs(&n.BranchNode, dotIsData, false, chains)
	}
}

// branchRefs is dataRefs for an if, range or with: in its body, dot is
// the data in inBody.
func branchRefs(b *parse.BranchNode, dotIsData, inBody bool, chains *[][]string) {
	dataRefs(b.Pipe, dotIsData, chains)
	dataRefs(b.List, inBody, chains)
	dataRefs(b.ElseList, dotIsData, chains)
}

// lookup follows chain from a value of type t as a template does (a
// method, or else a field, through pointers), and says where it fails.
func lookup(t reflect.Type, chain []string) error {
	for _, name := range chain {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if m, ok := reflect.PointerTo(t).MethodByName(name); ok {
			if m.Type.NumOut() == 0 {
				return fmt.Errorf("%s.%s returns nothing", t, name)
			}
			t = m.Type.Out(0)
			continue
		}
		switch t.Kind() {
		case reflect.Struct:
		case reflect.Map, reflect.Interface:
			return nil // known only when it runs
		default:
			return fmt.Errorf("%s is no struct to have %s", t, name)
		}
		f, ok := t.FieldByName(name)
		if !ok || !f.IsExported() {
			return fmt.Errorf("%s has no field or method %s", t, name)
		}
		t = f.Type
	}
	return nil
}

// TestTemplateFields makes sure that templateFields finds a field the
// data lacks where the template would not run it.
func TestTemplateFields(t *testing.T) {
	type data struct {
		layout
		On   bool
		Rows []struct{ A string }
	}
	for text, want := range map[string]int{
		`{{.Title}}{{.User.Email}}{{.Workspace.WorkspaceName}}{{range .Rows}}{{.A}}{{$.On}}{{end}}`: 0,
		`{{if .On}}{{else}}{{.Missing}}{{end}}`:                                                     1,
		`{{range .Rows}}{{else}}{{.User.Nobody}}{{end}}{{with .Rows}}{{$.Absent}}{{end}}`:           2,
		`{{if .On}}{{template "x" .Missing}}{{end}}{{.Title.Nothing}}`:                              2,
	} {
		tree, err := parse.New("t").Parse(text, "", "", map[string]*parse.Tree{})
		if err != nil {
			t.Fatal(err)
		}
		if errs := templateFields(tree, reflect.TypeFor[data]()); len(errs) != want {
			t.Errorf("%s: %d errors, want %d: %v", text, len(errs), want, errs)
		}
	}
}
