package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// importFixture is a store with keys and a workspace with one contact,
// ann@example.com, refused on t0-10 days.
func importFixture(t *testing.T, d store.Dialect, now func() time.Time) (*store.Store, *foyer.Workspace) {
	t.Helper()
	s := testutil.NewStore(t, d, store.Options{Now: now})
	s.UseKeys(testKeys(t, 9))
	ws, _ := testutil.NewSite(t, s, "Acme", "acme", "www.example.com")
	ann := &foyer.Contact{WorkspaceID: ws.ID, Email: "ann@example.com", FirstName: "Ann",
		Consent: foyer.ConsentState{Status: foyer.ConsentRefused, At: t0.Add(-240 * time.Hour)}}
	if err := s.CreateContact(context.Background(), ann, "test"); err != nil {
		t.Fatal(err)
	}
	return s, ws
}

func consentRow(line int, email, status string, at time.Time) store.ImportRow {
	return store.ImportRow{Line: line, Contact: foyer.Contact{Email: email},
		Consent: &foyer.ConsentChange{Status: foyer.ConsentStatus(status), At: at, Source: foyer.SourceImport}}
}

// TestImportContactsBatch: one batch of rows, each with its outcome:
// new, updated, unchanged, rejected by the reader, rejected by the store,
// and a row that fails half-way (its contact written, then its consent
// refused), which leaves nothing; precedence still holds; the import's
// record counts the batch and keeps its rejections; on both dialects.
func TestImportContactsBatch(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		s, ws := importFixture(t, d, testutil.NewClock(t0).Now)
		ctx := context.Background()
		imp := &store.ContactImport{WorkspaceID: ws.ID, FileName: strings.Repeat("é", 200) + ".csv", Format: "csv", BytesTotal: 1000}
		if err := s.StartContactImport(ctx, imp); err != nil {
			t.Fatal(err)
		}
		if len(imp.FileName) > 120 || imp.State != store.ImportRunning {
			t.Errorf("record: %q (%d bytes), %s", imp.FileName, len(imp.FileName), imp.State)
		}
		rows := []store.ImportRow{
			{Line: 2, Contact: foyer.Contact{Email: "bob@example.com", FirstName: "Bob"}},
			consentRow(3, "ann@example.com", "accepted", t0.Add(-480*time.Hour)), // older than the stored refusal
			{Line: 4, Rejected: "unknown consent value \"maybe\""},
			{Line: 5, Contact: foyer.Contact{Email: "not an address"}},
			consentRow(6, "half@example.com", "perhaps", t0),                    // created, then its consent refused
			consentRow(7, "ann@example.com", "accepted", t0.Add(-24*time.Hour)), // newer: applied
			{Line: 8, Contact: foyer.Contact{Email: "bob@example.com", FirstName: "Bob"}},
			{Line: 9, Contact: foyer.Contact{Email: "cy@example.com", Phone: strings.Repeat("1", 5000)}},
		}
		// A dry run first: the same results, nothing written.
		dry, err := s.ImportContacts(ctx, ws.ID, rows, store.ImportBatch{Actor: "import test", DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ImportContacts(ctx, ws.ID, rows, store.ImportBatch{Actor: "import test", ImportID: imp.ID, BytesRead: 500})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"new", "unchanged", "rejected", "rejected", "rejected", "updated", "unchanged", "rejected"}
		for i, r := range got {
			if r.Outcome != want[i] || r.Line != rows[i].Line || (r.Outcome == "rejected") != (r.Reason != "") {
				t.Errorf("line %d: %+v, want %s", rows[i].Line, r, want[i])
			}
			if dry[i] != r {
				t.Errorf("line %d: dry run %+v, import %+v", rows[i].Line, dry[i], r)
			}
		}
		if _, err := s.ContactByEmail(ctx, ws.ID, "half@example.com"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("the row that failed half-way left its contact: %v", err)
		}
		if hits, _ := s.SearchContacts(ctx, ws.ID, store.ContactQuery{Text: "half@example.com"}); len(hits) != 0 {
			t.Errorf("the row that failed half-way left its search words")
		}
		ann, err := s.ContactByEmail(ctx, ws.ID, "ann@example.com")
		if err != nil || ann.Consent.Status != foyer.ConsentAccepted || !ann.Consent.At.Equal(t0.Add(-24*time.Hour)) {
			t.Errorf("ann: %+v, %v", ann, err)
		}
		if h, _ := s.ConsentHistory(ctx, ws.ID, ann.ID); len(h) != 3 || h[1].Applied || !h[2].Applied {
			t.Errorf("ann's history: %+v", h)
		}
		if b, err := s.VerifyConsent(ctx, ws.ID); err != nil || b != nil {
			t.Errorf("chain: %v, %v", b, err)
		}
		// The batch wrote its head once, at the end: a change after it
		// follows its last entry.
		if _, _, _, err := s.RecordConsent(ctx, ws.ID, ann.ID, foyer.ConsentChange{Status: foyer.ConsentRefused, Source: foyer.SourceAdmin, Actor: "user test"}); err != nil {
			t.Fatal(err)
		}
		if b, err := s.VerifyConsent(ctx, ws.ID); err != nil || b != nil {
			t.Errorf("chain after a change that followed the batch: %v, %v", b, err)
		}
		rec, err := s.FinishContactImport(ctx, ws.ID, imp.ID, store.ImportDone, "")
		if err != nil {
			t.Fatal(err)
		}
		if rec.State != "done" || rec.RowsRead != 8 || rec.BytesRead != 500 || rec.New != 1 || rec.Updated != 1 || rec.Unchanged != 2 ||
			rec.Rejected != 4 || rec.FinishedAt.IsZero() {
			t.Errorf("record: %+v", rec)
		}
		rej, err := s.ImportRejections(ctx, ws.ID, imp.ID, 100)
		if err != nil || len(rej) != 4 || rej[0].Line != 4 || rej[3].Line != 9 {
			t.Errorf("rejections: %+v, %v", rej, err)
		}
		for _, r := range rej {
			if strings.Contains(r.Reason, "@") {
				t.Errorf("a kept reason names an address: %q", r.Reason)
			}
		}
		// Finished: no more batches, no second end; another workspace sees nothing.
		if _, err := s.ImportContacts(ctx, ws.ID, rows[:1], store.ImportBatch{ImportID: imp.ID}); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a batch after the end: %v", err)
		}
		if _, err := s.FinishContactImport(ctx, ws.ID, imp.ID, store.ImportFailed, "x"); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("a second end: %v", err)
		}
		if _, err := s.ContactImport(ctx, ws.ID+1, imp.ID); foyer.ErrorCode(err) != foyer.ENOTFOUND {
			t.Errorf("another workspace's import: %v", err)
		}
		if list, err := s.ContactImports(ctx, ws.ID, 10); err != nil || len(list) != 1 || list[0].ID != imp.ID {
			t.Errorf("list: %v, %v", list, err)
		}
	})
}

// TestImportContactsCancelled: a batch whose context is cancelled part
// way writes none of its rows, and the record still counts only the
// batches before it; a later start fails the import left running; the
// rejections kept stop at MaxImportRejections.
func TestImportContactsCancelled(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls, cancelAt := 0, -1
		clock := testutil.NewClock(t0)
		s, ws := importFixture(t, d, func() time.Time {
			calls++
			if calls == cancelAt {
				cancel() // in the middle of a row of the second batch
			}
			return clock.Now()
		})
		imp := &store.ContactImport{WorkspaceID: ws.ID, FileName: "people.csv", Format: "csv"}
		if err := s.StartContactImport(context.Background(), imp); err != nil {
			t.Fatal(err)
		}
		batch := func(from int) []store.ImportRow {
			var rows []store.ImportRow
			for i := from; i < from+20; i++ {
				rows = append(rows, consentRow(i, fmt.Sprintf("p%d@example.com", i), "accepted", t0))
			}
			return rows
		}
		if _, err := s.ImportContacts(ctx, ws.ID, batch(0), store.ImportBatch{ImportID: imp.ID, BytesRead: 10}); err != nil {
			t.Fatal(err)
		}
		cancelAt = calls + 25
		if _, err := s.ImportContacts(ctx, ws.ID, batch(20), store.ImportBatch{ImportID: imp.ID, BytesRead: 20}); !errors.Is(err, context.Canceled) {
			t.Fatalf("the cancelled batch: %v", err)
		}
		if cancelAt > calls {
			t.Fatalf("the clock was read %d times, the test cancels at %d", calls, cancelAt)
		}
		bg := context.Background()
		for i := 0; i < 40; i++ {
			_, err := s.ContactByEmail(bg, ws.ID, fmt.Sprintf("p%d@example.com", i))
			if (err == nil) != (i < 20) {
				t.Errorf("contact %d after the cancelled batch: %v", i, err)
			}
		}
		rec, err := s.ContactImport(bg, ws.ID, imp.ID)
		if err != nil || rec.RowsRead != 20 || rec.New != 20 || rec.BytesRead != 10 || rec.State != store.ImportRunning {
			t.Errorf("record after the cancelled batch: %+v, %v", rec, err)
		}
		if b, err := s.VerifyConsent(bg, ws.ID); err != nil || b != nil {
			t.Errorf("chain: %v, %v", b, err)
		}
		if n, err := s.FailRunningImports(bg, "the server stopped"); err != nil || n != 1 {
			t.Errorf("fail running: %d, %v", n, err)
		}
		if rec, _ := s.ContactImport(bg, ws.ID, imp.ID); rec.State != store.ImportFailed || rec.Error != "the server stopped" {
			t.Errorf("after a restart: %+v", rec)
		}

		// The rejections kept stop at MaxImportRejections; the count goes on.
		imp2 := &store.ContactImport{WorkspaceID: ws.ID, FileName: "bad.ndjson", Format: "ndjson"}
		if err := s.StartContactImport(bg, imp2); err != nil {
			t.Fatal(err)
		}
		for b := 0; b < 3; b++ {
			var rows []store.ImportRow
			for i := 0; i < 400; i++ {
				rows = append(rows, store.ImportRow{Line: b*400 + i + 1, Rejected: "bad"})
			}
			if _, err := s.ImportContacts(bg, ws.ID, rows, store.ImportBatch{ImportID: imp2.ID}); err != nil {
				t.Fatal(err)
			}
		}
		rec, _ = s.ContactImport(bg, ws.ID, imp2.ID)
		rej, _ := s.ImportRejections(bg, ws.ID, imp2.ID, 5000)
		if rec.Rejected != 1200 || len(rej) != store.MaxImportRejections || rej[len(rej)-1].Line != store.MaxImportRejections {
			t.Errorf("rejected %d, kept %d", rec.Rejected, len(rej))
		}
	})
}
