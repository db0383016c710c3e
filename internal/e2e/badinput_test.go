package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadInput proves "bad input gets a clear error, and nothing already
// stored is lost": after good events are stored, every kind of bad request
// gets its status and a JSON error that says what is wrong, and the export
// is byte for byte what it was, with no event of a rejected batch in it.
func TestBadInput(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo", "--rate-limit", "0")
	c := newClient(t)
	ctx := context.Background()
	post := func(body []byte, hdr map[string]string) response {
		t.Helper()
		r, err := send(ctx, c, "POST", srv.URL+"/collect", body, hdr)
		if err != nil {
			t.Fatalf("POST /collect: %v", err)
		}
		return r
	}
	const visitor = "badinput-visitor-0001"

	// Good events first, with every field that is stored.
	good := [][]event{
		{
			{Type: "pageview", URL: "http://localhost:8080/good/pricing?plan=team&utm_source=news&utm_medium=email&utm_campaign=spring",
				Title: "Pricing — Demo", Referrer: "https://www.example.org/search?q=foyer"},
			{Type: "engagement", URL: "http://localhost:8080/good/pricing", EngagedMS: 12500},
			{Type: "outbound", URL: "http://localhost:8080/good/pricing", Target: "https://partner.example/docs?ref=demo"},
		},
		pageviews("/good/about", "/good/contact"),
		{{Type: "pageview", URL: "http://127.0.0.1/good/ip-host", Title: "製品 🎉"}},
	}
	for i, b := range good {
		if r := post(batchJSON("demo", visitor, b...), nil); r.status != http.StatusAccepted {
			t.Fatalf("good batch %d: %d %s", i, r.status, r.body)
		}
	}
	before := export(t, dsn, "demo")
	if n := len(parseExport(t, before)); n != 6 {
		t.Fatalf("exported %d events after the good batches, want 6", n)
	}

	bad := func(evs ...event) []byte { return batchJSON("demo", visitor, evs...) }
	pv := func(path string) event { return event{Type: "pageview", URL: "http://localhost" + path} }
	fifty1 := make([]event, 51)
	for i := range fifty1 {
		fifty1[i] = pv(fmt.Sprintf("/bad/many/%d", i))
	}
	invalidUTF8 := []byte(`{"site":"demo","visitor":"` + visitor + `","events":[{"type":"pageview","url":"http://localhost/bad/utf8","title":"caf` + "\xff" + `"}]}`)
	tests := []struct {
		name      string
		body      []byte
		status    int
		code, msg string
	}{
		{"oversized", append(bad(pv("/bad/big")), bytes.Repeat([]byte(" "), 64<<10)...), http.StatusRequestEntityTooLarge, "too_large", "larger than 65536 bytes"},
		{"malformed JSON", []byte(`{"site":"demo","visitor":"` + visitor + `","events":[{"type":"pageview",`), http.StatusBadRequest, "invalid", "malformed JSON"},
		{"not an object", []byte(`["demo"]`), http.StatusBadRequest, "invalid", "want a JSON object"},
		{"trailing garbage", append(bad(pv("/bad/trailing")), ']'), http.StatusBadRequest, "invalid", "data after the batch object"},
		{"unknown site", batchJSON("no-such-site", visitor, pv("/bad/site")), http.StatusNotFound, "not_found", `unknown site key "no-such-site"`},
		{"wrong hostname", bad(event{Type: "pageview", URL: "https://evil.example.net/bad/host"}), http.StatusForbidden, "forbidden",
			`hostname "evil.example.net" is not allowed for site "demo"`},
		{"51 events", bad(fifty1...), http.StatusBadRequest, "invalid", "51 events, at most 50"},
		{"invalid UTF-8", invalidUTF8, http.StatusBadRequest, "invalid", "not valid UTF-8"},
		{"missing visitor", []byte(`{"site":"demo","events":[{"type":"pageview","url":"http://localhost/bad/novisitor"}]}`),
			http.StatusBadRequest, "invalid", `"visitor": want 16 to 64 characters`},
		{"short visitor", batchJSON("demo", "abc123", pv("/bad/shortvisitor")), http.StatusBadRequest, "invalid", `"visitor": want 16 to 64 characters`},
		{"no events", batchJSON("demo", visitor), http.StatusBadRequest, "invalid", "at least one event"},
		{"bad type", bad(event{Type: "click", URL: "http://localhost/bad/type"}), http.StatusBadRequest, "invalid", `event 0: unknown event type "click"`},
		{"non-http URL", bad(event{Type: "pageview", URL: "javascript:alert(1)"}), http.StatusBadRequest, "invalid", "event 0: url: want an absolute http or https URL"},
		{"relative URL", bad(event{Type: "pageview", URL: "/bad/relative"}), http.StatusBadRequest, "invalid", "event 0: url: want an absolute http or https URL"},
		{"engaged_ms 0", bad(event{Type: "engagement", URL: "http://localhost/bad/engaged0"}), http.StatusBadRequest, "invalid",
			`event 0: field "engaged_ms": want 1 to 86400000`},
		{"engaged_ms over a day", bad(event{Type: "engagement", URL: "http://localhost/bad/engagedbig", EngagedMS: 86_400_001}),
			http.StatusBadRequest, "invalid", `event 0: field "engaged_ms": want 1 to 86400000`},
		{"engaged_ms negative", bad(event{Type: "engagement", URL: "http://localhost/bad/engagedneg", EngagedMS: -1}),
			http.StatusBadRequest, "invalid", `field "engaged_ms": want 1 to 86400000`},
		{"engaged_ms not a number", []byte(`{"site":"demo","visitor":"` + visitor + `","events":[{"type":"engagement","url":"http://localhost/bad/engagedstr","engaged_ms":"5"}]}`),
			http.StatusBadRequest, "invalid", `field "events.engaged_ms": want an integer, got string`},
		{"outbound without target", bad(event{Type: "outbound", URL: "http://localhost/bad/notarget"}), http.StatusBadRequest, "invalid",
			"event 0: target: want an absolute http or https URL"},
		{"one bad event among good ones", bad(pv("/bad/mixed/0"), pv("/bad/mixed/1"),
			event{Type: "engagement", URL: "http://localhost/bad/mixed/2", EngagedMS: 0}, pv("/bad/mixed/3")),
			http.StatusBadRequest, "invalid", `event 2: field "engaged_ms"`},
		{"one forbidden event among good ones", bad(pv("/bad/mixedhost/0"), event{Type: "pageview", URL: "https://evil.example.net/bad/mixedhost/1"}),
			http.StatusForbidden, "forbidden", "event 1: "},
	}
	for _, tt := range tests {
		wantErrorBody(t, tt.name, post(tt.body, nil), tt.status, tt.code, tt.msg)
	}

	// Requests that are dropped on purpose: 204 and nothing stored.
	for name, hdr := range map[string]map[string]string{
		"Sec-GPC":    {"Sec-GPC": "1"},
		"DNT":        {"DNT": "1"},
		"bot":        {"User-Agent": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"},
		"empty UA":   {"User-Agent": ""},
		"python bot": {"User-Agent": "python-requests/2.31.0"},
	} {
		r := post(bad(pv("/bad/dropped/"+strings.ReplaceAll(name, " ", "-"))), hdr)
		if r.status != http.StatusNoContent || len(r.body) != 0 {
			t.Errorf("%s: %d %q, want 204 and no body", name, r.status, r.body)
		}
	}

	// Wrong method. The collector's own 405 carries a JSON error (see
	// internal/collect's TestHandlerBadInput); through the server's router
	// only the status and Allow header are the collector's promise today.
	for _, m := range []string{"GET", "PUT", "DELETE"} {
		r, err := send(ctx, c, m, srv.URL+"/collect", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.status != http.StatusMethodNotAllowed || !strings.Contains(r.header.Get("Allow"), "POST") {
			t.Errorf("%s /collect: %d, Allow %q; want 405 allowing POST", m, r.status, r.header.Get("Allow"))
		}
	}

	// CORS preflight.
	r, err := send(ctx, c, "OPTIONS", srv.URL+"/collect", nil, map[string]string{
		"Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.status != http.StatusNoContent {
		t.Errorf("OPTIONS /collect: %d, want 204", r.status)
	}
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin": "http://localhost:8080", "Access-Control-Allow-Methods": "POST, OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type",
	} {
		if got := r.header.Get(k); got != v {
			t.Errorf("OPTIONS /collect: %s %q, want %q", k, got, v)
		}
	}

	after := export(t, dsn, "demo")
	if !bytes.Equal(before, after) {
		t.Errorf("the export changed after bad input\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for p := range pathCounts(parseExport(t, after)) {
		if strings.HasPrefix(p, "/bad/") {
			t.Errorf("event %s of a rejected or dropped batch was stored", p)
		}
	}

	// The server still takes good batches.
	if r := post(batchJSON("demo", visitor, pageviews("/good/after")...), nil); r.status != http.StatusAccepted {
		t.Errorf("good batch after the bad ones: %d %s", r.status, r.body)
	}
	if n := pathCounts(parseExport(t, export(t, dsn, "demo")))["/good/after"]; n != 1 {
		t.Errorf("good batch after the bad ones stored %d times, want once", n)
	}
	srv.stop()
}
