package contactexport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// fakeStore pages contacts newest first below an ID, as the store does,
// and history entries by ID; with insertAt set, a contact is created and
// the oldest deleted as the second page is read.
type fakeStore struct {
	contacts []*foyer.Contact // by ID descending
	entries  []foyer.ConsentEntry
	insertAt int
	reads    int
	deleted  int
}

func (f *fakeStore) SearchContacts(_ context.Context, ws int64, q foyer.ContactQuery) ([]*foyer.Contact, error) {
	f.reads++
	if q.Limit < 1 || q.Limit > 500 {
		return nil, fmt.Errorf("limit %d", q.Limit)
	}
	if f.insertAt > 0 && f.reads == 2 { // a contact created, and the oldest deleted, after the first page
		c := &foyer.Contact{ID: f.contacts[0].ID + 1, WorkspaceID: ws, Email: "late@example.com"}
		f.contacts = append([]*foyer.Contact{c}, f.contacts[:len(f.contacts)-1]...)
		f.deleted++
	}
	var out []*foyer.Contact // by ID descending, below BeforeID
	for _, c := range f.contacts {
		if (q.BeforeID == 0 || c.ID < q.BeforeID) && len(out) < q.Limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeStore) TrackingMode(context.Context, int64) (foyer.TrackingMode, error) {
	return foyer.TrackingOptIn, nil
}

func (f *fakeStore) WorkspaceConsentHistory(_ context.Context, _ int64, after int64, limit int) ([]foyer.ConsentEntry, error) {
	var out []foyer.ConsentEntry
	for _, e := range f.entries {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func fixture(n int) *fakeStore {
	f := &fakeStore{}
	at := time.Date(2026, 3, 4, 5, 6, 7, 8e6, time.UTC)
	for id := n; id >= 1; id-- {
		c := &foyer.Contact{ID: int64(id), WorkspaceID: 1, Email: fmt.Sprintf("c%d@example.com", id), FirstName: "Ana",
			CreatedAt: at, UpdatedAt: at}
		switch id % 3 {
		case 0:
			c.Consent = foyer.ConsentState{Status: foyer.ConsentAccepted, At: at}
		case 1:
			c.Consent = foyer.ConsentState{Status: foyer.ConsentRefused, At: at}
		}
		f.contacts = append(f.contacts, c)
	}
	f.contacts[0].FirstName = `=HYPERLINK("http://evil")`
	f.contacts[0].Attrs = map[string]string{"plan": "+gold", "b": "x"}
	f.contacts[0].CompanyID = 7
	for id := int64(1); id <= int64(n); id++ {
		f.entries = append(f.entries, foyer.ConsentEntry{ID: id, ContactID: id % 5, At: at, Action: foyer.ActionAccepted,
			Source: foyer.SourceAPI, Actor: "token 1", Reason: "-1 reason", Applied: true, Why: "applied"})
	}
	return f
}

// TestContactsCSV: every contact once, newest first, over several pages,
// with a contact created (left out) and one deleted (gone, and no other
// skipped) during the export; every field in its
// column; formula cells neutralised; may_track by the workspace's mode.
func TestContactsCSV(t *testing.T) {
	t.Parallel()
	const n = 2*pageSize + 18
	f := fixture(n)
	f.insertAt = pageSize
	var buf bytes.Buffer
	got, err := Contacts(context.Background(), f, 1, &buf, CSV)
	if err != nil || got != n-1 || f.deleted != 1 {
		t.Fatalf("Contacts: %d, %v; want %d", got, err, n-1)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], contactHeader) || len(rows) != n {
		t.Fatalf("header %q, %d rows", rows[0], len(rows))
	}
	for i, r := range rows[1:] {
		if want := fmt.Sprint(n - i); r[0] != want {
			t.Fatalf("row %d: id %s, want %s (duplicated or skipped)", i+1, r[0], want)
		}
	}
	first := map[string]string{}
	for i, h := range contactHeader {
		first[h] = rows[1][i]
	}
	want := map[string]string{"email": fmt.Sprintf("c%d@example.com", n), "first_name": `'=HYPERLINK("http://evil")`,
		"attrs": `{"b":"x","plan":"+gold"}`, "company_id": "7", "tracking_consent": "refused", "may_track": "false",
		"tracking_consent_at": "2026-03-04T05:06:07.008Z", "created_at": "2026-03-04T05:06:07.008Z"}
	if n%3 != 1 {
		t.Fatal("the fixture's first contact should have refused")
	}
	for k, v := range want {
		if first[k] != v {
			t.Errorf("%s = %q, want %q", k, first[k], v)
		}
	}
	// An accepted contact may be tracked in opt-in mode, an unanswered not.
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	if r := byID["3"]; r[11] != "accepted" || r[13] != "true" {
		t.Errorf("contact 3: %q", r)
	}
	if r := byID["2"]; r[11] != "unanswered" || r[12] != "" || r[13] != "false" {
		t.Errorf("contact 2: %q", r)
	}
}

// TestContactsNDJSON: one object a line with the values as they are.
func TestContactsNDJSON(t *testing.T) {
	t.Parallel()
	f := fixture(5)
	var buf bytes.Buffer
	if n, err := Contacts(context.Background(), f, 1, &buf, NDJSON); err != nil || n != 5 {
		t.Fatalf("%d, %v", n, err)
	}
	sc := bufio.NewScanner(&buf)
	var lines []map[string]any
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v", sc.Text(), err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	l := lines[0]
	if l["first_name"] != `=HYPERLINK("http://evil")` || l["company_id"] != float64(7) || l["tracking_consent"] != "unanswered" ||
		l["tracking_consent_at"] != nil || l["attrs"].(map[string]any)["plan"] != "+gold" || l["may_track"] != false {
		t.Errorf("first line: %v", l)
	}
	if lines[1]["company_id"] != nil || lines[1]["tracking_consent"] != "refused" || lines[1]["tracking_consent_at"] == nil {
		t.Errorf("second line: %v", lines[1])
	}
}

// TestHistory: every entry once, in order, over several pages, with its
// hashes; CSV cells neutralised.
func TestHistory(t *testing.T) {
	t.Parallel()
	const n = pageSize + 3
	f := fixture(n)
	for _, format := range []Format{CSV, NDJSON} {
		var buf bytes.Buffer
		got, err := History(context.Background(), f, 1, &buf, format)
		if err != nil || got != n {
			t.Fatalf("%s: %d, %v", format, got, err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if format == CSV {
			if lines[0] != strings.Join(historyHeader, ",") || len(lines) != n+1 || !strings.Contains(lines[1], ",'-1 reason,") {
				t.Errorf("csv: %q, %d lines", lines[:2], len(lines))
			}
			if !strings.HasPrefix(lines[5], "5,,") {
				t.Errorf("an entry of no contact: %q", lines[5])
			}
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(lines[n-1]), &e); err != nil || e["id"] != float64(n) || e["reason"] != "-1 reason" ||
			len(e["hash"].(string)) != 64 {
			t.Errorf("ndjson: %v, %v", e, err)
		}
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Format{"": CSV, "csv": CSV, "ndjson": NDJSON, "jsonl": NDJSON} {
		if f, err := ParseFormat(in); err != nil || f != want {
			t.Errorf("%q: %q, %v", in, f, err)
		}
	}
	if _, err := ParseFormat("xlsx"); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("xlsx: %v", err)
	}
}
