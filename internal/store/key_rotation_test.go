package store_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/formlink"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

func testMaster(t testing.TB, b byte) *vault.MasterKey {
	t.Helper()
	m, err := vault.NewMaster(bytes.Repeat([]byte{b}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// openKeyed opens the database dsn under the master key m, as serve does.
func openKeyed(t testing.TB, dsn string, m *vault.MasterKey) (*store.Store, *vault.Keyring) {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	k, err := s.OpenKeyring(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	s.UseKeys(k)
	return s, k
}

// rotate rotates s's database to m in batches of n.
func rotate(t testing.TB, s *store.Store, m *vault.MasterKey, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.BeginKeyRotation(ctx, m); err != nil {
		t.Fatal(err)
	}
	for more := true; more; {
		var err error
		if _, more, err = s.RewrapKeys(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.FinishKeyRotation(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRotateKeys: after a rotation of the master key, on both dialects,
// the new key alone opens every contact; lookups by email, the erasure
// ledger's hashes, a sealed HubSpot token and a form link signed before
// still work, as the keys derived from the root did not change; the old key
// is refused; and a second rotation works too.
func TestRotateKeys(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		dsn := testutil.NewDSN(t, d)
		oldKey, newKey, third := testMaster(t, 1), testMaster(t, 2), testMaster(t, 3)
		s, keys := openKeyed(t, dsn, oldKey)
		ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
		var ids []int64
		for i := range 23 {
			c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("p%d@example.com", i), LastName: fmt.Sprintf("Lee %d", i),
				Consent: foyer.ConsentState{Status: foyer.ConsentAccepted, At: t0}}
			if err := s.CreateContact(ctx, c, "user test"); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		erased, err := s.EraseContact(ctx, ws.ID, ids[0], "user test", "")
		if err != nil {
			t.Fatal(err)
		}
		ids = ids[1:]
		if err := s.SetHubSpotToken(ctx, ws.ID, "pat-secret", "user test"); err != nil {
			t.Fatal(err)
		}
		link := formlink.NewSigner(keys.Derive(formlink.Purpose)).Sign(formlink.Link{Workspace: ws.ID, Contact: ids[0],
			Kind: formlink.OptOut, Expires: time.Now().Add(time.Hour)})
		lookup := keys.Lookup("x")

		rotate(t, s, newKey, 5)

		if _, err := s.KeyRotationState(ctx); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a rotation is still under way: %v", err)
		}
		s2, k2 := openKeyed(t, dsn, newKey)
		if !bytes.Equal(k2.Lookup("x"), lookup) || !bytes.Equal(k2.Derive(formlink.Purpose), keys.Derive(formlink.Purpose)) {
			t.Error("the keys derived from the root changed")
		}
		for i, id := range ids {
			c, err := s2.Contact(ctx, ws.ID, id)
			if err != nil || c.LastName != fmt.Sprintf("Lee %d", i+1) {
				t.Fatalf("contact %d after the rotation: %+v, %v", id, c, err)
			}
			if c, err := s2.ContactByEmail(ctx, ws.ID, fmt.Sprintf("p%d@example.com", i+1)); err != nil || c.ID != id {
				t.Fatalf("contact %d by email after the rotation: %+v, %v", id, c, err)
			}
		}
		again := &foyer.Contact{WorkspaceID: ws.ID, Email: "p0@example.com"}
		if err := s2.CreateContact(ctx, again, "user test"); err != nil {
			t.Fatal(err)
		}
		if e, err := s2.PriorErasure(ctx, ws.ID, again.ID); err != nil || e.ID != erased.ID || !bytes.Equal(e.EmailHash, erased.EmailHash) {
			t.Errorf("the erasure ledger's hash after the rotation: %+v, %v", e, err)
		}
		if tok, err := s2.HubSpotToken(ctx, ws.ID); err != nil || tok != "pat-secret" {
			t.Errorf("the HubSpot token after the rotation: %q, %v", tok, err)
		}
		if l, err := formlink.NewSigner(k2.Derive(formlink.Purpose)).Verify(link, ws.ID, formlink.OptOut, time.Now()); err != nil || l.Contact != ids[0] {
			t.Errorf("a form link signed before the rotation: %+v, %v", l, err)
		}
		if _, err := s2.OpenKeyring(ctx, oldKey); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("the old key after the rotation: %v", err)
		}
		// The first store, which rotated, goes on.
		if _, err := s.Contact(ctx, ws.ID, again.ID); err != nil {
			t.Errorf("the rotating store after its rotation: %v", err)
		}
		// Once more, from a root stored wrapped.
		rotate(t, s2, third, 100)
		s3, k3 := openKeyed(t, dsn, third)
		if !bytes.Equal(k3.Lookup("x"), lookup) {
			t.Error("the lookup key changed at the second rotation")
		}
		for _, id := range append(ids, again.ID) {
			if _, err := s3.Contact(ctx, ws.ID, id); err != nil {
				t.Fatalf("contact %d after the second rotation: %v", id, err)
			}
		}
	})
}

// TestRotateKeysWhileWriting: contacts made and read by a server holding
// only the old key while a rotation runs are all readable after it, under
// the new key alone, and the server goes on after the rotation ends.
func TestRotateKeysWhileWriting(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		dsn := testutil.NewDSN(t, d)
		oldKey, newKey := testMaster(t, 1), testMaster(t, 2)
		server, _ := openKeyed(t, dsn, oldKey)
		ws, _ := testutil.NewSite(t, server, "Acme", "acme", "www.example.com")
		var first []int64
		for i := range 40 {
			c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("a%d@example.com", i)}
			if err := server.CreateContact(ctx, c, "t"); err != nil {
				t.Fatal(err)
			}
			first = append(first, c.ID)
		}
		rotator, _ := openKeyed(t, dsn, oldKey)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var made []int64
		var werr error
		var rounds atomic.Int64 // the writer's rounds so far
		done := make(chan struct{})
		// waitRounds waits for the writer to make n more rounds (or stop),
		// so that it works while the rotation is under way even on a busy
		// machine: a server that made no contact between the rotation's
		// start and end could not learn the new key from the database,
		// only from its key file, which this server has not.
		waitRounds := func(n int64) {
			for want := rounds.Load() + n; rounds.Load() < want; time.Sleep(time.Millisecond) {
				select {
				case <-done:
					return
				default:
				}
			}
		}
		wg.Go(func() {
			defer close(done)
			for i := 0; ; i++ {
				rounds.Add(1)
				select {
				case <-stop:
					return
				default:
				}
				c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("b%d@example.com", i)}
				if werr = server.CreateContact(ctx, c, "t"); werr != nil {
					return
				}
				made = append(made, c.ID)
				time.Sleep(time.Millisecond)
				// One it made, and one the rotation rewraps.
				if _, werr = server.Contact(ctx, ws.ID, made[i/2]); werr != nil {
					return
				}
				if _, werr = server.Contact(ctx, ws.ID, first[i%len(first)]); werr != nil {
					return
				}
			}
		})
		time.Sleep(20 * time.Millisecond)
		if _, err := rotator.BeginKeyRotation(ctx, newKey); err != nil {
			t.Fatal(err)
		}
		waitRounds(2)
		for more := true; more; {
			var err error
			if _, more, err = rotator.RewrapKeys(ctx, 3); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		if _, err := rotator.FinishKeyRotation(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		close(stop)
		wg.Wait()
		if werr != nil {
			t.Fatalf("the server during the rotation: %v", werr)
		}
		after := &foyer.Contact{WorkspaceID: ws.ID, Email: "after@example.com"}
		if err := server.CreateContact(ctx, after, "t"); err != nil {
			t.Fatalf("the server after the rotation: %v", err)
		}
		fresh, _ := openKeyed(t, dsn, newKey)
		list := allContacts(t, fresh, ws.ID)
		if want := 40 + len(made) + 1; len(list) != want {
			t.Fatalf("%d contacts under the new key, want %d", len(list), want)
		}
		t.Logf("%d contacts made during the rotation", len(made))
	})
}

// TestRotateKeysRefusals: a rotation with a keyring of another key, or to
// the key in use, changes nothing; a rotation to a second key is refused
// while one is under way; a start with the new key during the rotation is
// refused, with the old one accepted.
func TestRotateKeysRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testutil.NewDSN(t, store.SQLite)
	oldKey, newKey := testMaster(t, 1), testMaster(t, 2)
	s, _ := openKeyed(t, dsn, oldKey)
	ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "ana@example.com"}
	if err := s.CreateContact(ctx, c, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenKeyring(ctx, testMaster(t, 9)); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a wrong key: %v", err)
	}
	if _, err := s.BeginKeyRotation(ctx, oldKey); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a rotation to the key in use: %v", err)
	}
	wrong, err := vault.NewKeyring(testMaster(t, 9), bytes.Repeat([]byte{1}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := openKeyed(t, dsn, oldKey)
	other.UseKeys(wrong)
	if _, err := other.BeginKeyRotation(ctx, newKey); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a rotation by a process without the key: %v", err)
	}
	if _, err := s.KeyRotationState(ctx); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("a refused rotation left a row: %v", err)
	}
	if _, err := s.BeginKeyRotation(ctx, newKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginKeyRotation(ctx, testMaster(t, 3)); foyer.ErrorCode(err) != foyer.ECONFLICT {
		t.Errorf("a rotation to a third key during one: %v", err)
	}
	if _, err := s.OpenKeyring(ctx, newKey); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a start with the new key during the rotation: %v", err)
	}
	s2, _ := openKeyed(t, dsn, oldKey)
	if _, err := s2.Contact(ctx, ws.ID, c.ID); err != nil {
		t.Errorf("a start with the old key during the rotation: %v", err)
	}
}

// BenchmarkRotateKeys: data keys rewrapped a second, batches of 500, with
// 10,000 contacts (rotated back and forth between two keys), on each
// dialect.
func BenchmarkRotateKeys(b *testing.B) {
	for _, d := range testutil.Dialects {
		b.Run(string(d), func(b *testing.B) {
			ctx := context.Background()
			keys := []*vault.MasterKey{testMaster(b, 1), testMaster(b, 2)}
			s, _ := openKeyed(b, testutil.NewDSN(b, d), keys[0])
			ws, _ := testutil.NewSite(b, s, "Acme", "acme", "www.example.com")
			const n = 10000
			rows := make([]store.ImportRow, 0, 500)
			for i := range n {
				rows = append(rows, benchRow(i))
				if len(rows) == cap(rows) {
					if _, err := s.ImportContacts(ctx, ws.ID, rows, store.ImportBatch{Actor: "bench"}); err != nil {
						b.Fatal(err)
					}
					rows = rows[:0]
				}
			}
			b.ResetTimer()
			for i := range b.N {
				rotate(b, s, keys[(i+1)%2], 500)
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// allContacts reads every contact of the workspace, page by page: each
// one opened.
func allContacts(t testing.TB, s *store.Store, workspaceID int64) []*foyer.Contact {
	t.Helper()
	var all []*foyer.Contact
	before := int64(0)
	for {
		page, err := s.SearchContacts(context.Background(), workspaceID, store.ContactQuery{Limit: 500, BeforeID: before})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all
		}
		before = page[len(page)-1].ID
	}
}
