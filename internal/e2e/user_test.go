package e2e_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
)

// TestUserAdd creates the first owner from the command line, then a viewer
// with a password from standard input, and reads both back.
func TestUserAdd(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(foyerBin, append([]string{"user", "add", "--db", dsn}, args...)...)
		cmd.Env = cleanEnv()
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("", "--workspace", "Acme", "--email", "Ana@Example.com", "--name", "Ana Silva")
	if err != nil || !strings.Contains(out, `Created workspace "Acme"`) || !strings.Contains(out, "ana@example.com is owner") {
		t.Fatalf("first owner: %v\n%s", err, out)
	}
	var generated string
	for _, line := range strings.Split(out, "\n") {
		if p, ok := strings.CutPrefix(line, "Password: "); ok {
			generated = p
		}
	}
	if len(generated) != 20 {
		t.Fatalf("no generated password in %q", out)
	}
	if out, err := run("correct horse battery\n", "--workspace", "Acme", "--email", "bob@example.com", "--role", "viewer", "--password-stdin"); err != nil {
		t.Fatalf("viewer: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--workspace", "Acme", "--email", "carl@example.com", "--role", "root"}, `role "root"`},
		{[]string{"--workspace", "Acme", "--email", "not-an-address"}, "is not an address"},
		{[]string{"--workspace", "Acme", "--email", "ana@example.com", "--password-stdin"}, "does not change passwords"},
	} {
		out, err := run("another long password\n", c.args...)
		if err == nil || !strings.Contains(out, c.want) {
			t.Errorf("%v: %v, %q; want a failure saying %q", c.args, err, out, c.want)
		}
	}
	short, err := run("short\n", "--workspace", "Acme", "--email", "dan@example.com", "--password-stdin")
	if err == nil || !strings.Contains(short, "at least 10 characters") {
		t.Errorf("a short password: %v, %q", err, short)
	}

	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	ws, err := s.WorkspaceByName(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	for email, c := range map[string]struct {
		password string
		role     foyer.Role
	}{"ana@example.com": {generated, foyer.RoleOwner}, "bob@example.com": {"correct horse battery", foyer.RoleViewer}} {
		u, err := s.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.VerifyPassword(c.password, u.PasswordHash); err != nil {
			t.Errorf("%s: the password does not verify: %v", email, err)
		}
		if r, err := s.Role(ctx, ws.ID, u.ID); err != nil || r != c.role {
			t.Errorf("%s: role %q, %v; want %q", email, r, err, c.role)
		}
	}
	if _, err := s.UserByEmail(ctx, "carl@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("a refused user was stored: %v", err)
	}
}

// TestUserPassword sets a user's password from the command line: every
// session and reset link of theirs ends, a lock is lifted; an unknown
// address is refused.
func TestUserPassword(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	add := exec.Command(foyerBin, "user", "add", "--db", dsn, "--workspace", "Acme", "--email", "ana@example.com", "--password-stdin")
	add.Env, add.Stdin = cleanEnv(), strings.NewReader("the first password\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.UserByEmail(ctx, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	_, sess := auth.NewToken()
	_, link := auth.NewToken()
	now := time.Now()
	if err := s.CreateSession(ctx, sess, foyer.AuthSession{UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour), SecondFactor: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateLink(ctx, link, foyer.AuthLink{Kind: foyer.LinkReset, UserID: u.ID, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		s.LoginFailed(ctx, u.ID, 10, time.Hour)
	}
	s.Close()

	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(foyerBin, append([]string{"user", "password", "--db", dsn}, args...)...)
		cmd.Env, cmd.Stdin = cleanEnv(), strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("", "--email", "nobody@example.com"); err == nil {
		t.Errorf("an unknown address: %s", out)
	}
	if out, err := run("a password from the operator\n", "--email", "Ana@Example.com", "--password-stdin"); err != nil {
		t.Fatalf("user password: %v\n%s", err, out)
	}
	s, err = store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	u, err = s.UserByEmail(ctx, "ana@example.com")
	if err != nil || auth.VerifyPassword("a password from the operator", u.PasswordHash) != nil || !u.LockedUntil.IsZero() {
		t.Errorf("after: %+v, %v", u, err)
	}
	if _, err := s.Session(ctx, sess); foyer.ErrorCode(err) != foyer.EUNAUTHORIZED {
		t.Errorf("the session after a new password: %v", err)
	}
	if _, err := s.Link(ctx, link); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("the reset link after a new password: %v", err)
	}
}

// TestTokenCreate makes a token on the command line and uses it on the API
// of a running server.
func TestTokenCreate(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "foyer.db")
	srv := startServer(t, serverFiles{}, "--db", dsn, "--demo")
	cmd := exec.Command(foyerBin, "token", "create", "--db", dsn, "--workspace", "Demo", "--scope", "read", "--name", "test")
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	token := strings.TrimSpace(string(out))
	if err != nil || len(token) < 40 {
		t.Fatalf("foyer token create: %v %q", err, out)
	}
	for tok, want := range map[string]int{token: 200, "wrong": 401} {
		r, err := send(context.Background(), newClient(t), "GET", srv.URL+"/api/v1/sites", nil, map[string]string{"Authorization": "Bearer " + tok})
		if err != nil || r.status != want {
			t.Errorf("token %.6s…: %v %d, want %d", tok, err, r.status, want)
		}
		if want == 200 && !strings.Contains(string(r.body), `"key":"demo"`) {
			t.Errorf("sites: %s", r.body)
		}
	}
	bad := exec.Command(foyerBin, "token", "create", "--db", dsn, "--workspace", "Demo", "--scope", "admin")
	bad.Env = cleanEnv()
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "want read or write") {
		t.Errorf("a bad scope: %v %s", err, out)
	}
}
