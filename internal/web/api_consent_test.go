package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestAPIConsentPrecedence: POST /api/v1/contacts/{id}/consent with an
// older, an equal, a newer and no date, against every stored state
// (accepted, refused and unanswered, each with a date and without), on
// both dialects: the answer and the stored state follow the table below,
// written out rather than computed, and each change is in the history,
// applied or not, with why.
func TestAPIConsentPrecedence(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testAPIConsentPrecedence(t, d)
		})
	}
}

// A stored state: a status, dated or not.
type storedState struct {
	name   string
	status foyer.ConsentStatus
	dated  bool
}

func testAPIConsentPrecedence(t *testing.T, d store.Dialect) {
	w := newContactsTest(t, d)
	tok := w.token("Acme", foyer.ScopeWrite)
	ws := w.wsID("Acme")
	ctx := context.Background()
	d0 := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC) // the stored date of a dated status

	states := []storedState{
		{"accepted, dated", foyer.ConsentAccepted, true},
		{"refused, dated", foyer.ConsentRefused, true},
		{"unanswered, dated (cleared)", foyer.ConsentUnanswered, true},
		{"accepted, no date", foyer.ConsentAccepted, false},
		{"refused, no date", foyer.ConsentRefused, false},
		{"unanswered, no date", foyer.ConsentUnanswered, false},
	}
	const (
		older, equal, newer, missing = "older", "equal", "newer", "missing"
	)
	// applies[state][date]: whether the change applies.
	applies := map[string]map[string]bool{
		"accepted, dated":             {older: false, equal: false, newer: true, missing: false},
		"refused, dated":              {older: false, equal: false, newer: true, missing: false},
		"unanswered, dated (cleared)": {older: false, equal: false, newer: true, missing: true},
		"accepted, no date":           {older: true, equal: true, newer: true, missing: false},
		"refused, no date":            {older: true, equal: true, newer: true, missing: false},
		"unanswered, no date":         {older: true, equal: true, newer: true, missing: true},
	}

	// setUp makes a contact in the state and returns its ID and its stored
	// date (d0, the clearing's date, or zero).
	n := 0
	setUp := func(s storedState) (int64, time.Time) {
		n++
		code, c := w.call("POST", "/api/v1/contacts", tok, fmt.Sprintf(`{"email":"c%d@example.com"}`, n))
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, c)
		}
		id := int64(c["id"].(float64))
		var at time.Time
		switch {
		case s.status == foyer.ConsentUnanswered && s.dated:
			// Accepted, then cleared by an administrator now.
			if _, _, _, err := w.st.RecordConsent(ctx, ws, id, foyer.ConsentChange{Status: foyer.ConsentAccepted, At: d0.Add(-48 * time.Hour),
				Source: foyer.SourceAPI, Actor: "setup"}); err != nil {
				t.Fatal(err)
			}
			next, applied, _, err := w.st.RecordConsent(ctx, ws, id, foyer.ConsentChange{Status: foyer.ConsentUnanswered,
				Source: foyer.SourceAdmin, Actor: "setup"})
			if err != nil || !applied || next.At.IsZero() {
				t.Fatalf("clear: %+v %v %v", next, applied, err)
			}
			at = next.At
		case s.status != foyer.ConsentUnanswered && s.dated:
			if _, applied, _, err := w.st.RecordConsent(ctx, ws, id, foyer.ConsentChange{Status: s.status, At: d0,
				Source: foyer.SourceAPI, Actor: "setup"}); err != nil || !applied {
				t.Fatalf("set: %v %v", applied, err)
			}
			at = d0
		case s.status != foyer.ConsentUnanswered:
			// A status without a date, as older data has: only the
			// database can hold one now.
			if _, err := w.st.DB().ExecContext(ctx, fmt.Sprintf(`UPDATE contacts SET tracking_consent = '%s', tracking_consent_at = 0 WHERE id = %d`,
				s.status, id)); err != nil {
				t.Fatal(err)
			}
		}
		c2, err := w.st.Contact(ctx, ws, id)
		if err != nil || c2.Consent.Status != s.status || c2.Consent.At.IsZero() == s.dated {
			t.Fatalf("%s: set up %+v, %v", s.name, c2.Consent, err)
		}
		return id, at
	}
	type made struct {
		id  int64
		ref time.Time // the date the change's date is older, equal or newer than
		s   storedState
	}
	cases := map[string]made{}
	for _, s := range states {
		for _, when := range []string{older, equal, newer, missing} {
			id, at := setUp(s)
			ref := at
			if ref.IsZero() {
				ref = d0
			}
			cases[s.name+"/"+when] = made{id, ref, s}
		}
	}
	// Every change is in the past of the server, however far the newer one
	// is from the clearing's date.
	w.clock.Add(30 * 24 * time.Hour)
	now := w.clock.Now().UTC().Truncate(time.Millisecond)

	for _, s := range states {
		// The change goes the other way than the stored status, so that
		// an applied change shows; to an unanswered contact, accepted.
		status := foyer.ConsentAccepted
		if s.status == foyer.ConsentAccepted {
			status = foyer.ConsentRefused
		}
		for _, when := range []string{older, equal, newer, missing} {
			name := s.name + "/" + when
			m := cases[name]
			var at time.Time
			body := fmt.Sprintf(`{"status":%q,"source":"api","reason":"case %s"}`, status, name)
			switch when {
			case older:
				at = m.ref.Add(-24 * time.Hour)
			case equal:
				at = m.ref
			case newer:
				at = m.ref.Add(24 * time.Hour)
			}
			if !at.IsZero() {
				body = fmt.Sprintf(`{"status":%q,"at":%q,"source":"api","reason":"case %s"}`, status, at.Format(time.RFC3339Nano), name)
			}
			before, _ := w.st.Contact(ctx, ws, m.id)
			path := fmt.Sprintf("/api/v1/contacts/%d/consent", m.id)
			code, out := w.call("POST", path, tok, body)
			if code != http.StatusOK {
				t.Errorf("%s: %d %v", name, code, out)
				continue
			}
			wantApplied := applies[s.name][when]
			wantState := before.Consent
			if wantApplied {
				wantState = foyer.ConsentState{Status: status, At: at}
				if when == missing {
					wantState.At = now
				}
			}
			gotAt, _ := out["at"].(string)
			wantAt := ""
			if !wantState.At.IsZero() {
				wantAt = wantState.At.UTC().Format(time.RFC3339Nano)
			}
			if out["applied"] != wantApplied || out["status"] != statusName(wantState.Status) || gotAt != wantAt || out["why"] == "" {
				t.Errorf("%s: answered %v, want applied %v, %s at %q", name, out, wantApplied, statusName(wantState.Status), wantAt)
			}
			after, err := w.st.Contact(ctx, ws, m.id)
			if err != nil || after.Consent.Status != wantState.Status || !after.Consent.At.Equal(wantState.At) {
				t.Errorf("%s: stored %+v, want %+v", name, after.Consent, wantState)
			}
			// The history's last entry is the change, applied or not.
			_, h := w.call("GET", path, tok, "")
			hist := h["history"].([]any)
			last := hist[len(hist)-1].(map[string]any)
			if last["applied"] != wantApplied || last["source"] != "api" || last["reason"] != "case "+name ||
				last["action"] != string(status) || !strings.HasPrefix(last["actor"].(string), "token ") {
				t.Errorf("%s: last history entry %v", name, last)
			}
			if !wantApplied && !strings.HasPrefix(last["why"].(string), "not applied") {
				t.Errorf("%s: why %q", name, last["why"])
			}
			if h["status"] != statusName(wantState.Status) {
				t.Errorf("%s: GET consent says %v", name, h["status"])
			}
		}
	}
	if b, err := w.st.VerifyConsent(ctx, ws); err != nil || b != nil {
		t.Errorf("the history after the table: %v, %v", b, err)
	}
}

func statusName(s foyer.ConsentStatus) string {
	if s == foyer.ConsentUnanswered {
		return "unanswered"
	}
	return string(s)
}

// TestAPIConsentPost: the body's checks (nothing recorded on error), and
// the answer's may_track by the workspace's mode.
func TestAPIConsentPost(t *testing.T) {
	t.Parallel()
	w := newContactsTest(t, store.SQLite)
	tok := w.token("Acme", foyer.ScopeWrite)
	_, c := w.call("POST", "/api/v1/contacts", tok, `{"email":"ana@example.com"}`)
	path := fmt.Sprintf("/api/v1/contacts/%v/consent", c["id"])
	for _, bad := range []string{
		`{}`, `{"status":"maybe"}`, `{"status":"unanswered"}`, `{"status":"accepted","source":"form"}`,
		`{"status":"accepted","at":"2026-02-30"}`, `{"status":"accepted","at":"2027-01-01"}`, `{"status":"accepted","colour":1}`,
		`{"status":"accepted"`, `{"status":"accepted","reason":"` + strings.Repeat("r", foyer.MaxContactField+1) + `"}`,
	} {
		if code, out := w.call("POST", path, tok, bad); code != http.StatusBadRequest || errCode(out) != foyer.EINVALID {
			t.Errorf("%.60s: %d %v", bad, code, out)
		}
	}
	if _, h := w.call("GET", path, tok, ""); len(h["history"].([]any)) != 0 || h["status"] != "unanswered" || h["may_track"] != true {
		t.Errorf("after refused changes: %v", h)
	}
	if _, err := w.st.SetTrackingMode(context.Background(), w.wsID("Acme"), foyer.TrackingOptIn, "test", ""); err != nil {
		t.Fatal(err)
	}
	code, out := w.call("POST", path, tok, `{"status":"accepted","at":"2026-05-30","reason":"signed up"}`)
	if code != 200 || out["applied"] != true || out["may_track"] != true || out["status"] != "accepted" {
		t.Errorf("accepted: %d %v", code, out)
	}
	code, out = w.call("POST", path, tok, `{"status":"refused","at":"2026-05-31T08:00:00+02:00"}`)
	if code != 200 || out["applied"] != true || out["may_track"] != false || out["at"] != "2026-05-31T06:00:00Z" {
		t.Errorf("refused: %d %v", code, out)
	}
	// The history as files.
	code, b, hdr := w.callRaw("GET", path+"?format=csv", tok, "")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if code != 200 || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || len(lines) != 3 || !strings.Contains(lines[1], "signed up") {
		t.Errorf("csv: %d %q %q", code, hdr.Get("Content-Type"), lines)
	}
	code, b, hdr = w.callRaw("GET", path+"?format=ndjson", tok, "")
	if code != 200 || hdr.Get("Content-Type") != "application/x-ndjson" || strings.Count(string(b), "\n") != 2 {
		t.Errorf("ndjson: %d %s", code, b)
	}
	if code, _ := w.call("GET", path+"?format=xml", tok, ""); code != 400 {
		t.Errorf("format xml: %d", code)
	}
	// The workspace's history: the mode switch and both changes.
	_, b, _ = w.callRaw("GET", "/api/v1/consent/history?format=ndjson", tok, "")
	if strings.Count(string(b), "\n") != 3 || !strings.Contains(string(b), `"source":"mode"`) {
		t.Errorf("workspace history: %s", b)
	}
}
