package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// benchRow is the i-th generated row of an import, with a consent status.
func benchRow(i int) store.ImportRow {
	status := foyer.ConsentAccepted
	if i%3 == 0 {
		status = foyer.ConsentRefused
	}
	return store.ImportRow{Line: i + 2,
		Contact: foyer.Contact{Email: fmt.Sprintf("person%d@example%d.com", i, i%1000), FirstName: "Ann", LastName: fmt.Sprintf("Lee%d", i),
			Role: "CTO", Company: "Example"},
		Consent: &foyer.ConsentChange{Status: status, At: t0.Add(-time.Duration(i) * time.Second), Source: foyer.SourceImport}}
}

// BenchmarkImportContacts: rows a second through ImportContacts, in
// batches of 500, and one at a time through ImportContact, on each dialect.
func BenchmarkImportContacts(b *testing.B) {
	for _, d := range testutil.Dialects {
		for _, batch := range []int{1, 50, 500} {
			b.Run(fmt.Sprintf("%s/batch=%d", d, batch), func(b *testing.B) {
				s := testutil.NewStore(b, d, store.Options{})
				s.UseKeys(benchKeys(b))
				ctx := context.Background()
				ws, _ := testutil.NewSite(b, s, "Acme", "acme", "www.example.com")
				rows := make([]store.ImportRow, 0, batch)
				b.ResetTimer()
				for i := range b.N {
					if batch == 1 {
						r := benchRow(i)
						r.Contact.WorkspaceID = ws.ID
						if _, err := s.ImportContact(ctx, &r.Contact, r.Consent, "bench", false); err != nil {
							b.Fatal(err)
						}
						continue
					}
					rows = append(rows, benchRow(i))
					if len(rows) == batch || i == b.N-1 {
						if _, err := s.ImportContacts(ctx, ws.ID, rows, store.ImportBatch{Actor: "bench"}); err != nil {
							b.Fatal(err)
						}
						rows = rows[:0]
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

func benchKeys(b testing.TB) *vault.Keyring {
	k, err := vault.New(bytes.Repeat([]byte{3}, vault.KeySize))
	if err != nil {
		b.Fatal(err)
	}
	return k
}
