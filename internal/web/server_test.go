package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer/internal/ipdata"
)

func TestAboutDataCreditsSources(t *testing.T) {
	dir := t.TempDir()
	b := ipdata.NewBuilder()
	src := ipdata.Source{Name: "asn.csv", Version: "1.2.3", License: "CC BY 4.0", Attribution: "Networks: Example Registry <b>&</b> friends", URL: "https://registry.example/"}
	if err := b.AddASNCSV(strings.NewReader("192.0.2.0,192.0.2.255,64500,Example GmbH\n"), src); err != nil {
		t.Fatal(err)
	}
	tab, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ipdata.FileName)
	if err := tab.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	res := ipdata.NewResolver(path)
	get := func() string {
		srv := NewServer(Config{IPData: res, Log: slog.New(slog.DiscardHandler)})
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/about/data", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET /about/data: %d", rec.Code)
		}
		b, _ := io.ReadAll(rec.Body)
		return string(b)
	}
	if body := get(); !strings.Contains(body, "No IP data table is loaded") {
		t.Errorf("before loading: %s", body)
	}
	if _, err := res.Load(); err != nil {
		t.Fatal(err)
	}
	body := get()
	for _, want := range []string{"asn.csv", "version 1.2.3", "Example Registry &lt;b&gt;&amp;&lt;/b&gt; friends", "CC BY 4.0", `href="https://registry.example/"`, "1 IPv4"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q:\n%s", want, body)
		}
	}
}
