package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// importDB makes a SQLite database with the workspace Acme and its master
// key, and returns its DSN.
func importDB(t testing.TB) string {
	t.Helper()
	return importDBOn(t, "sqlite:"+filepath.Join(t.TempDir(), "foyer.db"))
}

// importDBOn makes the workspace Acme and the master key of the database
// dsn (its default key file), and returns dsn.
func importDBOn(t testing.TB, dsn string) string {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CreateWorkspace(ctx, &foyer.Workspace{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.OpenKeys(ctx, s, app.DefaultKeyFile(dsn), nil); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// openImportDB opens the database of importDB with its keys.
func openImportDB(t testing.TB, dsn string) (*store.Store, *foyer.Workspace) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	keys, err := app.OpenKeys(ctx, s, app.DefaultKeyFile(dsn), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(keys)
	ws, err := s.WorkspaceByName(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	return s, ws
}

type cliReport struct {
	New, Updated, Unchanged, Rejected int
	Errors                            []struct {
		Line   int
		Reason string
	}
	ImportID int64 `json:"import_id"`
	State    string
}

// TestContactsImportHostile: a file of every kind of trouble the issue
// names, through `foyer contacts import`: each row's outcome, the stored
// contacts (nothing of a rejected row), and the import's record with its
// rejections.
func TestContactsImportHostile(t *testing.T) {
	t.Parallel()
	dsn := importDB(t)
	big := strings.Repeat("x", 1<<20)
	lines := []string{
		"email,first_name,last_name,tracking_consent,tracking_consent_at,attr.note", // 1
		`formula@example.com,=cmd|' /C calc'!A0,+1+1,accepted,2026-01-01,@SUM(A1)`,  // 2: kept as data
		"huge@example.com," + big + ",,,,",                                          // 3: a 1 MB cell
		"dup@example.com,Dup,,accepted,2026-01-01,",                                 // 4
		"dup@example.com,Dup,,refused,2026-02-01,",                                  // 5: later-dated: replaces 4
		"dup@example.com,Dup,,accepted,2025-01-01,",                                 // 6: older: rejected
		"DUP@example.com,Dup,,,,",                                                   // 7: no status: duplicate
		"latin@example.com,Ren\xe9e,,,,",                                            // 8: not UTF-8
		"date@example.com,D,,accepted,2026-02-30,",                                  // 9: bad date
		"status@example.com,S,,sometimes,,",                                         // 10: bad status
		"multi@example.com,\"Line one\nline two\",,refused,,",                       // 11-12: multi-line field
		"quote@example.com,\"unclosed,,,,",                                          // 13: broken quoting to the end
	}
	file := filepath.Join(t.TempDir(), "hostile.csv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(foyerBin, "contacts", "import", "--db", dsn, "--workspace", "Acme", file)
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var rep cliReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	rejected := map[int]string{}
	for _, e := range rep.Errors {
		rejected[e.Line] = e.Reason
	}
	for _, line := range []int{3, 6, 7, 8, 9, 10, 13} {
		if rejected[line] == "" {
			t.Errorf("line %d not rejected; rejections %v", line, rejected)
		}
	}
	if rep.New != 3 || rep.Updated != 1 || rep.Rejected != 7 || rep.State != "done" || rep.ImportID == 0 {
		t.Errorf("report %+v", rep)
	}
	s, ws := openImportDB(t, dsn)
	ctx := context.Background()
	f, err := s.ContactByEmail(ctx, ws.ID, "formula@example.com")
	if err != nil || f.FirstName != `=cmd|' /C calc'!A0` || f.Attrs["note"] != "@SUM(A1)" {
		t.Errorf("formula cells: %+v, %v", f, err)
	}
	if d, err := s.ContactByEmail(ctx, ws.ID, "dup@example.com"); err != nil || d.Consent.Status != foyer.ConsentRefused {
		t.Errorf("dup: %+v, %v", d, err)
	} else if h, _ := s.ConsentHistory(ctx, ws.ID, d.ID); len(h) != 2 {
		t.Errorf("dup's history: %d entries, want the two rows emitted", len(h))
	}
	if m, err := s.ContactByEmail(ctx, ws.ID, "multi@example.com"); err != nil || m.FirstName != "Line one\nline two" {
		t.Errorf("multi-line: %+v, %v", m, err)
	}
	for _, email := range []string{"huge@example.com", "latin@example.com", "date@example.com", "status@example.com", "quote@example.com"} {
		if _, err := s.ContactByEmail(ctx, ws.ID, email); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("%s was rejected, yet: %v", email, err)
		}
	}
	rec, err := s.ContactImport(ctx, ws.ID, rep.ImportID)
	if err != nil || rec.State != "done" || rec.New != 3 || rec.Updated != 1 || rec.Rejected != 7 || rec.FileName != "hostile.csv" ||
		rec.BytesTotal == 0 || rec.BytesRead != rec.BytesTotal {
		t.Errorf("record: %+v, %v", rec, err)
	}
	if kept, _ := s.ImportRejections(ctx, ws.ID, rep.ImportID, 100); len(kept) != 7 || kept[0].Line != 3 {
		t.Errorf("kept rejections: %+v", kept)
	}
	if b, err := s.VerifyConsent(ctx, ws.ID); err != nil || b != nil {
		t.Errorf("chain: %v, %v", b, err)
	}

	// The same file read as Latin-1: Renée goes in.
	cmd = exec.Command(foyerBin, "contacts", "import", "--db", dsn, "--workspace", "Acme", "--latin1", file)
	cmd.Env = cleanEnv()
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if c, err := s.ContactByEmail(ctx, ws.ID, "latin@example.com"); err != nil || c.FirstName != "Renée" {
		t.Errorf("latin-1: %+v, %v", c, err)
	}
}

// writeGenerated writes a CSV file of n contacts with consent columns.
func writeGenerated(t testing.TB, n int) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "contacts.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("email,first_name,last_name,company,role,attr.plan,tracking_consent,tracking_consent_at\n")
	statuses := [...]string{"accepted", "refused", "true", ""}
	for i := range n {
		st := statuses[i%4]
		at := ""
		if st != "" {
			at = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		}
		fmt.Fprintf(w, "person%d@example%d.com,First%d,Last%d,Company %d,Engineer,plan%d,%s,%s\n", i, i%5000, i, i, i%5000, i%7, st, at)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestContactsImportInterrupted: `foyer contacts import` interrupted
// (SIGINT) part way: the record says cancelled, and the contacts stored
// are exactly the rows it counts, each whole, the history intact.
func TestContactsImportInterrupted(t *testing.T) {
	t.Parallel()
	dsn := importDB(t)
	file := writeGenerated(t, 200_000)
	cmd := exec.Command(foyerBin, "contacts", "import", "--db", dsn, "--workspace", "Acme", file)
	cmd.Env = cleanEnv()
	var stdout strings.Builder
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s, ws := openImportDB(t, dsn)
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		list, _ := s.ContactImports(ctx, ws.ID, 1)
		if len(list) == 1 && list[0].RowsRead >= 1000 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the import wrote no batch in 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if err == nil {
		t.Fatalf("the interrupted import exited 0: %s", stdout.String())
	}
	list, err := s.ContactImports(ctx, ws.ID, 1)
	if err != nil || len(list) != 1 {
		t.Fatal(list, err)
	}
	rec := list[0]
	if rec.State != store.ImportCancelled || rec.RowsRead >= 200_000 || rec.New != rec.RowsRead || rec.FinishedAt.IsZero() {
		t.Errorf("record: %+v", rec)
	}
	var contacts, entries int64
	s.DB().QueryRow(`SELECT count(*) FROM contacts WHERE workspace_id = ?`, ws.ID).Scan(&contacts)
	s.DB().QueryRow(`SELECT count(*) FROM consent_history WHERE workspace_id = ?`, ws.ID).Scan(&entries)
	if contacts != rec.New {
		t.Errorf("%d contacts stored, the record counts %d", contacts, rec.New)
	}
	if want := rec.New * 3 / 4; entries < want-1 || entries > want+1 {
		t.Errorf("%d history entries for %d contacts, 3 in 4 with a status", entries, contacts)
	}
	if b, err := s.VerifyConsent(ctx, ws.ID); err != nil || b != nil {
		t.Errorf("chain: %v, %v", b, err)
	}
	var rep cliReport
	if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil || rep.State != "cancelled" || int64(rep.New) != rec.New {
		t.Errorf("report: %+v, %v (%s)", rep, err, stdout.String())
	}
}

// TestContactsImportMemory imports a generated file of
// $FOYER_IMPORT_ROWS rows (default 100,000; the benchmark in
// docs/benchmarks.md runs 1,000,000) through `foyer contacts import` and
// reports its rows a second and the child's peak RSS, which must stay
// under 300 MiB; on PostgreSQL with FOYER_IMPORT_DIALECT=postgres. Skipped
// unless $FOYER_IMPORT_ROWS is set: scripts/bench-import.sh runs it.
func TestContactsImportMemory(t *testing.T) {
	rowsEnv := os.Getenv("FOYER_IMPORT_ROWS")
	if rowsEnv == "" {
		t.Skip("set FOYER_IMPORT_ROWS (e.g. 1000000) to import a generated file and measure its peak RSS")
	}
	n, err := strconv.Atoi(rowsEnv)
	if err != nil {
		t.Fatal(err)
	}
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	if os.Getenv("FOYER_IMPORT_DIALECT") == "postgres" {
		dsn = testutil.NewDSN(t, store.Postgres) // its key file: foyer-data/master.key in the test's directory
	}
	importDBOn(t, dsn)
	file := writeGenerated(t, n)
	cmd := exec.Command(foyerBin, "contacts", "import", "--db", dsn, "--workspace", "Acme", file)
	cmd.Env = cleanEnv()
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %.500s", err, out)
	}
	elapsed := time.Since(start)
	var rep cliReport
	if err := json.Unmarshal(out, &rep); err != nil || rep.New+rep.Updated != n-rep.Rejected {
		t.Fatalf("report %+v, %v", rep, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	peak := ru.Maxrss / 1024 // KiB on Linux
	t.Logf("%d rows in %s: %.0f rows/s, peak RSS %d MiB, user %.1fs, sys %.1fs", n, elapsed.Round(time.Millisecond),
		float64(n)/elapsed.Seconds(), peak, time.Duration(ru.Utime.Nano()).Seconds(), time.Duration(ru.Stime.Nano()).Seconds())
	if peak > 300 {
		t.Errorf("peak RSS %d MiB, over 300", peak)
	}
}
