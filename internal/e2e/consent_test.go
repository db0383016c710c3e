package e2e_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
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
	run := func(args ...string) (string, int) {
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
