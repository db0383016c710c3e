package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestAuditVerify: on SQLite and on PostgreSQL, `foyer audit verify`
// exits 0 on intact logs, and 1 naming the workspace and the entry after
// an entry is edited, deleted or two are swapped in the database;
// --workspace checks one, by ID or name.
func TestAuditVerify(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		for _, c := range []struct {
			name string
			sql  []string // $ID: the second entry of Initech's log
		}{
			{"edit", []string{"UPDATE audit_log SET detail = 'nothing to see' WHERE id = $ID"}},
			{"delete", []string{"DELETE FROM audit_log WHERE id = $ID"}},
			{"reorder", []string{
				"UPDATE audit_log SET id = -1 WHERE id = $ID",
				"UPDATE audit_log SET id = $ID WHERE id = $ID + 2",
				"UPDATE audit_log SET id = $ID + 2 WHERE id = -1"}},
		} {
			t.Run(string(d)+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				dsn := testutil.NewDSN(t, d)
				s, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				var second int64
				var ids []int64
				for _, name := range []string{"Acme", "Initech"} {
					ws := &foyer.Workspace{Name: name}
					if err := s.CreateWorkspace(ctx, ws); err != nil {
						t.Fatal(err)
					}
					ids = append(ids, ws.ID)
				}
				for i := range 3 { // interleaved: Initech's second entry is followed by Acme's and its third
					for _, ws := range ids {
						e := &foyer.AuditEntry{WorkspaceID: ws, ActorKind: foyer.ActorSystem, Actor: "system", Action: foyer.AuditSettings, Detail: fmt.Sprint(i)}
						if err := s.RecordAudit(ctx, e); err != nil {
							t.Fatal(err)
						}
						if ws == ids[1] && i == 1 {
							second = e.ID
						}
					}
				}
				if out, code := verifyAudit(t, dsn); code != 0 || !strings.Contains(out, "2 audit log(s) intact") {
					t.Fatalf("intact: exit %d\n%s", code, out)
				}
				for _, q := range c.sql {
					q = strings.ReplaceAll(q, "$ID + 2", fmt.Sprint(second+2))
					q = strings.ReplaceAll(q, "$ID", fmt.Sprint(second))
					if _, err := s.DB().ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				out, code := verifyAudit(t, dsn)
				if code != 1 || !strings.Contains(out, `workspace "Initech"`) || !strings.Contains(out, "tampered") {
					t.Errorf("after %s: exit %d\n%s", c.name, code, out)
				}
				if out, code := verifyAudit(t, dsn, "--workspace", fmt.Sprint(ids[0])); code != 0 {
					t.Errorf("the intact workspace by ID: exit %d\n%s", code, out)
				}
				if out, code := verifyAudit(t, dsn, "--workspace", "Initech"); code != 1 {
					t.Errorf("the broken workspace by name: exit %d\n%s", code, out)
				}
			})
		}
	}
}

// verifyAudit runs `foyer audit verify --db dsn args…` and returns its
// output and exit code.
func verifyAudit(t *testing.T, dsn string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(foyerBin, append([]string{"audit", "verify", "--db", dsn}, args...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}
