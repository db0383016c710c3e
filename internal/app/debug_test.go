package app

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/internal/ipdata"
)

func TestReloadIPData(t *testing.T) {
	path := filepath.Join(t.TempDir(), ipdata.FileName)
	write := func(org string) {
		b := ipdata.NewBuilder()
		if err := b.AddASNCSV(strings.NewReader("192.0.2.0,192.0.2.255,64500,"+org+"\n"), ipdata.Source{Name: "asn.csv"}); err != nil {
			t.Fatal(err)
		}
		tab, err := b.Build()
		if err != nil {
			t.Fatal(err)
		}
		if err := tab.WriteFile(path); err != nil {
			t.Fatal(err)
		}
	}
	res := ipdata.NewResolver(path)
	h := debugHandler(res)
	reload := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/admin/ipdata/reload", nil))
		var out map[string]any
		json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	ip := netip.MustParseAddr("192.0.2.1")
	write("First Example GmbH")
	if code, out := reload(); code != 200 || out["ranges_v4"] != float64(1) {
		t.Fatalf("reload: %d %v", code, out)
	}
	if got := res.Lookup(ip).Org; got != "First Example GmbH" {
		t.Fatalf("after the first reload: %q", got)
	}
	os.WriteFile(path, []byte("broken"), 0o600)
	if code, out := reload(); code != http.StatusUnprocessableEntity || out["kept"] == nil {
		t.Errorf("a broken file: %d %v", code, out)
	}
	if got := res.Lookup(ip).Org; got != "First Example GmbH" {
		t.Errorf("after a failed reload: %q", got)
	}
	write("Second Example AB")
	reload()
	if got := res.Lookup(ip).Org; got != "Second Example AB" {
		t.Errorf("after the second reload: %q", got)
	}
	rec := httptest.NewRecorder()
	debugHandler(nil).ServeHTTP(rec, httptest.NewRequest("POST", "/admin/ipdata/reload", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("without a resolver: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/admin/ipdata/reload", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", rec.Code)
	}
}
