package e2e_test

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// setupURLRE finds the first-owner link in the server's log, text or JSON.
var setupURLRE = regexp.MustCompile(`"?setup_url"?[=:]"?(http://[^"\s]+/setup/[A-Za-z0-9_-]+)`)

// setupURLs returns the setup links the server's log holds, waiting up to
// wait for the first one.
func setupURLs(t *testing.T, stderr string, wait time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		b, _ := os.ReadFile(stderr)
		var urls []string
		for _, m := range setupURLRE.FindAllSubmatch(b, -1) {
			urls = append(urls, string(m[1]))
		}
		if len(urls) > 0 || time.Now().After(deadline) {
			return urls
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFirstOwnerFromLog starts a demo installation without users, takes
// the setup link from its log, creates the owner with it, and checks that
// the next start logs no link and that the owner signs in.
func TestFirstOwnerFromLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "foyer.db")
	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	s := startServer(t, files, "--db", db, "--demo")
	urls := setupURLs(t, files.stderr, 5*time.Second)
	if len(urls) != 1 || !strings.HasPrefix(urls[0], s.URL+"/setup/") {
		b, _ := os.ReadFile(files.stderr)
		t.Fatalf("setup links %q in the log of %s:\n%s", urls, s.URL, b)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(urls[0])
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.Contains(page, `value="Demo"`) {
		t.Fatalf("GET the setup link: %d\n%s", resp.StatusCode, page)
	}
	if !strings.Contains(page, `value="demo" checked`) || !strings.Contains(page, `value="empty"`) {
		t.Fatalf("the setup form does not offer the demo site and an empty start:\n%s", page)
	}
	// The owner names the workspace their own and keeps the demo site: the
	// answer leads to its feed, not to an empty sites page.
	resp, err = client.PostForm(urls[0], url.Values{"workspace": {"Acme"}, "start": {"demo"}, "name": {"Ana"}, "email": {"ana@example.com"},
		"password": {"correct horse battery"}, "confirm": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/app/w/") || strings.HasSuffix(loc, "/sites") {
		t.Fatalf("POST the setup form: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.stop()

	// With an owner, a start logs no link, and the old one is dead; the
	// demo site the owner took is ready.
	s = startServer(t, files, "--db", db, "--demo")
	time.Sleep(300 * time.Millisecond) // the link would follow the listening line at once
	if out := waitFor(files.stdout, "Demo site ready", 5*time.Second); strings.Contains(out, "no member") || strings.Count(out, "Demo site ready") != 2 {
		t.Errorf("the starts' output:\n%s", out)
	}
	if again := setupURLs(t, files.stderr, 0); len(again) != 1 {
		t.Errorf("the second start logged a setup link: %q", again)
	}
	old := s.URL + urls[0][strings.Index(urls[0], "/setup/"):]
	resp, err = client.Get(old)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the spent link: %d", resp.StatusCode)
	}
	resp, err = client.PostForm(s.URL+"/login", url.Values{"email": {"ana@example.com"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Set-Cookie") == "" {
		t.Errorf("the owner's sign-in: %d", resp.StatusCode)
	}
}

// readAll reads and closes an answer's body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDemoWithoutMember: when users exist and none is a member of the demo
// site's workspace, `serve --demo` says so instead of "Demo site ready".
func TestDemoWithoutMember(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "foyer.db")
	add := exec.Command(foyerBin, "user", "add", "--db", db, "--workspace", "Acme", "--email", "olga@example.com")
	add.Env = cleanEnv()
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("foyer user add: %v\n%s", err, out)
	}
	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	startServer(t, files, "--db", db, "--demo")
	out := waitFor(files.stdout, "no member", 5*time.Second)
	if !strings.Contains(out, `workspace "Demo", which has no member`) || !strings.Contains(out, `foyer user add --workspace "Demo"`) || strings.Contains(out, "Demo site ready") {
		t.Errorf("the output of serve --demo:\n%s", out)
	}
}

// waitFor returns the file's text once it holds want, or after wait.
func waitFor(file, want string, wait time.Duration) string {
	deadline := time.Now().Add(wait)
	for {
		b, _ := os.ReadFile(file)
		if strings.Contains(string(b), want) || time.Now().After(deadline) {
			return string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
