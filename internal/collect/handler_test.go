package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

const browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

// collector is a Handler over a real SQLite store, served over HTTP.
type collector struct {
	store *store.Store
	ws    *foyer.Workspace
	site  *foyer.Site
	srv   *httptest.Server
}

func newCollector(t *testing.T, cfg Config) *collector {
	t.Helper()
	s := testutil.NewStore(t, store.SQLite, store.Options{})
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "example.com", "*.example.com")
	nogpc := &foyer.Site{WorkspaceID: ws.ID, Key: "nogpc", Hostnames: []string{"example.org"}, HonorGPC: false}
	if err := s.CreateSite(context.Background(), nogpc); err != nil {
		t.Fatal(err)
	}
	if cfg.Writer == nil {
		w := NewWriter(s, WriterConfig{Log: slog.New(slog.DiscardHandler)})
		w.Start()
		t.Cleanup(func() { w.Stop(context.Background()) })
		cfg.Writer = w
	}
	cfg.Sites = s
	cfg.Log = slog.New(slog.DiscardHandler)
	srv := httptest.NewServer(NewHandler(cfg))
	t.Cleanup(srv.Close)
	return &collector{store: s, ws: ws, site: site, srv: srv}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (c *collector) do(t *testing.T, method, body string, hdr map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+"/collect", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	req.Header.Set("User-Agent", browserUA)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s /collect: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

func (c *collector) post(t *testing.T, body string) answer { return c.do(t, "POST", body, nil) }

// events returns the stored events of site acme, oldest first.
func (c *collector) events(t *testing.T) []foyer.StoredEvent {
	t.Helper()
	var out []foyer.StoredEvent
	err := c.store.Events(context.Background(), c.ws.ID, c.site.ID, time.Unix(0, 0), func(e *foyer.StoredEvent) error {
		out = append(out, *e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantError checks an error answer: status, JSON body with code and a
// message that contains msg.
func wantError(t *testing.T, a answer, status int, code, msg string) {
	t.Helper()
	if a.status != status {
		t.Errorf("status %d, want %d (body %s)", a.status, status, a.body)
		return
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("body %q is not {\"error\":{\"code\",\"message\"}}: %v", a.body, err)
	}
	if e.Error.Code != code || !strings.Contains(e.Error.Message, msg) {
		t.Errorf("error %+v, want code %q and a message saying %q", e.Error, code, msg)
	}
}

func TestHandlerStoresSanitisedEvents(t *testing.T) {
	t.Parallel()
	c := newCollector(t, Config{})
	body := `{"site":"acme","visitor":"k3J9xQ2mW8rT5vYb","events":[
		{"type":"pageview","url":"https://WWW.example.com/pricing?utm_source=news&utm_campaign=spring&email=jane%40acme.com&plan=team#buy",
		 "title":"  Pricing\u0000 — Acme  ","referrer":"https://news.example.net/item/jane@acme.com?id=99#c"},
		{"type":"engagement","url":"https://www.example.com/pricing","engaged_ms":12500},
		{"type":"outbound","url":"https://www.example.com/pricing","target":"https://partner.example/docs?token=abc&utm_source=acme#x"},
		{"type":"pageview","url":"https://example.com/users/jane@acme.com","referrer":"https://docs.example.com/internal"}
	]}`
	a := c.do(t, "POST", body, map[string]string{"Origin": "https://www.example.com"})
	if a.status != http.StatusAccepted || string(a.body) != "{\"accepted\":4}\n" {
		t.Fatalf("answer %d %q, want 202 {\"accepted\":4}", a.status, a.body)
	}
	if got := a.header.Get("Access-Control-Allow-Origin"); got != "https://www.example.com" {
		t.Errorf("Access-Control-Allow-Origin %q, want the request's origin", got)
	}
	if got := a.header.Get("Vary"); got != "Origin" {
		t.Errorf("Vary %q, want Origin", got)
	}
	if a.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Error("credentials must not be allowed")
	}
	if got := a.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
	type ev struct{ typ, host, path, title, ref, utmSource, utmCampaign, target string }
	want := []ev{
		// No query parameter is kept but those the site lists, and acme lists none.
		{"pageview", "www.example.com", "/pricing", "Pricing — Acme", "https://news.example.net/item/:email", "news", "spring", ""},
		{"engagement", "www.example.com", "/pricing", "", "https://news.example.net/item/:email", "news", "spring", ""},
		{"outbound", "www.example.com", "/pricing", "", "https://news.example.net/item/:email", "news", "spring", "https://partner.example/docs?utm_source=acme"},
		// An internal referrer is not kept, so the visit goes on.
		{"pageview", "example.com", "/users/:email", "", "https://news.example.net/item/:email", "news", "spring", ""},
	}
	got := c.events(t)
	if len(got) != len(want) {
		t.Fatalf("stored %d events, want %d: %+v", len(got), len(want), got)
	}
	for i, e := range got {
		g := ev{e.Type, e.Host, e.Path, e.Title, e.Referrer, e.UTMSource, e.UTMCampaign, e.Target}
		if g != want[i] {
			t.Errorf("event %d\n got %+v\nwant %+v", i, g, want[i])
		}
		if e.VisitorUID != "k3J9xQ2mW8rT5vYb" {
			t.Errorf("event %d: visitor %q", i, e.VisitorUID)
		}
	}
	if got[1].EngagedMS != 12500 {
		t.Errorf("engaged_ms %d, want 12500", got[1].EngagedMS)
	}
	// Without an Origin any page may read the answer, and the headers of
	// the answer before (they share their values) have not leaked into it.
	b := c.post(t, `{"site":"acme","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"engagement","url":"https://www.example.com/pricing","engaged_ms":100}]}`)
	if b.status != http.StatusAccepted || string(b.body) != "{\"accepted\":1}\n" {
		t.Fatalf("second answer %d %q, want 202 {\"accepted\":1}", b.status, b.body)
	}
	if got := b.header.Values("Access-Control-Allow-Origin"); len(got) != 1 || got[0] != "*" {
		t.Errorf("Access-Control-Allow-Origin %q without an Origin, want *", got)
	}
	if got := b.header.Get("Vary"); got != "" {
		t.Errorf("Vary %q without an Origin", got)
	}
	if got := b.header.Values("Content-Type"); len(got) != 1 || got[0] != "application/json" {
		t.Errorf("Content-Type %q, want application/json", got)
	}
}

func TestHandlerBadInput(t *testing.T) {
	t.Parallel()
	c := newCollector(t, Config{})
	good := `{"site":"acme","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"pageview","url":"https://example.com/kept/1"},{"type":"pageview","url":"https://example.com/kept/2"}]}`
	if a := c.post(t, good); a.status != http.StatusAccepted {
		t.Fatalf("good batch: %d %s", a.status, a.body)
	}
	before := c.events(t)

	ev := func(s string) string {
		return `{"site":"acme","visitor":"k3J9xQ2mW8rT5vYb","events":[` + s + `]}`
	}
	tests := []struct {
		name, method, body string
		status             int
		code, msg          string
	}{
		{"oversized", "POST", `{"site":"acme","pad":"` + strings.Repeat("x", MaxBody) + `"}`, 413, "too_large", "larger than 65536 bytes"},
		{"malformed JSON", "POST", `{"site":"acme",`, 400, "invalid", "malformed JSON"},
		{"invalid UTF-8", "POST", ev(`{"type":"pageview","url":"https://example.com/bad/` + "\xff" + `"}`), 400, "invalid", "not valid UTF-8"},
		{"unknown site", "POST", strings.Replace(ev(`{"type":"pageview","url":"https://example.com/bad/1"}`), "acme", "nope", 1), 404, "not_found", `unknown site key "nope"`},
		{"wrong hostname", "POST", ev(`{"type":"pageview","url":"https://evil.example.net/bad/2"}`), 403, "forbidden", `hostname "evil.example.net" is not allowed for site "acme"`},
		{"too many events", "POST", batch(goodVisitor, 51), 400, "invalid", "51 events, at most 50"},
		{"missing visitor", "POST", `{"site":"acme","events":[{"type":"pageview","url":"https://example.com/bad/3"}]}`, 400, "invalid", `"visitor"`},
		{"short visitor", "POST", `{"site":"acme","visitor":"short","events":[{"type":"pageview","url":"https://example.com/bad/4"}]}`, 400, "invalid", `"visitor": want 16 to 64`},
		{"bad type", "POST", ev(`{"type":"click","url":"https://example.com/bad/5"}`), 400, "invalid", `event 0: unknown event type "click"`},
		{"missing url", "POST", ev(`{"type":"pageview"}`), 400, "invalid", `event 0: field "url" is required`},
		{"non-http url", "POST", ev(`{"type":"pageview","url":"ftp://example.com/bad/6"}`), 400, "invalid", "event 0: url: want an absolute http or https URL"},
		{"engaged_ms 0", "POST", ev(`{"type":"engagement","url":"https://example.com/bad/7","engaged_ms":0}`), 400, "invalid", `event 0: field "engaged_ms": want 1 to 86400000`},
		{"engaged_ms negative", "POST", ev(`{"type":"engagement","url":"https://example.com/bad/8","engaged_ms":-5}`), 400, "invalid", `"engaged_ms": want 1 to 86400000`},
		{"engaged_ms over a day", "POST", ev(`{"type":"engagement","url":"https://example.com/bad/9","engaged_ms":86400001}`), 400, "invalid", `"engaged_ms": want 1 to 86400000`},
		{"outbound without target", "POST", ev(`{"type":"outbound","url":"https://example.com/bad/10"}`), 400, "invalid", "event 0: target: want an absolute http or https URL"},
		{"one bad event among good", "POST", ev(`{"type":"pageview","url":"https://example.com/bad/11"},{"type":"pageview","url":"https://example.com/bad/12"},` +
			`{"type":"engagement","url":"https://example.com/bad/13","engaged_ms":0},{"type":"pageview","url":"https://example.com/bad/14"}`), 400, "invalid", "event 2: "},
		{"one forbidden event among good", "POST", ev(`{"type":"pageview","url":"https://example.com/bad/15"},{"type":"pageview","url":"https://other.test/bad/16"}`), 403, "forbidden", "event 1: "},
		{"GET", "GET", "", 405, "invalid", "use POST"},
		{"PUT", "PUT", good, 405, "invalid", "use POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := c.do(t, tt.method, tt.body, nil)
			wantError(t, a, tt.status, tt.code, tt.msg)
			if tt.status == 405 && a.header.Get("Allow") != "POST, OPTIONS" {
				t.Errorf("Allow %q, want POST, OPTIONS", a.header.Get("Allow"))
			}
		})
	}

	a := c.do(t, "OPTIONS", "", map[string]string{"Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
	if a.status != http.StatusNoContent || len(a.body) != 0 {
		t.Errorf("OPTIONS: %d %q, want 204 and no body", a.status, a.body)
	}
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin": "https://example.com", "Access-Control-Allow-Methods": "POST, OPTIONS",
		"Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "86400",
	} {
		if got := a.header.Get(k); got != v {
			t.Errorf("OPTIONS: %s %q, want %q", k, got, v)
		}
	}

	after := c.events(t)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("stored events changed after bad input\nbefore %+v\n after %+v", before, after)
	}
}

func TestHandlerDrops(t *testing.T) {
	t.Parallel()
	c := newCollector(t, Config{})
	body := batch(goodVisitor, 2)
	body = strings.ReplaceAll(strings.Replace(body, `"demo"`, `"acme"`, 1), "https://example.com/p/", "https://example.com/dropped/")
	for _, tt := range []struct {
		name string
		hdr  map[string]string
	}{
		{"Sec-GPC", map[string]string{"Sec-GPC": "1"}},
		{"DNT", map[string]string{"DNT": "1"}},
		{"bot", map[string]string{"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}},
		{"headless", map[string]string{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36"}},
		{"curl", map[string]string{"User-Agent": "curl/8.5.0"}},
		{"empty user agent", map[string]string{"User-Agent": " "}},
	} {
		a := c.do(t, "POST", body, tt.hdr)
		if a.status != http.StatusNoContent || len(a.body) != 0 {
			t.Errorf("%s: %d %q, want 204 and no body", tt.name, a.status, a.body)
		}
	}
	if got := c.events(t); len(got) != 0 {
		t.Errorf("dropped requests stored %d events: %+v", len(got), got)
	}
	// A site that does not honour GPC stores the same request.
	nogpc := strings.ReplaceAll(strings.Replace(body, `"acme"`, `"nogpc"`, 1), "example.com", "example.org")
	if a := c.do(t, "POST", nogpc, map[string]string{"Sec-GPC": "1"}); a.status != http.StatusAccepted {
		t.Errorf("GPC on a site that does not honour it: %d %s, want 202", a.status, a.body)
	}
}

func TestHandlerStoreFailure(t *testing.T) {
	t.Parallel()
	f := &fakeEvents{fail: func(foyer.Hit) bool { return true }}
	w := NewWriter(f, WriterConfig{Log: slog.New(slog.DiscardHandler)})
	w.Start()
	t.Cleanup(func() { w.Stop(context.Background()) })
	c := newCollector(t, Config{Writer: w})
	a := c.post(t, strings.Replace(batch(goodVisitor, 1), `"demo"`, `"acme"`, 1))
	wantError(t, a, http.StatusServiceUnavailable, "unavailable", "could not be stored; try again")
}

func TestHandlerRateLimit(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	trusted, _ := clientip.ParsePrefixes("10.0.0.1")
	c := newCollector(t, Config{Now: clock.Now, RatePerClient: 1, RateBurst: 2, ClientIP: clientip.Finder{Trusted: trusted}})
	h := c.srv.Config.Handler
	body := strings.Replace(batch(goodVisitor, 1), `"demo"`, `"acme"`, 1)
	send := func(remote, xff string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/collect", strings.NewReader(body))
		r.RemoteAddr = remote
		r.Header.Set("User-Agent", browserUA)
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 2 {
		if w := send("203.0.113.5:1000", ""); w.Code != http.StatusAccepted {
			t.Fatalf("request %d within the burst: %d %s", i, w.Code, w.Body)
		}
	}
	w := send("203.0.113.5:1001", "192.0.2.99") // a spoofed header does not make a new client
	wantError(t, answer{w.Code, w.Header(), w.Body.Bytes()}, http.StatusTooManyRequests, "rate_limited", "too many requests")
	if w.Header().Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q, want 1", w.Header().Get("Retry-After"))
	}
	if w := send("203.0.113.6:1000", ""); w.Code != http.StatusAccepted {
		t.Errorf("another client: %d, want 202", w.Code)
	}
	// Behind the trusted proxy, each forwarded client has its own bucket.
	for _, xff := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2"} {
		if w := send("10.0.0.1:443", xff); w.Code != http.StatusAccepted {
			t.Errorf("proxied client %s: %d, want 202", xff, w.Code)
		}
	}
	if w := send("10.0.0.1:443", "192.0.2.1"); w.Code != http.StatusTooManyRequests {
		t.Errorf("proxied client over its burst: %d, want 429", w.Code)
	}
	clock.Add(time.Second)
	if w := send("203.0.113.5:1000", ""); w.Code != http.StatusAccepted {
		t.Errorf("after a second: %d, want 202", w.Code)
	}
	if w := send("203.0.113.5:1000", ""); w.Code != http.StatusTooManyRequests {
		t.Errorf("second request after a second at 1/s: %d, want 429", w.Code)
	}
}

func TestBuildHits(t *testing.T) {
	t.Parallel()
	site := &foyer.Site{ID: 7, Key: "acme", Hostnames: []string{"example.com", "*.example.com"}}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	origin := foyer.Origin{Country: "DE", Org: foyer.Org{Name: "Globex", Type: foyer.OrgBusiness}}
	p := &Payload{Site: "acme", Visitor: goodVisitor, Events: []RawEvent{
		{Type: "pageview", URL: "https://shop.example.com/?utm_medium=cpc", Title: "\t" + strings.Repeat("ü", 300) + "\x00", Referrer: "https://shop.example.com/cart"},
		{Type: "engagement", URL: "https://example.com/?utm_medium=cpc", EngagedMS: maxEngagedMS},
		{Type: "engagement", URL: "https://example.com/", EngagedMS: 1},
	}}
	hits, err := BuildHits(site, p, origin, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 {
		t.Fatalf("%d hits, want 3", len(hits))
	}
	h := hits[0]
	if h.SiteID != 7 || h.VisitorUID != goodVisitor || !h.Time.Equal(now) || h.Origin != origin || h.Kind != foyer.KindPageview {
		t.Errorf("hit 0 %+v", h)
	}
	if len(h.Title) > maxTitle || strings.ContainsRune(h.Title, 0) || !strings.HasPrefix(h.Title, "üü") || !strings.HasSuffix(h.Title, "ü") {
		t.Errorf("title %q (%d bytes): want trimmed, no NUL, at most %d bytes of whole runes", h.Title, len(h.Title), maxTitle)
	}
	if h.Referrer != "" {
		t.Errorf("internal referrer kept: %q", h.Referrer)
	}
	if h.UTM.Medium != "cpc" || !hits[1].UTM.IsZero() {
		t.Errorf("UTM %+v / %+v: only a pageview carries its campaign", h.UTM, hits[1].UTM)
	}
	if hits[1].Path != "/" || hits[1].EngagedMS != maxEngagedMS {
		t.Errorf("hit 1 %+v", hits[1])
	}

	for _, bad := range []struct {
		ev   RawEvent
		code string
	}{
		{RawEvent{Type: "", URL: "https://example.com/"}, foyer.EINVALID},
		{RawEvent{Type: "PageView", URL: "https://example.com/"}, foyer.EINVALID},
		{RawEvent{Type: "pageview", URL: "https://example.com.evil.test/"}, foyer.EFORBIDDEN},
		{RawEvent{Type: "pageview", URL: "https://notexample.com/"}, foyer.EFORBIDDEN},
		{RawEvent{Type: "outbound", URL: "https://example.com/", Target: "javascript:void(0)"}, foyer.EINVALID},
	} {
		p := &Payload{Site: "acme", Visitor: goodVisitor, Events: []RawEvent{{Type: "pageview", URL: "https://example.com/"}, bad.ev}}
		hits, err := BuildHits(site, p, origin, now)
		if foyer.ErrorCode(err) != bad.code || hits != nil || !strings.HasPrefix(foyer.ErrorMessage(err), "event 1: ") {
			t.Errorf("BuildHits(%+v) = %d hits, %v; want %s for event 1 and no hits", bad.ev, len(hits), err, bad.code)
		}
	}
}
