package e2e_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/store"
)

// TestContactsImport: `foyer contacts import` previews a hostile file with
// --dry-run (nothing written), then imports it: the counts and the
// rejected lines as one JSON object, the consent by its date, and a second
// import of the same file changes nothing; consent verify stays intact.
func TestContactsImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "foyer.db")
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := filepath.Join(dir, "contacts.csv")
	csv := "\ufeffEmail,First_Name,hasTrackingConsent,dtTrackingConsent,attr.plan\n" +
		"Ana@Example.com,Ana,true,2026-01-02,gold\n" +
		"bob@example.com,\"=HYPERLINK(\"\"http://x\"\")\",refused,2026-02-03T10:00:00Z,\n" +
		"not-an-address,X,,,\n" +
		"carl@example.com,Carl,maybe,,\n" +
		"dora@example.com,\"Dora\nSecond line\",1,2026-13-40,\n" +
		"ana@example.com,Ana,false,2025-12-01,\n" + // an older refusal of ana: a duplicate that loses
		"erin@example.com,Erin,,,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (map[string]any, string) {
		cmd := exec.Command(foyerBin, append([]string{"contacts", "import", "--db", dsn, "--workspace", "Acme"}, args...)...)
		cmd.Env = cleanEnv()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, stderr.String())
		}
		var rep map[string]any
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("not one JSON object: %s", out)
		}
		return rep, stderr.String()
	}
	rejectedLines := func(rep map[string]any) []int {
		var lines []int
		for _, e := range rep["errors"].([]any) {
			lines = append(lines, int(e.(map[string]any)["line"].(float64)))
		}
		return lines
	}
	dry, log := run("--dry-run", file)
	if !strings.Contains(log, "BACK IT UP") {
		t.Errorf("the first use of the database made no master key, or said nothing: %s", log)
	}
	if dry["new"] != float64(3) || dry["updated"] != float64(0) || dry["rejected"] != float64(4) || dry["dry_run"] != true {
		t.Errorf("dry run: %v", dry)
	}
	rep, log := run(file)
	if strings.Contains(log, "BACK IT UP") {
		t.Errorf("a second master key was made: %s", log)
	}
	if rep["new"] != float64(3) || rep["rejected"] != float64(4) {
		t.Errorf("import: %v", rep)
	}
	if got := rejectedLines(rep); len(got) != 4 || got[0] != 4 || got[1] != 5 || got[2] != 6 || got[3] != 8 {
		t.Errorf("rejected lines %v, want 4, 5, 6 (a two-line record) and 8", got)
	}
	again, _ := run(file)
	if again["new"] != float64(0) || again["updated"] != float64(0) || again["unchanged"] != float64(3) {
		t.Errorf("the same file again: %v", again)
	}

	s, err = store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	keys, err := app.OpenKeys(ctx, s, app.DefaultKeyFile(dsn), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(keys)
	ana, err := s.ContactByEmail(ctx, ws.ID, "ana@example.com")
	if err != nil || ana.Consent.Status != foyer.ConsentAccepted || ana.Attrs["plan"] != "gold" || ana.FirstName != "Ana" {
		t.Errorf("ana: %+v, %v", ana, err)
	}
	bob, err := s.ContactByEmail(ctx, ws.ID, "bob@example.com")
	if err != nil || bob.Consent.Status != foyer.ConsentRefused || bob.FirstName != `=HYPERLINK("http://x")` {
		t.Errorf("bob: %+v, %v", bob, err)
	}
	if erin, err := s.ContactByEmail(ctx, ws.ID, "erin@example.com"); err != nil || erin.Consent.Status != foyer.ConsentUnanswered {
		t.Errorf("erin: %+v, %v", erin, err)
	}
	if b, err := s.VerifyConsent(ctx, ws.ID); err != nil || b != nil {
		t.Errorf("the history after the imports: %v, %v", b, err)
	}
}
