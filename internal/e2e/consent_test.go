package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// TestConsentVerify: `foyer consent verify` exits 0 on intact histories,
// and 1 naming the workspace and entry after an entry is edited in the
// database; --workspace checks one workspace.
func TestConsentVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := vault.New(bytes.Repeat([]byte{9}, vault.KeySize))
	s.UseKeys(keys)
	var edited int64
	for _, name := range []string{"Acme", "Initech"} {
		ws := &foyer.Workspace{Name: name}
		if err := s.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com"}
		if err := s.CreateContact(ctx, c, "user test"); err != nil {
			t.Fatal(err)
		}
		for _, st := range []foyer.ConsentStatus{foyer.ConsentAccepted, foyer.ConsentRefused} {
			if _, _, _, err := s.RecordConsent(ctx, ws.ID, c.ID, foyer.ConsentChange{Status: st, Source: foyer.SourceAdmin, Actor: "ana"}); err != nil {
				t.Fatal(err)
			}
		}
		if name == "Initech" {
			s.DB().QueryRowContext(ctx, fmt.Sprintf("SELECT MIN(id) FROM consent_history WHERE workspace_id = %d", ws.ID)).Scan(&edited)
		}
	}
	run := func(args ...string) (string, int) { return verifyConsent(t, dsn, args...) }
	if out, code := run(); code != 0 || !strings.Contains(out, "2 workspace(s) is intact") {
		t.Fatalf("intact: exit %d\n%s", code, out)
	}
	if _, err := s.DB().ExecContext(ctx, fmt.Sprintf("UPDATE consent_history SET actor = 'mallory' WHERE id = %d", edited)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, code := run()
	if code != 1 || !strings.Contains(out, `workspace "Initech"`) || !strings.Contains(out, fmt.Sprintf("entry %d", edited)) {
		t.Errorf("after an edit: exit %d\n%s", code, out)
	}
	if out, code := run("--workspace", "Acme"); code != 0 {
		t.Errorf("the intact workspace alone: exit %d\n%s", code, out)
	}
}

// TestConsentVerifyTampering: on SQLite and on PostgreSQL, `foyer consent
// verify` exits 0 on an intact history, and 1 naming the workspace and
// the broken entry after an entry is edited, deleted, moved (two swapped)
// or inserted directly in the database.
func TestConsentVerifyTampering(t *testing.T) {
	t.Parallel()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		for _, c := range []struct {
			name string
			sql  []string // $ID: the second entry's ID; $LAST: the last one's
		}{
			{"edit", []string{"UPDATE consent_history SET why = 'applied' WHERE id = $ID"}},
			{"delete", []string{"DELETE FROM consent_history WHERE id = $ID"}},
			{"reorder", []string{
				"UPDATE consent_history SET id = -1 WHERE id = $ID",
				"UPDATE consent_history SET id = $ID WHERE id = $ID + 1",
				"UPDATE consent_history SET id = $ID + 1 WHERE id = -1"}},
			{"insert", []string{"INSERT INTO consent_history (id, workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash) " +
				"SELECT $LAST + 10, workspace_id, contact_id, at, status_at, action, source, actor, reason, applied, why, prev_hash, hash FROM consent_history WHERE id = $ID"}},
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
				keys, _ := vault.New(bytes.Repeat([]byte{9}, vault.KeySize))
				s.UseKeys(keys)
				ws := &foyer.Workspace{Name: "Acme"}
				if err := s.CreateWorkspace(ctx, ws); err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for i, st := range []foyer.ConsentStatus{foyer.ConsentAccepted, foyer.ConsentRefused, foyer.ConsentAccepted, foyer.ConsentRefused} {
					c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("c%d@example.com", i), Consent: foyer.ConsentState{Status: st}}
					if err := s.CreateContact(ctx, c, "user test"); err != nil {
						t.Fatal(err)
					}
				}
				rows, err := s.DB().QueryContext(ctx, fmt.Sprintf("SELECT id FROM consent_history WHERE workspace_id = %d ORDER BY id", ws.ID))
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id int64
					rows.Scan(&id)
					ids = append(ids, id)
				}
				rows.Close()
				run := func() (string, int) { return verifyConsent(t, dsn) }
				if out, code := run(); code != 0 || len(ids) != 4 {
					t.Fatalf("intact: exit %d, %d entries\n%s", code, len(ids), out)
				}
				for _, q := range c.sql {
					q = strings.ReplaceAll(strings.ReplaceAll(q, "$ID", fmt.Sprint(ids[1])), "$LAST", fmt.Sprint(ids[len(ids)-1]))
					if _, err := s.DB().ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				out, code := run()
				if code != 1 || !strings.Contains(out, `workspace "Acme"`) || !regexp.MustCompile(`entry \d+`).MatchString(out) {
					t.Errorf("after %s: exit %d\n%s", c.name, code, out)
				}
			})
		}
	}
}

// verifyConsent runs `foyer consent verify --db dsn args…` and returns its
// output and exit code.
func verifyConsent(t *testing.T, dsn string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(foyerBin, append([]string{"consent", "verify", "--db", dsn}, args...)...)
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
