package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

// TestContactsExport: contacts imported with `foyer contacts import` come
// out of `foyer contacts export`, as CSV and as NDJSON, with every field
// and their consent status and date; a CSV cell a spreadsheet would
// evaluate is neutralised, the NDJSON holds it as it is; `foyer consent
// export` writes the whole history; an unknown workspace or format fails.
func TestContactsExport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	run := func(args ...string) (string, string, error) {
		cmd := exec.Command(foyerBin, args...)
		cmd.Env = cleanEnv()
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateWorkspace(context.Background(), &foyer.Workspace{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := filepath.Join(dir, "contacts.csv")
	csvIn := "email,first_name,last_name,company,tracking_consent,tracking_consent_at,attr.plan\n" +
		"ana@example.com,\"=HYPERLINK(\"\"http://evil.example\"\")\",Lima,Globex,accepted,2026-01-02T03:04:05Z,gold\n" +
		"bob@example.com,Bob,-Minus,@Corp,refused,2026-02-03,\n" +
		"carl@example.com,Carl,,,,,\n"
	if err := os.WriteFile(file, []byte(csvIn), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := run("contacts", "import", "--db", dsn, "--workspace", "Acme", file); err != nil {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}

	out, errOut, err := run("contacts", "export", "--db", dsn, "--workspace", "Acme")
	if err != nil {
		t.Fatalf("export: %v\n%s", err, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("csv: %d rows, %v\n%s", len(rows), err, out)
	}
	byEmail := map[string]map[string]string{}
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = r[i]
		}
		byEmail[m["email"]] = m
	}
	for email, want := range map[string]map[string]string{
		"ana@example.com": {"first_name": `'=HYPERLINK("http://evil.example")`, "last_name": "Lima", "company": "Globex",
			"tracking_consent": "accepted", "tracking_consent_at": "2026-01-02T03:04:05.000Z", "attrs": `{"plan":"gold"}`, "may_track": "true"},
		"bob@example.com": {"last_name": "'-Minus", "company": "'@Corp", "tracking_consent": "refused",
			"tracking_consent_at": "2026-02-03T00:00:00.000Z", "may_track": "false"},
		"carl@example.com": {"first_name": "Carl", "tracking_consent": "unanswered", "tracking_consent_at": "", "attrs": "{}", "may_track": "true"},
	} {
		for k, v := range want {
			if got := byEmail[email][k]; got != v {
				t.Errorf("csv: %s's %s = %q, want %q", email, k, got, v)
			}
		}
	}
	if !strings.Contains(errOut, "3 written") {
		t.Errorf("stderr: %q", errOut)
	}

	out, _, err = run("contacts", "export", "--db", dsn, "--workspace", "Acme", "--format", "ndjson")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	n := 0
	for sc.Scan() {
		var c map[string]any
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("ndjson line %q: %v", sc.Text(), err)
		}
		n++
		if c["email"] == "ana@example.com" && (c["first_name"] != `=HYPERLINK("http://evil.example")` || c["tracking_consent"] != "accepted") {
			t.Errorf("ndjson: ana %v", c)
		}
	}
	if n != 3 {
		t.Errorf("ndjson: %d lines", n)
	}

	out, _, err = run("consent", "export", "--db", dsn, "--workspace", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "id,contact_id,at,status_at,action,source") ||
		!strings.Contains(out, ",accepted,import,") || !strings.Contains(out, ",refused,import,") {
		t.Errorf("consent export:\n%s", out)
	}

	for _, args := range [][]string{
		{"contacts", "export", "--db", dsn, "--workspace", "Nobody"},
		{"contacts", "export", "--db", dsn, "--workspace", "Acme", "--format", "xlsx"},
		{"contacts", "export", "--db", dsn},
		{"consent", "export", "--db", dsn, "--workspace", "Nobody"},
	} {
		if out, _, err := run(args...); err == nil || strings.Contains(out, "example.com") {
			t.Errorf("%v: %v, %q", args, err, out)
		}
	}
}
