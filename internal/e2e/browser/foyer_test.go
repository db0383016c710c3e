package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/testutil"
)

// --- the Foyer server ------------------------------------------------------

// collectRequest is one request to /collect as the server saw it.
type collectRequest struct {
	Method, ContentType, UA, SecGPC string
	Status                          int
	Body                            string
	Payload                         payload // decoded Body, when it decodes
}

type payload struct {
	Site    string `json:"site"`
	Visitor string `json:"visitor"`
	Consent bool   `json:"consent"`
	Events  []struct {
		Type      string `json:"type"`
		URL       string `json:"url"`
		Title     string `json:"title"`
		Referrer  string `json:"referrer"`
		EngagedMS int64  `json:"engaged_ms"`
		Target    string `json:"target"`
	} `json:"events"`
}

// foyerServer is a real Foyer (app.New) on a temporary SQLite file, behind a
// handler that records every request to /collect.
type foyerServer struct {
	URL string // http://127.0.0.1:PORT
	app *app.App
	// clientIP, when set, is the address the collector sees every visit
	// come from, as if through a trusted proxy.
	clientIP string

	mu   sync.Mutex
	reqs []*collectRequest // Status 0: not answered yet
}

func startFoyer(t *testing.T) *foyerServer { return startFoyerWith(t, nil, "") }

// startFoyerWith starts Foyer with an IP data resolver, and with every visit
// coming from clientIP when that is set.
func startFoyerWith(t *testing.T, res foyer.Resolver, clientIP string) *foyerServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := app.Config{Listen: "127.0.0.1:0", DB: "sqlite:" + filepath.Join(t.TempDir(), "foyer.db"), Log: log, Resolver: res}
	if clientIP != "" {
		cfg.TrustedProxy = "127.0.0.1/32"
	}
	return startFoyerConfig(t, cfg, clientIP)
}

// startFoyerConfig starts Foyer with cfg, with every visit coming from
// clientIP when that is set.
func startFoyerConfig(t *testing.T, cfg app.Config, clientIP string) *foyerServer {
	t.Helper()
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	f := &foyerServer{app: a, clientIP: clientIP}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	f.URL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("close foyer: %v", err)
		}
	})
	return f
}

func (f *foyerServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/collect" {
		f.app.Handler.ServeHTTP(w, r)
		return
	}
	if f.clientIP != "" {
		r.Header.Set("X-Forwarded-For", f.clientIP)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := &collectRequest{
		Method: r.Method, ContentType: r.Header.Get("Content-Type"), UA: r.UserAgent(),
		SecGPC: r.Header.Get("Sec-GPC"), Body: string(body),
	}
	json.Unmarshal(body, &req.Payload)
	// Recorded on arrival, before the store can show its events.
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	f.app.Handler.ServeHTTP(rec, r)
	f.mu.Lock()
	req.Status = rec.status
	f.mu.Unlock()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// requests returns the requests to /collect that have arrived so far and
// name site, or every one when site is "".
func (f *foyerServer) requests(site string) []collectRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []collectRequest
	for _, r := range f.reqs {
		if site == "" || r.Payload.Site == site {
			out = append(out, *r)
		}
	}
	return out
}

// answered waits until the server has answered at least n requests to
// /collect that name site, and every one that has arrived, and returns them.
func (f *foyerServer) answered(t *testing.T, site string, n int) []collectRequest {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		reqs := f.requests(site)
		done := len(reqs) >= n
		for _, r := range reqs {
			done = done && r.Status != 0
		}
		if done {
			return reqs
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %d answered requests to /collect for %q:\n%s", waitFor, n, site, dumpRequests(reqs))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settled waits until requests to /collect for site have stopped coming for
// a moment, and returns how many there were.
func (f *foyerServer) settled(t *testing.T, site string) int {
	t.Helper()
	n := len(f.answered(t, site, 0))
	for {
		time.Sleep(300 * time.Millisecond)
		m := len(f.answered(t, site, n))
		if m == n {
			return n
		}
		n = m
	}
}

// newSite creates a workspace and in it a site with the key that allows
// pages on localhost.
func (f *foyerServer) newSite(t *testing.T, key string) *foyer.Site {
	t.Helper()
	_, s := testutil.NewSite(t, f.app.Store, "workspace-"+key, key, "localhost")
	return s
}

// events returns every stored event of the site.
// member creates a user whose password is "correct horse battery" (hashed
// cheaply, for speed) and, when workspaceID is not 0, gives it role there.
func (f *foyerServer) member(t *testing.T, email string, workspaceID int64, role foyer.Role) *foyer.User {
	t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword("correct horse battery", auth.Params{Memory: 1024, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	u := &foyer.User{Email: email, PasswordHash: hash}
	if err := f.app.Store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if workspaceID != 0 {
		if err := f.app.Store.SetMembership(ctx, foyer.Membership{WorkspaceID: workspaceID, UserID: u.ID, Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

func (f *foyerServer) events(t *testing.T, ctx context.Context, s *foyer.Site) []*foyer.StoredEvent {
	t.Helper()
	var out []*foyer.StoredEvent
	err := f.app.Store.Events(ctx, s.WorkspaceID, s.ID, time.Time{}, func(e *foyer.StoredEvent) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("store events: %v", err)
	}
	return out
}

// waitEvents polls the store until done accepts the site's events, and
// returns them; it fails the test after waitFor.
func (f *foyerServer) waitEvents(t *testing.T, ctx context.Context, s *foyer.Site, what string, done func([]*foyer.StoredEvent) bool) []*foyer.StoredEvent {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		evs := f.events(t, ctx, s)
		if done(evs) {
			return evs
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waited %v for %s; stored events of %q:\n%s\nrequests to /collect:\n%s",
				waitFor, what, s.Key, dumpEvents(evs), dumpRequests(f.requests("")))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// expectQuiet watches for quiet and fails when the site receives a request
// to /collect or has stored events.
func (f *foyerServer) expectQuiet(t *testing.T, ctx context.Context, s *foyer.Site, sentBefore int, why string) {
	t.Helper()
	deadline := time.Now().Add(quiet)
	for {
		if reqs := f.requests(s.Key); len(reqs) != sentBefore {
			t.Fatalf("%s: the tracker sent %d requests to /collect, want %d:\n%s", why, len(reqs), sentBefore, dumpRequests(reqs))
		}
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func dumpEvents(evs []*foyer.StoredEvent) string {
	var b strings.Builder
	for _, e := range evs {
		j, _ := json.Marshal(e)
		b.WriteString("  " + string(j) + "\n")
	}
	if b.Len() == 0 {
		return "  (none)"
	}
	return b.String()
}

func dumpRequests(reqs []collectRequest) string {
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString(fmt.Sprintf("  %s %d %s\n", r.Method, r.Status, r.Body))
	}
	if b.Len() == 0 {
		return "  (none)"
	}
	return b.String()
}

// find returns the first event of the type on the path, or nil.
func find(evs []*foyer.StoredEvent, typ, path string) *foyer.StoredEvent {
	for _, e := range evs {
		if e.Type == typ && e.Path == path {
			return e
		}
	}
	return nil
}
