package tracker

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestStorageDeclared holds the cookie declaration's list to the tracker:
// every entry of Storage is named in src/foyer.js and in the builds that
// set it (t.min.js leaves out the IDOnly ones), is written with the API of
// its kind, and every _foyer name the source spells is in the list.
func TestStorageDeclared(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("src/foyer.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	core, id := string(Script()), string(IDScript())
	api := map[StorageKind]string{Cookie: "D.cookie", LocalStorage: "localStorage.setItem", SessionStorage: "sessionStorage.setItem"}
	names := map[string]bool{}
	for _, e := range Storage() {
		names[e.Name] = true
		quoted := "'" + e.Name + "'"
		if !strings.Contains(src, quoted) {
			t.Errorf("%s %s: not in src/foyer.js", e.Kind, e.Name)
		}
		if !strings.Contains(src, api[e.Kind]) {
			t.Errorf("%s %s: src/foyer.js never calls %s", e.Kind, e.Name, api[e.Kind])
		}
		if !strings.Contains(id, `"`+e.Name+`"`) {
			t.Errorf("%s %s: not in ti.min.js", e.Kind, e.Name)
		}
		if in := strings.Contains(core, `"`+e.Name+`"`); in == e.IDOnly {
			t.Errorf("%s %s: in t.min.js is %v, want %v", e.Kind, e.Name, in, !e.IDOnly)
		}
		for _, w := range []Words{e.Purpose, e.Life, e.When} {
			if w.EN == "" || w.FR == "" {
				t.Errorf("%s %s: a text is missing in English or French: %+v", e.Kind, e.Name, w)
			}
		}
		if !Declared(e.Kind, e.Name) {
			t.Errorf("Declared(%s, %s) is false", e.Kind, e.Name)
		}
	}
	for _, n := range regexp.MustCompile(`'(_foyer_\w+)'`).FindAllStringSubmatch(src, -1) {
		if !names[n[1]] {
			t.Errorf("src/foyer.js names %s, which the declaration does not list", n[1])
		}
	}
	if Declared(Cookie, "hubspotutk") || Declared(SessionStorage, "_foyer_id") {
		t.Error("Declared answers true for what the tracker does not set")
	}
	// Storage hands out a copy.
	s := Storage()
	s[0].Name = "changed"
	if !slices.ContainsFunc(Storage(), func(e StorageEntry) bool { return e.Name == "_foyer_id" && e.Kind == Cookie }) {
		t.Error("changing what Storage returned changed the list")
	}
}
