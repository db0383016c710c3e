package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// Names the contact fixture draws from: a few common ones, so that some
// words match many contacts, and the index, so that every contact has a
// rare one.
var (
	benchFirst = []string{"Ana", "Bob", "Chen", "Dora", "Émile", "Farah", "Greta", "Hugo", "Ines", "Jonas"}
	benchLast  = []string{"Lopez", "Smith", "Müller", "Dubois", "Rossi", "Nowak", "Khan", "Silva", "Tanaka", "Olsen"}
)

// contactWorkspace opens the workspace the contact benchmarks read: the
// one named "Contacts" in the database FOYER_CONTACTS_DSN names, filled
// there with FOYER_CONTACTS_N contacts (default 1,000,000) on first use,
// or else a new SQLite file with 20,000 contacts. Its master key is a
// fixed test key.
func contactWorkspace(b *testing.B) (*store.Store, *foyer.Workspace, int) {
	ctx := context.Background()
	keys, err := vault.New(bytes.Repeat([]byte{9}, vault.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	dsn, n := os.Getenv("FOYER_CONTACTS_DSN"), 20_000
	if dsn != "" {
		n = 1_000_000
		if v := os.Getenv("FOYER_CONTACTS_N"); v != "" {
			fmt.Sscan(v, &n)
		}
	} else {
		dsn = testutil.NewDSN(b, store.SQLite)
	}
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.UseKeys(keys)
	if ws, err := s.WorkspaceByName(ctx, "Contacts"); err == nil {
		return s, ws, n
	}
	ws := &foyer.Workspace{Name: "Contacts"}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	statuses := []foyer.ConsentStatus{foyer.ConsentAccepted, foyer.ConsentRefused, foyer.ConsentUnanswered, foyer.ConsentUnanswered}
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	err = store.FillContacts(ctx, s, n, func(i int) *foyer.Contact {
		st := statuses[i%len(statuses)]
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("person%d@company%d.example", i, i%5000),
			FirstName: benchFirst[i%len(benchFirst)], LastName: fmt.Sprintf("%s Rare%d", benchLast[(i/10)%len(benchLast)], i),
			Company: fmt.Sprintf("Company %d", i%5000), Consent: foyer.ConsentState{Status: st}}
		if st != foyer.ConsentUnanswered {
			c.Consent.At = day.Add(time.Duration(i) * time.Minute)
		}
		return c
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d contacts in %v", n, time.Since(start).Round(time.Second))
	if strings.HasPrefix(dsn, "postgres") { // as an import of as many does (FinishContactImport)
		for _, table := range []string{"contacts", "contact_terms"} {
			if _, err := s.DB().ExecContext(ctx, "ANALYZE "+table); err != nil {
				b.Fatal(err)
			}
		}
	}
	return s, ws, n
}

// BenchmarkContactList reads a page of 50 of the contact list as the page
// does (51 rows, opened): the first and a far page, each consent filter,
// and searches by a common word, a rare one, two words and an address. It
// reports p50 and p95 per query.
func BenchmarkContactList(b *testing.B) {
	s, ws, n := contactWorkspace(b)
	ctx := context.Background()
	refused, unanswered := foyer.ConsentRefused, foyer.ConsentUnanswered
	for _, c := range []struct {
		name string
		q    foyer.ContactQuery
	}{
		{"all-page1", foyer.ContactQuery{}},
		{"all-page100", foyer.ContactQuery{Offset: 99 * 50}},
		{"refused", foyer.ContactQuery{Consent: &refused}},
		{"unanswered-page20", foyer.ContactQuery{Consent: &unanswered, Offset: 19 * 50}},
		{"common-word", foyer.ContactQuery{Text: "lopez"}},
		{"common-word-refused", foyer.ContactQuery{Text: "bob", Consent: &refused}},
		{"two-common-words", foyer.ContactQuery{Text: "ana lopez"}},
		{"rare-word", foyer.ContactQuery{Text: fmt.Sprintf("rare%d", n/2)}},
		{"address", foyer.ContactQuery{Text: fmt.Sprintf("person%d@company%d.example", n/3, (n/3)%5000)}},
		{"company-domain", foyer.ContactQuery{Text: "company42.example"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.q
			q.Limit = 51
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				rows, err := s.SearchContacts(ctx, ws.ID, q)
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				if len(rows) == 0 {
					b.Fatal("no contact found")
				}
			}
			reportPercentiles(b, times)
		})
	}
}

// BenchmarkContactProfile reads what a contact's profile shows, but the
// chain's verification (cached, see BenchmarkVerifyConsent): the contact
// opened, its consent history with reasons opened, its changes and the
// workspace's mode. It reports p50 and p95.
func BenchmarkContactProfile(b *testing.B) {
	s, ws, _ := contactWorkspace(b)
	ctx := context.Background()
	list, err := s.SearchContacts(ctx, ws.ID, foyer.ContactQuery{Text: "bob", Limit: 500})
	if err != nil || len(list) == 0 {
		b.Fatalf("contacts: %v", err)
	}
	var times []time.Duration
	i := 0
	for b.Loop() {
		id := list[i%len(list)].ID
		i++
		start := time.Now()
		if _, err := s.Contact(ctx, ws.ID, id); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ConsentHistory(ctx, ws.ID, id); err != nil {
			b.Fatal(err)
		}
		if _, err := s.ContactChanges(ctx, ws.ID, id, 20); err != nil {
			b.Fatal(err)
		}
		if _, err := s.TrackingMode(ctx, ws.ID); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	reportPercentiles(b, times)
}

// BenchmarkVerifyConsent verifies the workspace's whole consent history
// (one entry for each contact with a status in the fixture).
func BenchmarkVerifyConsent(b *testing.B) {
	s, ws, _ := contactWorkspace(b)
	ctx := context.Background()
	for b.Loop() {
		br, err := s.VerifyConsent(ctx, ws.ID)
		if err != nil || br != nil {
			b.Fatalf("verify: %v, %v", br, err)
		}
	}
}
