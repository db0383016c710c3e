package store_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

func testKeys(t *testing.T, b byte) *vault.Keyring {
	t.Helper()
	k, err := vault.New(bytes.Repeat([]byte{b}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestContacts: contacts are created, found by id and by any spelling of
// their email, listed by consent status, refused twice, kept apart by
// workspace and deleted, on both dialects; under another master key they
// do not open.
func TestContacts(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s := testutil.NewStore(t, d, store.Options{})
		ctx := context.Background()
		wsA, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		wsB, _ := testutil.NewSite(t, s, "Initech", "initech", "www.example.com")
		c := &foyer.Contact{WorkspaceID: wsA.ID, Email: "  Ana.Lopez@Example.COM ", FirstName: "Ana", LastName: "López",
			Role: "CFO", Phone: "+34 600 000 000", Attrs: map[string]string{"plan": "gold"}}
		if err := s.CreateContact(ctx, c, "user test"); err == nil || !strings.Contains(err.Error(), "no master key") {
			t.Fatalf("a contact without a master key: %v", err)
		}
		s.UseKeys(testKeys(t, 1))
		if err := s.CreateContact(ctx, c, "user test"); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Email != "ana.lopez@example.com" {
			t.Fatalf("created %+v", c)
		}
		refused := &foyer.Contact{WorkspaceID: wsA.ID, Email: "bob@example.com",
			Consent: foyer.ConsentState{Status: foyer.ConsentRefused, At: t0}}
		if err := s.CreateContact(ctx, refused, "user test"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Contact(ctx, wsA.ID, c.ID)
		if err != nil || got.Email != c.Email || got.LastName != "López" || got.Phone != c.Phone || got.Attrs["plan"] != "gold" || got.Role != "CFO" {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		for _, spelling := range []string{"ana.lopez@example.com", "ANA.LOPEZ@EXAMPLE.COM", " ana.lopez@example.com"} {
			if got, err := s.ContactByEmail(ctx, wsA.ID, spelling); err != nil || got.ID != c.ID {
				t.Errorf("by email %q: %v, %v", spelling, got, err)
			}
		}
		dup := &foyer.Contact{WorkspaceID: wsA.ID, Email: "ANA.lopez@example.com"}
		if err := s.CreateContact(ctx, dup, "user test"); foyer.ErrorCode(err) != foyer.ECONFLICT {
			t.Errorf("a second contact with one email: %v", err)
		}
		// The same address in another workspace is another contact.
		other := &foyer.Contact{WorkspaceID: wsB.ID, Email: "ana.lopez@example.com"}
		if err := s.CreateContact(ctx, other, "user test"); err != nil {
			t.Fatal(err)
		}
		for what, err := range map[string]error{
			"by id":    second(s.Contact(ctx, wsB.ID, c.ID)),
			"delete":   s.DeleteContact(ctx, wsB.ID, c.ID, "user test"),
			"by email": second(s.ContactByEmail(ctx, wsB.ID, "bob@example.com")),
		} {
			wantCodeOf(t, "another workspace's contact "+what, err, foyer.ENOTFOUND)
		}
		for _, bad := range []*foyer.Contact{
			{WorkspaceID: wsA.ID, Email: "not an address"},
			{WorkspaceID: wsA.ID, Email: "x@example.com", Phone: strings.Repeat("9", foyer.MaxContactField+1)},
			{WorkspaceID: wsA.ID, Email: "y@example.com", Consent: foyer.ConsentState{Status: "maybe"}},
			{WorkspaceID: wsA.ID, Email: "z@example.com", FirstName: "\xff"},
		} {
			if err := s.CreateContact(ctx, bad, "user test"); foyer.ErrorCode(err) != foyer.EINVALID {
				t.Errorf("%+v: %v, want EINVALID", bad, err)
			}
		}
		st := foyer.ConsentRefused
		list, err := s.SearchContacts(ctx, wsA.ID, store.ContactQuery{Consent: &st})
		if err != nil || len(list) != 1 || list[0].ID != refused.ID || !list[0].Consent.At.Equal(t0) {
			t.Errorf("refused contacts: %v, %v", list, err)
		}
		if all, _ := s.SearchContacts(ctx, wsA.ID, store.ContactQuery{}); len(all) != 2 {
			t.Errorf("all contacts: %d", len(all))
		}
		// Under another master key nothing opens.
		s.UseKeys(testKeys(t, 2))
		if _, err := s.Contact(ctx, wsA.ID, c.ID); err == nil {
			t.Error("a contact opened under another master key")
		}
		s.UseKeys(testKeys(t, 1))
		if err := s.DeleteContact(ctx, wsA.ID, c.ID, "user test"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Contact(ctx, wsA.ID, c.ID)
		wantCodeOf(t, "a deleted contact", err, foyer.ENOTFOUND)
	})
}

// TestContactsSealedAtRest: after contacts are stored, neither the SQLite
// file and its WAL nor a dump of the PostgreSQL schema holds any of their
// emails, names or phones in plain text.
func TestContactsSealedAtRest(t *testing.T) {
	t.Parallel()
	secrets := []string{"zelda.quartermain@example.org", "Zelda", "Quartermain", "+44 7700 900123", "Chief Widget Officer", "secret-attr-value",
		"Widgetworks Holdings", "phoned-in-secret-reason"}
	fill := func(t *testing.T, s *store.Store) {
		s.UseKeys(testKeys(t, 3))
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		for i := range 50 {
			c := &foyer.Contact{WorkspaceID: ws.ID, Email: "zelda.quartermain@example.org", FirstName: "Zelda", LastName: "Quartermain",
				Phone: "+44 7700 900123", Role: "Chief Widget Officer", Company: "Widgetworks Holdings", Attrs: map[string]string{"note": "secret-attr-value"}}
			if i > 0 {
				c.Email = strings.Replace(c.Email, "@", "+"+string(rune('a'+i%26))+string(rune('a'+i/26))+"@", 1)
			}
			if err := s.CreateContact(context.Background(), c, "user test"); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := s.RecordConsent(context.Background(), ws.ID, c.ID, foyer.ConsentChange{Status: foyer.ConsentRefused,
				Source: foyer.SourceAdmin, Actor: "user test", Reason: "phoned-in-secret-reason"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(t *testing.T, what string, b []byte) {
		t.Helper()
		if len(b) == 0 {
			t.Fatalf("%s is empty", what)
		}
		for _, v := range secrets {
			if bytes.Contains(b, []byte(v)) || bytes.Contains(bytes.ToLower(b), []byte(strings.ToLower(v))) {
				t.Errorf("%s holds %q in plain text", what, v)
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		dsn := testutil.NewDSN(t, store.SQLite)
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		fill(t, s)
		path := strings.TrimPrefix(dsn, "sqlite:")
		files, _ := filepath.Glob(path + "*") // the database, its WAL and shared memory
		if len(files) < 2 {
			t.Fatalf("files %v", files)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > 0 {
				check(t, filepath.Base(f), b)
			}
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testutil.NewDSN(t, store.Postgres)
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		fill(t, s)
		u, _ := url.Parse(dsn)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		dump := exec.CommandContext(ctx, "pg_dump", "--data-only", "--schema="+u.Query().Get("search_path"),
			"--host="+u.Hostname(), "--port="+u.Port(), "--username="+u.User.Username(), strings.TrimPrefix(u.Path, "/"))
		out, err := dump.Output()
		if err != nil {
			t.Fatalf("pg_dump (from Debian's postgresql-client): %v", err)
		}
		if !bytes.Contains(out, []byte("COPY")) || !bytes.Contains(out, []byte("contacts")) {
			t.Fatalf("the dump has no contacts:\n%.500s", out)
		}
		check(t, "the dump", out)
	})
}
