package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// foyerBin is the foyer binary TestMain builds for every test.
var foyerBin string

// repoRoot is the checkout's root, for its scripts: the tests run elsewhere.
var repoRoot string

func TestMain(m *testing.M) {
	// The test binary run again as the tests' NATS server (see broker_test.go).
	if dir := os.Getenv(brokerDirEnv); dir != "" {
		os.Exit(runBroker(dir, os.Getenv(brokerPortEnv)))
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		fmt.Fprintf(os.Stderr, "e2e: go env GOMOD: %q, %v\n", gomod, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "foyer-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	foyerBin = filepath.Join(dir, "foyer")
	repoRoot = filepath.Dir(gomod)
	build := exec.Command("go", "build", "-o", foyerBin, "./cmd/foyer")
	build.Dir = filepath.Dir(gomod)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/foyer: %v\n%s", err, out)
		return 1
	}
	// Every foyer the tests run, and the tests themselves, work in a
	// directory of their own: a default path such as foyer-data/master.key
	// must never land in the checkout.
	work, err := os.MkdirTemp("", "foyer-e2e-work-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(work)
	if err := os.Chdir(work); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}

// browserUA is a desktop browser's User-Agent: an empty or bot one is dropped.
const browserUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"

// server is a running `foyer serve` child process.
type server struct {
	t      testing.TB
	cmd    *exec.Cmd
	URL    string // http://127.0.0.1:PORT
	stderr string // file that receives the server's stderr
	exited chan struct{}
	err    error // from Wait, once exited is closed
}

// serverFiles says where a server's output goes; files are appended to.
type serverFiles struct{ stdout, stderr string }

// listeningRE finds the address in the "listening" log line, text or JSON.
var listeningRE = regexp.MustCompile(`(?:msg=listening|"msg":"listening").*?"?url"?[=:]"?(http://[^"\s]+)`)

// startServer runs `foyer serve --listen 127.0.0.1:0 args…` and waits until
// it logs where it listens. The server is killed when the test ends, if it
// still runs.
func startServer(t testing.TB, files serverFiles, args ...string) *server {
	t.Helper()
	return startServerEnv(t, files, nil, args...)
}

// startServerEnv is startServer with FOYER_… variables in env (KEY=VALUE).
func startServerEnv(t testing.TB, files serverFiles, env []string, args ...string) *server {
	t.Helper()
	if files.stderr == "" {
		dir := t.TempDir()
		files = serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	}
	stdout, err := os.OpenFile(files.stdout, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer stdout.Close()
	stderr, err := os.OpenFile(files.stderr, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	st, err := stderr.Stat()
	if err != nil {
		t.Fatal(err)
	}
	offset := st.Size() // earlier runs' lines do not count

	base := []string{"serve", "--listen", "127.0.0.1:0"}
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--backup") || a == "--no-backups" }) {
		// No scheduled backup (it would run at every start), unless the
		// test is about them.
		base = append(base, "--no-backups")
	}
	cmd := exec.Command(foyerBin, append(base, args...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.Env = append(cleanEnv(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start foyer serve: %v", err)
	}
	s := &server{t: t, cmd: cmd, stderr: files.stderr, exited: make(chan struct{})}
	go func() { s.err = cmd.Wait(); close(s.exited) }()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			cmd.Process.Kill()
			<-s.exited
		}
	})

	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(files.stderr)
		if int64(len(b)) > offset {
			if m := listeningRE.FindSubmatch(b[offset:]); m != nil {
				s.URL = string(m[1])
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("foyer serve exited (%v) before listening; stderr:\n%s", s.err, b[min(offset, int64(len(b))):])
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("foyer serve did not log a listening line within 20s; stderr:\n%s", b[min(offset, int64(len(b))):])
		}
	}
}

// cleanEnv is the environment without FOYER_ variables, which would act as flags.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FOYER_") {
			env = append(env, kv)
		}
	}
	return env
}

// kill sends SIGKILL and waits for the process to end.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("kill -9: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.t.Fatal("server still runs 10s after SIGKILL")
	}
}

// stop sends SIGTERM and checks that the server shuts down cleanly.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.t.Fatal("server still runs 30s after SIGTERM")
	}
	if s.err != nil {
		b, _ := os.ReadFile(s.stderr)
		s.t.Fatalf("graceful stop: %v; stderr:\n%s", s.err, b)
	}
}

// newClient returns an HTTP client for many concurrent requests to one server.
func newClient(t testing.TB) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request to the server; hdr values override the defaults
// (a browser User-Agent, text/plain as sendBeacon sends).
func send(ctx context.Context, c *http.Client, method, url string, body []byte, hdr map[string]string) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("User-Agent", browserUA)
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{resp.StatusCode, resp.Header, b}, nil
}

// event is one event of a batch, as the tracker sends it.
type event struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	Title     string `json:"title,omitempty"`
	Referrer  string `json:"referrer,omitempty"`
	EngagedMS int64  `json:"engaged_ms,omitempty"`
	Target    string `json:"target,omitempty"`
}

// batchJSON encodes a batch.
func batchJSON(site, visitor string, events ...event) []byte {
	b, err := json.Marshal(map[string]any{"site": site, "visitor": visitor, "events": events})
	if err != nil {
		panic(err)
	}
	return b
}

// pageviews returns one pageview per path on http://localhost.
func pageviews(paths ...string) []event {
	evs := make([]event, len(paths))
	for i, p := range paths {
		evs[i] = event{Type: "pageview", URL: "http://localhost:3000" + p}
	}
	return evs
}

// export runs `foyer export events --site KEY --db DSN` and returns its output.
func export(t testing.TB, dsn, site string) []byte {
	t.Helper()
	cmd := exec.Command(foyerBin, "export", "events", "--site", site, "--db", dsn)
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("foyer export: %v\n%s", err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// parseExport decodes NDJSON export output, and checks that each line
// carries its visit's ID under the old key "session" too, kept as an alias
// of "visit_id" for one release.
func parseExport(t testing.TB, b []byte) []foyer.StoredEvent {
	t.Helper()
	var out []foyer.StoredEvent
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var e foyer.StoredEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("export line %q: %v", sc.Bytes(), err)
		}
		var alias struct {
			Session *int64 `json:"session"`
		}
		if err := json.Unmarshal(sc.Bytes(), &alias); err != nil || e.VisitID == 0 || alias.Session == nil || *alias.Session != e.VisitID {
			t.Fatalf("export line %q: want visit_id and session, the same visit's ID (%v)", sc.Bytes(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pathCounts counts the exported events of each path.
func pathCounts(events []foyer.StoredEvent) map[string]int {
	n := map[string]int{}
	for _, e := range events {
		n[e.Path]++
	}
	return n
}

// wantErrorBody checks that an answer is status with a JSON body
// {"error":{"code":code,"message":…}} whose message says msg.
func wantErrorBody(t testing.TB, what string, r response, status int, code, msg string) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s: status %d, want %d; body %.200s", what, r.status, status, r.body)
		return
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Error == nil {
		t.Errorf("%s: body %q is not {\"error\":{\"code\",\"message\"}} (%v)", what, r.body, err)
		return
	}
	if e.Error.Code != code {
		t.Errorf("%s: code %q, want %q", what, e.Error.Code, code)
	}
	if !strings.Contains(e.Error.Message, msg) || e.Error.Message == "internal error" {
		t.Errorf("%s: message %q, want one that says %q", what, e.Error.Message, msg)
	}
}
