package web

import (
	"testing"
	"time"

	"github.com/foyerhq/foyer"
)

// TestSavedFeedQuery: the job reads a saved feed's period as of the day
// it runs, "assigned to me" as the subscriber, and refuses a query whose
// filters cannot be used.
func TestSavedFeedQuery(t *testing.T) {
	at := time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC)
	q, err := SavedFeedQuery(4, "assigned=me&country=de&days=7", 9, at)
	if err != nil {
		t.Fatal(err)
	}
	if q.WorkspaceID != 4 || q.AssignedTo != 9 || q.Country != "DE" ||
		!q.From.Equal(time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC)) || !q.To.Equal(time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("query %+v", q)
	}
	for _, bad := range []string{"country=Atlantis", "days=9", "%zz", "from=2026-13-01"} {
		if _, err := SavedFeedQuery(4, bad, 9, at); foyer.ErrorCode(err) != foyer.EINVALID {
			t.Errorf("%q: %v, want EINVALID", bad, err)
		}
	}
}

// FuzzSavedFeedQuery: any stored query string gives a query of the
// workspace whose period runs forward and ends by the day, or EINVALID.
func FuzzSavedFeedQuery(f *testing.F) {
	for _, s := range []string{"days=7", "country=DE&days=30&sort=score", "from=2026-01-01&to=2026-02-01", "assigned=me&tag=hot",
		"min_pages=3&min_minutes=2&page=%2Fpricing", "q=%25_%5C", "site=-1", ""} {
		f.Add(s)
	}
	at := time.Date(2026, 3, 29, 6, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := SavedFeedQuery(7, s, 3, at)
		if err != nil {
			if foyer.ErrorCode(err) != foyer.EINVALID {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if q.WorkspaceID != 7 || q.To.Before(q.From) || q.To.After(at) || q.AssignedTo < 0 {
			t.Fatalf("%q: %+v", s, q)
		}
	})
}
