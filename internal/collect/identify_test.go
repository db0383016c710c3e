package collect

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// personaCollector is a collector over a real SQLite file whose workspace
// has Persona Insights on, with contacts, and whose log is kept.
type personaCollector struct {
	*collector
	dir       string
	log       *bytes.Buffer
	jane, rob *foyer.Contact
	hubspot   *HubSpotResolver
}

// syncBuffer is a bytes.Buffer safe for the handler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Buffer.Write(p)
}

func newPersonaCollector(t *testing.T, identify foyer.Identification, lookup HubSpotLookup) *personaCollector {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "foyer.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	keys, err := vault.New(bytes.Repeat([]byte{3}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(keys)
	ws, site := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	site.Identify = identify
	if err := s.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPersonaBasis(ctx, ws.ID, foyer.PersonaConsent, "user 1"); err != nil {
		t.Fatal(err)
	}
	p := &personaCollector{dir: dir}
	mk := func(email, crm string, status foyer.ConsentStatus) *foyer.Contact {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: email, FirstName: "First", CRMID: crm}
		var change *foyer.ConsentChange
		if status != foyer.ConsentUnanswered {
			change = &foyer.ConsentChange{Status: status, At: time.Now().Add(-time.Hour), Source: foyer.SourceAPI, Actor: "test"}
		}
		if _, _, _, err := s.CreateContactWithConsent(ctx, c, "test", change); err != nil {
			t.Fatal(err)
		}
		return c
	}
	p.jane = mk("jane@client.example", "901", foyer.ConsentAccepted)
	p.rob = mk("rob@client.example", "902", foyer.ConsentRefused)

	logBuf := &syncBuffer{}
	p.log = &logBuf.Buffer
	logger := slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := NewWriter(s, WriterConfig{Log: logger})
	w.Start()
	t.Cleanup(func() { w.Stop(context.Background()) })
	cfg := Config{Sites: s, Writer: w, Matcher: s, Log: logger}
	if lookup != nil {
		p.hubspot = NewHubSpotResolver(HubSpotConfig{Lookup: lookup, Tokens: s, Matcher: s, Writer: w, Log: logger})
		p.hubspot.Start()
		t.Cleanup(func() { p.hubspot.Stop(context.Background()) })
		cfg.HubSpot = p.hubspot
		if err := s.SetHubSpotToken(ctx, ws.ID, "pat-test-token", "user 1"); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(NewHandler(cfg))
	t.Cleanup(srv.Close)
	p.collector = &collector{store: s, ws: ws, site: site, srv: srv}
	return p
}

// linked returns the contact each of the visitor's visits is linked to
// (0: anonymous), oldest first.
func (p *personaCollector) linked(t *testing.T, visitor string) []int64 {
	t.Helper()
	vs, err := p.store.Activity(context.Background(), foyer.ActivityQuery{WorkspaceID: p.ws.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].VisitorUID != visitor {
			continue
		}
		var id int64
		if vs[i].Person != nil {
			id = vs[i].Person.ContactID
		}
		out = append(out, id)
	}
	return out
}

// files returns every byte Foyer wrote: the database, its WAL, the log.
func (p *personaCollector) files(t *testing.T) []byte {
	t.Helper()
	var all []byte
	entries, _ := os.ReadDir(p.dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(p.dir, e.Name()))
		if err == nil {
			all = append(all, b...)
		}
	}
	return append(all, p.log.Bytes()...)
}

func idBatch(visitor string, events ...string) string {
	return `{"site":"acme","visitor":"` + visitor + `","events":[` + strings.Join(events, ",") + `]}`
}

const pv = `{"type":"pageview","url":"https://www.example.com/pricing"}`

func identifyEvent(via, fields string) string {
	return `{"type":"identify","via":"` + via + `","url":"https://www.example.com/contact"` + fields + `}`
}

// TestCollectIdentify: a form's email links the visitor to a known
// contact who may be tracked; an unknown email, a refused contact or a
// source the site has off leaves the visit anonymous and the identifiers
// in no byte Foyer wrote; and the answer is the same either way.
func TestCollectIdentify(t *testing.T) {
	t.Parallel()
	p := newPersonaCollector(t, foyer.Identification{Forms: true, EmailLinks: true}, nil)

	matched := p.post(t, idBatch("visitor-match-000001", pv, identifyEvent("form", `,"email":"Jane@Client.example"`)))
	unknown := p.post(t, idBatch("visitor-unknown-00001", pv, identifyEvent("form", `,"email":"stranger.person@secret.example","first_name":"Zebedee","last_name":"Quillfeather"`)))
	refused := p.post(t, idBatch("visitor-refused-00001", pv, identifyEvent("email_link", `,"email":"rob@client.example"`)))
	onlyUnknown := p.post(t, idBatch("visitor-only-0000001", identifyEvent("form", `,"email":"only.stranger@secret.example"`)))
	for name, a := range map[string]answer{"matched": matched, "unknown": unknown, "refused": refused} {
		if a.status != http.StatusAccepted || string(a.body) != "{\"accepted\":2}\n" {
			t.Errorf("%s: %d %q, want 202 {\"accepted\":2} whether or not it matched", name, a.status, a.body)
		}
	}
	if onlyUnknown.status != http.StatusAccepted || string(onlyUnknown.body) != "{\"accepted\":1}\n" {
		t.Errorf("a lone unmatched identification: %d %q, want 202 {\"accepted\":1}", onlyUnknown.status, onlyUnknown.body)
	}
	if got := p.linked(t, "visitor-match-000001"); len(got) != 1 || got[0] != p.jane.ID {
		t.Errorf("matched visitor's visits linked to %v, want [%d]", got, p.jane.ID)
	}
	for _, v := range []string{"visitor-unknown-00001", "visitor-refused-00001"} {
		if got := p.linked(t, v); len(got) != 1 || got[0] != 0 {
			t.Errorf("%s: visits linked to %v, want one anonymous visit", v, got)
		}
	}
	if got := p.linked(t, "visitor-only-0000001"); len(got) != 0 {
		t.Errorf("a lone unmatched identification made visits %v", got)
	}
	// A token of the workspace identifies; the site's sources are obeyed.
	tok, err := p.store.CreateContactToken(context.Background(), p.ws.ID, p.jane.ID, time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	p.post(t, idBatch("visitor-token-000001", pv, identifyEvent("token", `,"token":"`+tok.Token+`"`)))
	if got := p.linked(t, "visitor-token-000001"); len(got) != 1 || got[0] != p.jane.ID {
		t.Errorf("token: visits linked to %v", got)
	}
	p.site.Identify.Forms = false
	if err := p.store.UpdateSite(context.Background(), p.site); err != nil {
		t.Fatal(err)
	}
	time.Sleep(siteTTL / 100) // the handler was not told; a new handler reads it
	h := NewHandler(Config{Sites: p.store, Writer: NewWriterStarted(t, p.store), Matcher: p.store})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/collect", strings.NewReader(idBatch("visitor-off-00000001", pv, identifyEvent("form", `,"email":"jane@client.example"`))))
	req.Header.Set("User-Agent", browserUA)
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("forms off: %d %s", rec.Code, rec.Body)
	}
	if got := p.linked(t, "visitor-off-00000001"); len(got) != 1 || got[0] != 0 {
		t.Errorf("with form tracking off, visits linked to %v", got)
	}

	all := p.files(t)
	for _, secret := range []string{"stranger.person@secret.example", "only.stranger@secret.example", "Zebedee", "Quillfeather",
		"rob@client.example", "jane@client.example", "Jane@Client.example", tok.Token} {
		if bytes.Contains(all, []byte(secret)) {
			t.Errorf("%q is in a file Foyer wrote", secret)
		}
	}
}

// NewWriterStarted returns a started writer over s, stopped at the test's end.
func NewWriterStarted(t *testing.T, s foyer.EventService) *Writer {
	w := NewWriter(s, WriterConfig{Log: slog.New(slog.DiscardHandler)})
	w.Start()
	t.Cleanup(func() { w.Stop(context.Background()) })
	return w
}

// TestCollectIdentifyInvalid: a malformed identification fails its batch
// with a message that names the field, never the value.
func TestCollectIdentifyInvalid(t *testing.T) {
	t.Parallel()
	p := newPersonaCollector(t, foyer.Identification{Forms: true, EmailLinks: true}, nil)
	for name, tc := range map[string]struct{ event, msg string }{
		"unknown via":     {identifyEvent("fax", `,"email":"jane.secret@client.example"`), "identification source"},
		"no email":        {identifyEvent("form", `,"first_name":"Jane"`), `"email" is required`},
		"not an email":    {identifyEvent("form", `,"email":"jane.secret-at-client.example"`), `"email"`},
		"long name":       {identifyEvent("email_link", `,"email":"a@b.example","first_name":"`+strings.Repeat("x", 101)+`"`), `"first_name"`},
		"bad token":       {identifyEvent("token", `,"token":"jane.secret@client.example"`), `"token"`},
		"no token":        {identifyEvent("token", ``), `"token" is required`},
		"bad hubspotutk":  {identifyEvent("hubspot", `,"hubspotutk":"a b"`), `"hubspotutk"`},
		"no url":          {`{"type":"identify","via":"form","email":"a@b.example"}`, `"url"`},
		"another host":    {`{"type":"identify","via":"form","url":"https://evil.example/","email":"a@b.example"}`, "not allowed"},
		"email too long":  {identifyEvent("form", `,"email":"`+strings.Repeat("a", 250)+`@b.example"`), `"email"`},
		"wrong type":      {identifyEvent("form", `,"email":42`), `events.email"`},
		"hubspotutk type": {identifyEvent("hubspot", `,"hubspotutk":["x"]`), `events.hubspotutk"`},
	} {
		a := p.post(t, idBatch("visitor-invalid-0001", pv, tc.event))
		if a.status == http.StatusAccepted {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !strings.Contains(strings.ReplaceAll(string(a.body), `\"`, `"`), tc.msg) {
			t.Errorf("%s: %d %s, want a message with %s", name, a.status, a.body, tc.msg)
		}
		if strings.Contains(string(a.body), "jane.secret") {
			t.Errorf("%s: the answer quotes the identifier: %s", name, a.body)
		}
	}
	if evs := p.events(t); len(evs) != 0 {
		t.Errorf("%d events stored from invalid batches", len(evs))
	}
}

// TestCollectIdentifyHubSpot: a HubSpot user token is resolved in the
// background; HubSpot's contact matches a Foyer contact by CRM ID or by
// email, and only one who may be tracked.
func TestCollectIdentifyHubSpot(t *testing.T) {
	t.Parallel()
	known := map[string][2]string{
		"utkjane":  {"901", "other@client.example"}, // by CRM ID
		"utkemail": {"555", "jane@client.example"},  // by email
		"utkrob":   {"902", "rob@client.example"},   // refused
	}
	var mu sync.Mutex
	var tokens []string
	lookup := func(ctx context.Context, token, utk string) (string, string, bool, error) {
		mu.Lock()
		tokens = append(tokens, token)
		mu.Unlock()
		c, ok := known[utk]
		return c[0], c[1], ok, nil
	}
	p := newPersonaCollector(t, foyer.Identification{HubSpot: true}, lookup)
	for utk, want := range map[string]int64{"utkjane": p.jane.ID, "utkemail": p.jane.ID, "utkrob": 0, "utknobody": 0} {
		visitor := "visitor-hs-" + utk + strings.Repeat("x", 16-len(utk))
		a := p.post(t, idBatch(visitor, pv, identifyEvent("hubspot", `,"hubspotutk":"`+utk+`"`)))
		if a.status != http.StatusAccepted || string(a.body) != "{\"accepted\":2}\n" {
			t.Fatalf("%s: %d %s", utk, a.status, a.body)
		}
		var got []int64
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if got = p.linked(t, visitor); want == 0 || len(got) == 1 && got[0] == want {
				break
			}
		}
		if want == 0 {
			time.Sleep(200 * time.Millisecond)
			got = p.linked(t, visitor)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: visits linked to %v, want [%d]", utk, got, want)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tokens) == 0 || tokens[0] != "pat-test-token" {
		t.Errorf("HubSpot asked with tokens %q, want the workspace's", tokens)
	}
}
