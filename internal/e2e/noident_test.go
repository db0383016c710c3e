package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// The identifiers the no-identifier test plants. They are made up, so they
// turn up in what Foyer wrote only if Foyer kept them.
const (
	plantedFirst = "Quincella"
	plantedLast  = "Vandersloot"
	plantedEmail = "quincella.vandersloot@example.com"
	// plantedMark is in the values of email tools' recipient IDs and in the
	// pages of excluded paths.
	plantedMark = "zqmark4711"
)

// identNeedles are what the scan looks for, in any letter case: the e-mail
// address plain, percent-encoded once and twice, its local part and the
// names on their own (which cover every other form), and the marker.
var identNeedles = []string{
	plantedEmail,
	strings.Replace(plantedEmail, "@", "%40", 1),
	strings.Replace(plantedEmail, "@", "%2540", 1),
	"quincella.vandersloot",
	strings.ToLower(plantedFirst),
	strings.ToLower(plantedLast),
	plantedMark,
}

// identFinding is a needle found in a file.
type identFinding struct {
	file, needle string
	offset       int
}

// scanIdentifiers reads every file under dir and looks for the needles.
func scanIdentifiers(t *testing.T, dir string) (found []identFinding, files map[string]int) {
	t.Helper()
	files = map[string]int{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = len(b)
		lower := bytes.ToLower(b)
		for _, n := range identNeedles {
			if i := bytes.Index(lower, []byte(n)); i >= 0 {
				found = append(found, identFinding{e.Name(), n, i})
			}
		}
	}
	return found, files
}

// TestNoIdentifierPersisted sends what issue 12 found stored — an e-mail
// address in a page title, twice percent-encoded in a query value, in a
// nested redirect parameter and in a path segment, the names of a tracked
// email link, email tools' recipient IDs, pages of an excluded path written
// to sidestep it — to a site on localhost and [::1] that keeps a few query
// parameters, kills the server so that the write-ahead log stays, and scans
// the database, its WAL, the logs and an export for the identifiers.
func TestNoIdentifierPersisted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Scrub"}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	site := &foyer.Site{WorkspaceID: ws.ID, Key: "scrub", Hostnames: []string{"localhost", "[0:0::1]"},
		ExcludedPaths: []string{"/admin/"}, KeepParams: []string{"page", "q", "next"}}
	if err := st.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if site.Hostnames[1] != "[::1]" {
		t.Errorf("hostname [0:0::1] stored as %q, want [::1]", site.Hostnames[1])
	}

	files := serverFiles{filepath.Join(dir, "stdout.log"), filepath.Join(dir, "stderr.log")}
	srv := startServer(t, files, "--db", dsn, "--log-format", "json")
	client := newClient(t)
	enc := strings.Replace(plantedEmail, "@", "%40", 1)
	twice := strings.Replace(plantedEmail, "@", "%2540", 1)
	redirect := "https%3A%2F%2Fsso.example%2Fcb%3Fu%3D" + twice
	page := func(path string) event { return event{Type: "pageview", URL: "http://localhost:3000" + path} }
	batches := []struct {
		what   string
		events []event
		status int
	}{
		{"an e-mail address in a title", []event{{Type: "pageview", URL: "http://localhost:3000/inbox",
			Title: "Inbox – " + plantedEmail + " – Mail"}}, http.StatusAccepted},
		{"twice-encoded in a query value", []event{page("/search?q=" + twice + "&page=2")}, http.StatusAccepted},
		{"twice-encoded in a nested redirect", []event{page("/login?next=" + redirect + "&page=1")}, http.StatusAccepted},
		{"in a path segment", []event{page("/u/" + twice + "/profile"), page("/u/" + enc), page("/u/" + plantedEmail + "/x")},
			http.StatusAccepted},
		{"a tracked email link", []event{page("/pricing?fy_email=" + enc + "&fy_fn=" + plantedFirst + "&fy_ln=" + plantedLast)},
			http.StatusAccepted},
		{"email tools' IDs", []event{page("/?mc_eid=" + plantedMark + "&_hsenc=p2ANqtz-" + plantedMark + "&_hsmi=" + plantedMark +
			"&mkt_tok=" + plantedMark + "&fn=" + plantedFirst + "&ln=" + plantedLast + "&vero_id=" + plantedMark)}, http.StatusAccepted},
		{"in UTM values and the referrer", []event{{Type: "pageview", URL: "http://localhost:3000/landing?utm_source=" + twice +
			"&utm_campaign=" + plantedFirst + "-" + plantedMark + "-" + "AbCdEfGhIjKlMnOp1234",
			Referrer: "https://mail.example.net/u/" + twice + "/read?to=" + enc}}, http.StatusAccepted},
		{"in an outbound link", []event{{Type: "outbound", URL: "http://localhost:3000/landing",
			Target: "https://partner.example/docs/" + twice + "?fy_fn=" + plantedFirst + "&page=3&next=" + redirect}}, http.StatusAccepted},
		{"an excluded path sidestepped", []event{page("//admin/" + plantedMark), page("/admin;x/" + plantedMark),
			page("/admin%2F" + plantedMark), page("/x/%2e%2e/admin/" + plantedMark), page("/admin%252F" + plantedMark)},
			http.StatusNoContent},
		{"a page on [::1]", []event{{Type: "pageview", URL: "http://[::1]:3000/v6?page=4", Title: "IPv6 " + twice}}, http.StatusAccepted},
	}
	for i, b := range batches {
		r, err := send(ctx, client, "POST", srv.URL+"/collect", batchJSON("scrub", fmt.Sprintf("noident-visitor-%04d", i), b.events...), nil)
		if err != nil {
			t.Fatalf("%s: %v", b.what, err)
		}
		if r.status != b.status {
			t.Errorf("%s: %d %s, want %d", b.what, r.status, r.body, b.status)
		}
	}
	waitRollup(t, client, srv.URL)
	srv.kill()

	// The database and its WAL as the killed server left them, and its logs.
	found, scanned := scanIdentifiers(t, dir)
	for _, name := range []string{"foyer.db", "foyer.db-wal", "stderr.log"} {
		if scanned[name] == 0 {
			t.Errorf("%s is missing or empty; scanned %v", name, scanned)
		}
	}

	// An export, which also shows that the traffic was stored (so the scan
	// is not vacuous) and how.
	out := export(t, dsn, "scrub")
	for _, n := range identNeedles {
		if i := bytes.Index(bytes.ToLower(out), []byte(n)); i >= 0 {
			found = append(found, identFinding{"export", n, i})
		}
	}
	for _, f := range found {
		t.Errorf("identifier persisted: %q in %s at byte %d", f.needle, f.file, f.offset)
	}
	got := map[string]bool{}
	for _, e := range parseExport(t, out) {
		got[e.Type+" "+e.Host+" "+e.Path+" "+e.Title+" "+e.UTMSource+" "+e.Target] = true
		if strings.Contains(e.Path, "admin") {
			t.Errorf("an excluded page was stored: %s", e.Path)
		}
	}
	for _, want := range []string{
		"pageview localhost /inbox Inbox – :email – Mail  ",
		"pageview localhost /search?page=2   ",
		"pageview localhost /login?page=1   ",
		"pageview localhost /u/:email/profile   ",
		"pageview localhost /u/:email   ",
		"pageview localhost /pricing   ",
		"pageview localhost /   ",
		"pageview localhost /landing   ",
		"outbound localhost /landing   https://partner.example/docs/:email?page=3",
		"pageview ::1 /v6?page=4 IPv6 :email  ",
	} {
		if !got[want] {
			t.Errorf("no stored event %q", want)
		}
	}
	if t.Failed() {
		t.Logf("stored events:\n%s", out)
	}
	t.Logf("scanned %v and the export for %d needles", scanned, len(identNeedles))
}

// rollupRE reads the number of roll-up steps from /metrics.
var rollupRE = regexp.MustCompile(`(?m)^foyer_rollup_duration_seconds_count (\d+)`)

// waitRollup waits until the server has run a roll-up step after the
// events so far were stored, so that what the roll-up derives (visits,
// pages, per-company and per-day tables) is scanned too.
func waitRollup(t *testing.T, c *http.Client, base string) {
	t.Helper()
	count := func() int {
		r, err := send(context.Background(), c, "GET", base+"/metrics", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		m := rollupRE.FindSubmatch(r.body)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	start := count()
	deadline := time.Now().Add(10 * time.Second)
	for count() < start+1 {
		if time.Now().After(deadline) {
			t.Fatal("no roll-up step within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
