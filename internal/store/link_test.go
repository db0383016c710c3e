package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestAcceptInvite: an invitation makes a new user or joins the one with
// the invited address, once, in one transaction; a refused one is left
// standing.
func TestAcceptInvite(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		invite := func(email string) []byte {
			_, h := auth.NewToken()
			if err := s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: email, Role: foyer.RoleAnalyst,
				ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		bob := &foyer.User{Email: "bob@example.com"}
		if err := s.CreateUser(ctx, bob); err != nil {
			t.Fatal(err)
		}

		// A new account for an address that has one: refused, the link stands.
		toBob := invite("bob@example.com")
		_, err := s.AcceptInvite(ctx, toBob, &foyer.User{Name: "Mallory", PasswordHash: "x"}, nil)
		wantCodeOf(t, "a new account for bob's address", err, foyer.ECONFLICT)
		// Another user: refused, the link stands.
		eve := &foyer.User{Email: "eve@example.com"}
		if err := s.CreateUser(ctx, eve); err != nil {
			t.Fatal(err)
		}
		_, err = s.AcceptInvite(ctx, toBob, eve, nil)
		wantCodeOf(t, "eve takes bob's invitation", err, foyer.EFORBIDDEN)
		if _, err := s.Role(ctx, ws.ID, eve.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("eve is a member: %v", err)
		}
		// Bob joins; once.
		m, err := s.AcceptInvite(ctx, toBob, bob, nil)
		if err != nil || m.WorkspaceID != ws.ID || m.Role != foyer.RoleAnalyst || m.UserID != bob.ID {
			t.Fatalf("bob joins: %+v, %v", m, err)
		}
		_, err = s.AcceptInvite(ctx, toBob, bob, nil)
		wantCodeOf(t, "the invitation again", err, foyer.ENOTFOUND)

		// A new person.
		nia := &foyer.User{Name: "Nia", PasswordHash: "hash"}
		if _, err := s.AcceptInvite(ctx, invite("nia@example.com"), nia, nil); err != nil || nia.ID == 0 || nia.Email != "nia@example.com" {
			t.Fatalf("nia joins: %+v, %v", nia, err)
		}
		if r, err := s.Role(ctx, ws.ID, nia.ID); err != nil || r != foyer.RoleAnalyst {
			t.Errorf("nia's role: %q, %v", r, err)
		}
		_, err = s.AcceptInvite(ctx, make([]byte, 32), &foyer.User{}, nil)
		wantCodeOf(t, "an unknown invitation", err, foyer.ENOTFOUND)
	})
}

// TestResetLinksEnd: a reset sets the password, ends the user's sessions,
// lifts a lock and spends every other reset link of the user; so does any
// other new password. A user's own reset link has no workspace.
func TestResetLinksEnd(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		u := &foyer.User{Email: "nia@example.com", PasswordHash: "old"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		reset := func(workspace int64) []byte {
			_, h := auth.NewToken()
			if err := s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkReset, WorkspaceID: workspace, UserID: u.ID,
				ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		_, sess := auth.NewToken()
		if err := s.CreateSession(ctx, sess, foyer.AuthSession{UserID: u.ID, CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour), SecondFactor: true}); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			s.LoginFailed(ctx, u.ID, 10, time.Hour)
		}
		own, byOwner := reset(0), reset(ws.ID)
		if l, err := s.Link(ctx, own); err != nil || l.WorkspaceID != 0 || l.UserID != u.ID {
			t.Fatalf("an own reset link: %+v, %v", l, err)
		}
		id, err := s.ResetPassword(ctx, own, "new")
		if err != nil || id != u.ID {
			t.Fatalf("reset: %d, %v", id, err)
		}
		got, _ := s.UserByID(ctx, u.ID)
		if got.PasswordHash != "new" || got.FailedLogins != 0 || !got.LockedUntil.IsZero() {
			t.Errorf("after the reset: %+v", got)
		}
		_, err = s.Session(ctx, sess)
		wantCodeOf(t, "a session after the reset", err, foyer.EUNAUTHORIZED)
		_, err = s.Link(ctx, byOwner)
		wantCodeOf(t, "the other reset link", err, foyer.ENOTFOUND)
		_, err = s.ResetPassword(ctx, own, "again")
		wantCodeOf(t, "the reset link again", err, foyer.ENOTFOUND)

		// Any new password spends them.
		for _, set := range []func() error{
			func() error { return s.SetPassword(ctx, u.ID, "newer") },
			func() error { return s.ChangePassword(ctx, u.ID, "newest", make([]byte, 32)) },
		} {
			l := reset(ws.ID)
			if err := set(); err != nil {
				t.Fatal(err)
			}
			_, err := s.Link(ctx, l)
			wantCodeOf(t, "a reset link after a new password", err, foyer.ENOTFOUND)
		}
		// An invitation is no reset link.
		_, inv := auth.NewToken()
		if err := s.CreateLink(ctx, inv, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "x@example.com", Role: foyer.RoleViewer, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		_, err = s.ResetPassword(ctx, inv, "x")
		wantCodeOf(t, "an invitation used as a reset", err, foyer.ENOTFOUND)
		wantCodeOf(t, "a reset link for nobody", s.CreateLink(ctx, inv, foyer.AuthLink{Kind: foyer.LinkReset, ExpiresAt: time.Now().Add(time.Hour)}), foyer.EINVALID)
	})
}

// TestTOTPSteps: a code's time step is taken once, and never one before
// the last; turning 2FA on anew starts over.
func TestTOTPSteps(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		u := &foyer.User{Email: "olga@example.com"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.UseTOTPStep(ctx, u.ID, 59_000_000); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "the same step", s.UseTOTPStep(ctx, u.ID, 59_000_000), foyer.ECONFLICT)
		wantCodeOf(t, "an earlier step", s.UseTOTPStep(ctx, u.ID, 58_999_999), foyer.ECONFLICT)
		if err := s.UseTOTPStep(ctx, u.ID, 59_000_001); err != nil {
			t.Errorf("the next step: %v", err)
		}
		if err := s.SetTOTP(ctx, u.ID, "SECRET", 57_999_999, nil); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "the step that turned it on", s.UseTOTPStep(ctx, u.ID, 57_999_999), foyer.ECONFLICT)
		if err := s.UseTOTPStep(ctx, u.ID, 58_000_000); err != nil {
			t.Errorf("a new secret's first step: %v", err)
		}
	})
}

// TestMembersElsewhere: the member list says who belongs to another
// workspace too.
func TestMembersElsewhere(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		acme, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		initech, _ := testutil.NewSite(t, s, "Initech", "initech", "initech.com")
		for _, m := range []struct {
			email string
			ws    []int64
		}{{"ana@example.com", []int64{acme.ID}}, {"bob@example.com", []int64{acme.ID, initech.ID}}} {
			u := &foyer.User{Email: m.email}
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			for _, ws := range m.ws {
				if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws, UserID: u.ID, Role: foyer.RoleViewer}); err != nil {
					t.Fatal(err)
				}
			}
		}
		ms, err := s.Members(ctx, acme.ID)
		if err != nil || len(ms) != 2 || ms[0].Elsewhere || !ms[1].Elsewhere {
			t.Errorf("members: %+v, %v", ms, err)
		}
	})
}

// TestAcceptInviteFailsWhole: a failure at any step of accepting an
// invitation (spending the link, creating the user, linking the
// provider's account, the membership) leaves nothing behind: the link
// still works, and no user, identity or membership was made. Each step's
// failure is injected with a trigger on its table.
func TestAcceptInviteFailsWhole(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		_, h := auth.NewToken()
		if err := s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "nia@example.com",
			Role: foyer.RoleViewer, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		db := s.DB()
		if d == store.Postgres {
			if _, err := db.Exec(`CREATE FUNCTION fail_injected() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'injected failure'; END $$`); err != nil {
				t.Fatal(err)
			}
		}
		count := func(q string) int {
			var n int
			if err := db.QueryRow(q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, step := range []struct{ table, event string }{
			{"auth_links", "UPDATE"}, {"users", "INSERT"}, {"identities", "INSERT"}, {"memberships", "INSERT"},
		} {
			create := fmt.Sprintf(`CREATE TRIGGER fail_step BEFORE %s ON %s BEGIN SELECT RAISE(ABORT, 'injected failure'); END`, step.event, step.table)
			drop := `DROP TRIGGER fail_step`
			if d == store.Postgres {
				create = fmt.Sprintf(`CREATE TRIGGER fail_step BEFORE %s ON %s FOR EACH ROW EXECUTE FUNCTION fail_injected()`, step.event, step.table)
				drop = `DROP TRIGGER fail_step ON ` + step.table
			}
			if _, err := db.Exec(create); err != nil {
				t.Fatal(err)
			}
			u := &foyer.User{Name: "Nia"}
			_, err := s.AcceptInvite(ctx, h, u, &foyer.Identity{Issuer: "https://id.example", Subject: "nia", Provider: "test"})
			if err == nil {
				t.Errorf("%s %s failing: the invitation was accepted", step.event, step.table)
			}
			if _, err := db.Exec(drop); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Link(ctx, h); err != nil {
				t.Errorf("%s %s failing: the link is spent: %v", step.event, step.table, err)
			}
			for _, q := range []string{`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM identities`, `SELECT COUNT(*) FROM memberships`} {
				if n := count(q); n != 0 {
					t.Errorf("%s %s failing: %s = %d", step.event, step.table, q, n)
				}
			}
		}
		// With nothing failing, all of it.
		u := &foyer.User{Name: "Nia"}
		if _, err := s.AcceptInvite(ctx, h, u, &foyer.Identity{Issuer: "https://id.example", Subject: "nia", Provider: "test"}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.UserByIdentity(ctx, "https://id.example", "nia"); err != nil || got.ID != u.ID || got.Email != "nia@example.com" {
			t.Errorf("the linked user: %+v, %v", got, err)
		}
	})
}

func TestLinks(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		c := testutil.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		s := testutil.NewStore(t, d, store.Options{Now: c.Now})
		ctx := context.Background()
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "acme.com")
		_, inv := auth.NewToken()
		if err := s.CreateLink(ctx, inv, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: " New@Example.com", Role: foyer.RoleViewer, ExpiresAt: c.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		l, err := s.Link(ctx, inv)
		if err != nil || l.Kind != foyer.LinkInvite || l.Email != "new@example.com" || l.Role != foyer.RoleViewer || l.WorkspaceID != ws.ID {
			t.Fatalf("link: %+v, %v", l, err)
		}
		if err := s.UseLink(ctx, inv); err != nil {
			t.Fatal(err)
		}
		wantCodeOf(t, "used twice", s.UseLink(ctx, inv), foyer.ENOTFOUND)
		_, err = s.Link(ctx, inv)
		wantCodeOf(t, "a used link", err, foyer.ENOTFOUND)

		_, short := auth.NewToken()
		shortUser := &foyer.User{Email: "short@example.com"}
		if err := s.CreateUser(ctx, shortUser); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateLink(ctx, short, foyer.AuthLink{Kind: foyer.LinkReset, WorkspaceID: ws.ID, UserID: shortUser.ID, ExpiresAt: c.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		c.Add(2 * time.Minute)
		_, err = s.Link(ctx, short)
		wantCodeOf(t, "an expired link", err, foyer.ENOTFOUND)
		wantCodeOf(t, "using an expired link", s.UseLink(ctx, short), foyer.ENOTFOUND)

		_, h := auth.NewToken()
		wantCodeOf(t, "bad kind", s.CreateLink(ctx, h, foyer.AuthLink{Kind: "magic", WorkspaceID: ws.ID}), foyer.EINVALID)
		wantCodeOf(t, "bad email", s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "x", Role: foyer.RoleViewer}), foyer.EINVALID)
		wantCodeOf(t, "bad role", s.CreateLink(ctx, h, foyer.AuthLink{Kind: foyer.LinkInvite, WorkspaceID: ws.ID, Email: "x@example.com", Role: "god"}), foyer.EINVALID)

		u := &foyer.User{Email: "ana@example.com", Name: "Ana"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, foyer.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: foyer.RoleOwner}); err != nil {
			t.Fatal(err)
		}
		if ms, err := s.Members(ctx, ws.ID); err != nil || len(ms) != 1 || ms[0].User.Email != "ana@example.com" || ms[0].Role != foyer.RoleOwner {
			t.Errorf("members: %+v, %v", ms, err)
		}
		if w, err := s.WorkspaceByID(ctx, ws.ID); err != nil || w.Name != "Acme" {
			t.Errorf("workspace by ID: %+v, %v", w, err)
		}
		_, err = s.WorkspaceByID(ctx, ws.ID+100)
		wantCodeOf(t, "unknown workspace", err, foyer.ENOTFOUND)
	})
}
