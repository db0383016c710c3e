package foyer

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// testChain returns a sealed history of n entries of workspace 7, with IDs
// 10, 20, 30… (gaps, as a database sequence may leave), and its head.
func testChain(n int) ([]ConsentEntry, [32]byte) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var prev [32]byte
	entries := make([]ConsentEntry, n)
	for i := range entries {
		e := ConsentEntry{
			ID: int64(10 * (i + 1)), WorkspaceID: 7, ContactID: int64(100 + i%4),
			At:     t0.Add(time.Duration(i) * time.Minute),
			Action: []ConsentAction{ActionAccepted, ActionRefused, ActionCleared}[i%3],
			Source: []ConsentSource{SourceImport, SourceForm, SourceAdmin}[i%3],
			Actor:  fmt.Sprintf("user %d", i), Reason: "ticket", Applied: i%2 == 0, Why: "applied: newer",
		}
		if i%3 != 0 { // entry 90 (i = 8) has one
			e.StatusAt = e.At.Add(-time.Hour)
		}
		e.Seal(prev)
		prev = e.Hash
		entries[i] = e
	}
	return entries, prev
}

func TestVerifyChainIntact(t *testing.T) {
	t.Parallel()
	entries, head := testChain(20)
	if b := VerifyChain(entries, &head); b != nil {
		t.Fatalf("an intact chain: %s", b)
	}
	if b := VerifyChain(entries, nil); b != nil {
		t.Fatalf("an intact chain without head: %s", b)
	}
	if b := VerifyChain(nil, nil); b != nil {
		t.Fatalf("an empty history: %s", b)
	}
	var zero [32]byte
	if b := VerifyChain(nil, &zero); b != nil {
		t.Fatalf("an empty history with a zero head: %s", b)
	}
}

// wantBreak checks that b names entry id with a problem containing words.
func wantBreak(t *testing.T, what string, b *ChainBreak, id int64, words string) {
	t.Helper()
	if b == nil {
		t.Errorf("%s: not detected", what)
		return
	}
	if b.ID != id || !strings.Contains(b.Problem, words) {
		t.Errorf("%s: got entry %d, %q; want entry %d, %q", what, b.ID, b.Problem, id, words)
	}
}

func TestVerifyChainEditedField(t *testing.T) {
	t.Parallel()
	edits := map[string]func(e *ConsentEntry){
		"ID":        func(e *ConsentEntry) { e.ID++ },
		"ContactID": func(e *ConsentEntry) { e.ContactID++ },
		"At":        func(e *ConsentEntry) { e.At = e.At.Add(time.Millisecond) },
		"StatusAt":  func(e *ConsentEntry) { e.StatusAt = e.StatusAt.Add(time.Millisecond) },
		"Action":    func(e *ConsentEntry) { e.Action = "accepted!" },
		"Source":    func(e *ConsentEntry) { e.Source = "api" },
		"Actor":     func(e *ConsentEntry) { e.Actor += "x" },
		"Reason":    func(e *ConsentEntry) { e.Reason = "" },
		"Applied":   func(e *ConsentEntry) { e.Applied = !e.Applied },
		"Why":       func(e *ConsentEntry) { e.Why = "not applied: older" },
		"PrevHash":  func(e *ConsentEntry) { e.PrevHash[3] ^= 1 },
		"Hash":      func(e *ConsentEntry) { e.Hash[31] ^= 1 },
	}
	for field, edit := range edits {
		entries, head := testChain(20)
		edit(&entries[8]) // entry 90
		wantBreak(t, "edited "+field, VerifyChain(entries, &head), entries[8].ID, "does not match its hash (edited)")
	}
	// Moving every entry of a workspace to another is an edit of each; an
	// entry moved alone is seen as belonging to another workspace.
	entries, head := testChain(20)
	entries[8].WorkspaceID = 8
	wantBreak(t, "edited WorkspaceID", VerifyChain(entries, &head), 90, "belongs to workspace 8")
	entries, head = testChain(20)
	for i := range entries {
		entries[i].WorkspaceID = 8
	}
	wantBreak(t, "edited every WorkspaceID", VerifyChain(entries, &head), 10, "edited")
}

func TestVerifyChainTampered(t *testing.T) {
	t.Parallel()
	// Each case tampers with a fresh chain of 20 entries (IDs 10…200).
	for _, c := range []struct {
		name   string
		tamper func([]ConsentEntry) []ConsentEntry
		id     int64
		words  string
	}{
		{"delete one in the middle", func(es []ConsentEntry) []ConsentEntry { return slices.Delete(es, 9, 10) },
			110, "entry 110 does not follow entry 90"},
		{"delete the first", func(es []ConsentEntry) []ConsentEntry { return es[1:] },
			20, "entry 20 is the first but does not start the history"},
		{"delete the last", func(es []ConsentEntry) []ConsentEntry { return es[:19] },
			190, "entry 190 is the last one, but not the recorded head"},
		{"truncate to 5", func(es []ConsentEntry) []ConsentEntry { return es[:5] },
			50, "entries after it were deleted"},
		{"truncate to nothing", func(es []ConsentEntry) []ConsentEntry { return nil },
			0, "the history is empty"},
		{"reorder two", func(es []ConsentEntry) []ConsentEntry { es[5], es[6] = es[6], es[5]; return es },
			70, "entry 70 does not follow entry 50"},
		{"swap the contents of two, keeping the IDs", func(es []ConsentEntry) []ConsentEntry {
			es[5].ID, es[6].ID = es[6].ID, es[5].ID
			es[5], es[6] = es[6], es[5]
			return es
		}, 60, "entry 60's content does not match"},
		{"ID out of order", func(es []ConsentEntry) []ConsentEntry { es[12].ID = 5; return es },
			5, "entry 5 has an ID out of order"},
		{"insert a forged entry with a recomputed hash", func(es []ConsentEntry) []ConsentEntry {
			f := es[9]
			f.ID, f.Action, f.Applied, f.Why = 105, ActionAccepted, true, "applied: forged"
			f.Seal(es[9].Hash)
			return slices.Insert(es, 10, f)
		}, 110, "entry 110 does not follow entry 105"},
		{"edit and re-seal one entry", func(es []ConsentEntry) []ConsentEntry {
			es[9].Applied = !es[9].Applied
			es[9].Seal(es[9].PrevHash)
			return es
		}, 110, "entry 110 does not follow entry 100"},
	} {
		entries, head := testChain(20)
		entries = c.tamper(entries)
		wantBreak(t, c.name, VerifyChain(entries, &head), c.id, c.words)
	}
}

// TestVerifyChainWithoutHead shows why the head is needed: without it, the
// loss of the last entries goes unseen, but a deletion in the middle does not.
func TestVerifyChainWithoutHead(t *testing.T) {
	t.Parallel()
	entries, _ := testChain(20)
	if b := VerifyChain(entries[:15], nil); b != nil {
		t.Errorf("without a head, a truncated chain is reported: %s", b)
	}
	wantBreak(t, "delete in the middle, no head", VerifyChain(slices.Delete(entries, 3, 4), nil), 50, "does not follow entry 30")
}

func TestConsentEntrySealMilliseconds(t *testing.T) {
	t.Parallel()
	e := ConsentEntry{ID: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 6_789_012, time.FixedZone("x", 3600))}
	e.Seal([32]byte{})
	if !e.At.Equal(time.Date(2026, 1, 2, 2, 4, 5, 6_000_000, time.UTC)) || e.At.Location() != time.UTC {
		t.Errorf("sealed At = %v, want millisecond precision in UTC", e.At)
	}
	// As read back from the database, the entry still verifies.
	back := e
	back.At = time.UnixMilli(e.At.UnixMilli()).In(time.Local)
	if b := VerifyChain([]ConsentEntry{back}, &e.Hash); b != nil {
		t.Errorf("read back: %s", b)
	}
}

// FuzzConsentEncoding checks that two different entries never have the same
// canonical encoding, and that the encoding starts with its version.
func FuzzConsentEncoding(f *testing.F) {
	// The seeds are under testdata/fuzz/FuzzConsentEncoding.
	// statusAt 0 stands for no date.
	date := func(ms int64) time.Time {
		if ms == 0 {
			return time.Time{}
		}
		return time.UnixMilli(ms)
	}
	f.Fuzz(func(t *testing.T,
		id1, ws1, c1, at1, sat1 int64, act1, src1, actor1, reason1 string, ap1 bool, why1 string,
		id2, ws2, c2, at2, sat2 int64, act2, src2, actor2, reason2 string, ap2 bool, why2 string) {
		a := ConsentEntry{ID: id1, WorkspaceID: ws1, ContactID: c1, At: time.UnixMilli(at1), StatusAt: date(sat1), Action: ConsentAction(act1),
			Source: ConsentSource(src1), Actor: actor1, Reason: reason1, Applied: ap1, Why: why1, PrevHash: [32]byte{byte(id1)}}
		b := ConsentEntry{ID: id2, WorkspaceID: ws2, ContactID: c2, At: time.UnixMilli(at2), StatusAt: date(sat2), Action: ConsentAction(act2),
			Source: ConsentSource(src2), Actor: actor2, Reason: reason2, Applied: ap2, Why: why2, PrevHash: [32]byte{byte(id2)}}
		ea, eb := a.encode(), b.encode()
		if ea[0] != consentEncodingVersion {
			t.Fatalf("encoding starts with %d", ea[0])
		}
		same := a.ID == b.ID && a.WorkspaceID == b.WorkspaceID && a.ContactID == b.ContactID &&
			a.At.UnixMilli() == b.At.UnixMilli() && a.StatusAt.IsZero() == b.StatusAt.IsZero() &&
			a.StatusAt.UnixMilli() == b.StatusAt.UnixMilli() && a.Action == b.Action && a.Source == b.Source &&
			a.Actor == b.Actor && a.Reason == b.Reason && a.Applied == b.Applied && a.Why == b.Why && a.PrevHash == b.PrevHash
		if same != bytes.Equal(ea, eb) {
			t.Fatalf("entries equal: %v, encodings equal: %v\n%+v\n%+v", same, !same, a, b)
		}
	})
}

func TestNewConsentEntry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 123_456_789, time.UTC)
	given := now.Add(-time.Hour)
	for status, action := range map[ConsentStatus]ConsentAction{
		ConsentAccepted: ActionAccepted, ConsentRefused: ActionRefused, ConsentUnanswered: ActionCleared,
	} {
		in := ConsentChange{Status: status, At: given, Source: SourceAdmin, Actor: "user 3", Reason: "call"}
		_, applied, why, err := ApplyConsent(ConsentState{Status: ConsentRefused, At: given.Add(-time.Hour)}, in, now)
		if err != nil {
			t.Fatal(err)
		}
		e := NewConsentEntry(7, 100, in, applied, why, now)
		want := ConsentEntry{WorkspaceID: 7, ContactID: 100, At: now.Truncate(time.Millisecond), StatusAt: given.Truncate(time.Millisecond),
			Action: action, Source: SourceAdmin, Actor: "user 3", Reason: "call", Applied: true, Why: why}
		if e != want {
			t.Errorf("%q: NewConsentEntry = %+v, want %+v", status, e, want)
		}
		e.ID = 1
		e.Seal([32]byte{})
		if b := VerifyChain([]ConsentEntry{e}, &e.Hash); b != nil {
			t.Errorf("%q: %s", status, b)
		}
	}
}
