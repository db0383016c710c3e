package foyer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
	"time"
)

// trackTable is the rule of issue 15: mode × status → trackable.
var trackTable = map[TrackingMode]map[ConsentStatus]bool{
	TrackingOptOut: {ConsentAccepted: true, ConsentRefused: false, ConsentUnanswered: true},
	TrackingOptIn:  {ConsentAccepted: true, ConsentRefused: false, ConsentUnanswered: false},
}

func TestMayTrack(t *testing.T) {
	t.Parallel()
	for mode, row := range trackTable {
		for status, want := range row {
			if got := MayTrack(mode, ConsentState{Status: status}); got != want {
				t.Errorf("MayTrack(%q, %q) = %v, want %v", mode, status, got, want)
			}
		}
	}
	// The empty mode is the default, opt-out; unknown values fail closed.
	if !MayTrack("", ConsentState{}) {
		t.Error(`MayTrack("", Unanswered) = false, want true (opt-out is the default)`)
	}
	if MayTrack("opt-maybe", ConsentState{}) {
		t.Error("an unknown mode tracks an unanswered contact")
	}
	if MayTrack(TrackingOptOut, ConsentState{Status: "yes"}) {
		t.Error("an unknown status is tracked")
	}
}

// parseTrackTable reads a "| mode | Accepted | Refused | Unanswered |" table
// from lines of text (Markdown or a doc comment).
func parseTrackTable(t *testing.T, text string) map[TrackingMode]map[ConsentStatus]bool {
	t.Helper()
	modes := map[string]TrackingMode{"opt-out (default)": TrackingOptOut, "opt-in": TrackingOptIn}
	values := map[string]bool{"tracked": true, "not tracked": false}
	var header []ConsentStatus
	got := map[TrackingMode]map[ConsentStatus]bool{}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			continue
		}
		var cells []string
		for c := range strings.SplitSeq(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.TrimSpace(c))
		}
		switch {
		case cells[0] == "mode":
			for _, c := range cells[1:] {
				s := map[string]ConsentStatus{"Accepted": ConsentAccepted, "Refused": ConsentRefused, "Unanswered": ConsentUnanswered}
				st, ok := s[c]
				if !ok {
					t.Fatalf("unknown status column %q", c)
				}
				header = append(header, st)
			}
		case strings.HasPrefix(cells[0], "---"):
		default:
			mode, ok := modes[cells[0]]
			if !ok {
				t.Fatalf("unknown mode row %q", cells[0])
			}
			if len(cells)-1 != len(header) {
				t.Fatalf("row %q has %d cells, the header %d", cells[0], len(cells)-1, len(header))
			}
			got[mode] = map[ConsentStatus]bool{}
			for i, c := range cells[1:] {
				v, ok := values[c]
				if !ok {
					t.Fatalf("row %q: unknown value %q", cells[0], c)
				}
				got[mode][header[i]] = v
			}
		}
	}
	return got
}

func equalTables(a, b map[TrackingMode]map[ConsentStatus]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for m, row := range a {
		if len(row) != len(b[m]) {
			return false
		}
		for s, v := range row {
			if w, ok := b[m][s]; !ok || w != v {
				return false
			}
		}
	}
	return true
}

// TestMayTrackDocs checks that the table in docs/consent.md and the one in
// MayTrack's doc comment say what the code does.
func TestMayTrackDocs(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("docs/consent.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(md), "## Who may be tracked")
	if !ok {
		t.Fatal(`docs/consent.md has no "## Who may be tracked" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	if got := parseTrackTable(t, section); !equalTables(got, trackTable) {
		t.Errorf("docs/consent.md says %v, the rule is %v", got, trackTable)
	}

	f, err := parser.ParseFile(token.NewFileSet(), "consent.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && fn.Name.Name == "MayTrack" {
			doc = fn.Doc.Text()
		}
	}
	if got := parseTrackTable(t, doc); !equalTables(got, trackTable) {
		t.Errorf("MayTrack's doc comment says %v, the rule is %v", got, trackTable)
	}
	// And the code agrees with both, for every cell.
	for mode, row := range trackTable {
		for status, want := range row {
			if MayTrack(mode, ConsentState{Status: status}) != want {
				t.Errorf("MayTrack(%q, %q) disagrees with the documented table", mode, status)
			}
		}
	}
}

func TestConsentLabels(t *testing.T) {
	t.Parallel()
	for s, want := range map[ConsentStatus]string{
		ConsentAccepted: "Accepted", ConsentRefused: "Refused", ConsentUnanswered: "Unanswered", "maybe": "Unknown",
	} {
		if got := s.Label(); got != want {
			t.Errorf("%q.Label() = %q, want %q", s, got, want)
		}
	}
}

// TestApplyConsentPrecedence checks every cell of incoming date {older,
// equal, newer, missing} × stored {none, accepted, refused} × incoming status
// {accepted, refused}, for an import (the API follows the same rules).
func TestApplyConsentPrecedence(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	storedAt := now.Add(-30 * 24 * time.Hour)
	dates := map[string]time.Time{
		"older":   storedAt.Add(-time.Millisecond),
		"equal":   storedAt,
		"newer":   storedAt.Add(time.Millisecond),
		"missing": {},
	}
	stored := map[string]ConsentState{
		"none":     {},
		"accepted": {Status: ConsentAccepted, At: storedAt},
		"refused":  {Status: ConsentRefused, At: storedAt},
	}
	// want[date][stored] = applied, for either incoming status.
	want := map[string]map[string]bool{
		"older":   {"none": true, "accepted": false, "refused": false},
		"equal":   {"none": true, "accepted": false, "refused": false},
		"newer":   {"none": true, "accepted": true, "refused": true},
		"missing": {"none": true, "accepted": false, "refused": false},
	}
	whyWord := map[bool]string{true: "applied:", false: "not applied:"}
	for _, source := range []ConsentSource{SourceImport, SourceAPI} {
		for dname, at := range dates {
			for sname, st := range stored {
				for _, status := range []ConsentStatus{ConsentAccepted, ConsentRefused} {
					name := string(source) + "/" + dname + "/" + sname + "/" + string(status)
					next, applied, why, err := ApplyConsent(st, ConsentChange{Status: status, At: at, Source: source}, now)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					w := want[dname][sname]
					if applied != w {
						t.Errorf("%s: applied = %v, want %v (%s)", name, applied, w, why)
					}
					if !strings.HasPrefix(why, whyWord[applied]) {
						t.Errorf("%s: why %q does not start with %q", name, why, whyWord[applied])
					}
					wantNext := st
					if w {
						wantNext = ConsentState{Status: status, At: at}
						if at.IsZero() {
							wantNext.At = now
						}
					}
					if next != wantNext {
						t.Errorf("%s: next = %+v, want %+v", name, next, wantNext)
					}
				}
			}
		}
	}
}

func TestApplyConsentWhy(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st := ConsentState{Status: ConsentRefused, At: now.Add(-time.Hour)}
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(-2 * time.Hour), "not applied: not newer — older than the stored status (Refused)"},
		{now.Add(-time.Hour), "not applied: not newer — the same date as the stored status (Refused)"},
		{time.Time{}, "not applied: a change without a date only fills an unanswered status"},
		{now, "applied: newer than the stored status (Refused)"},
	} {
		_, _, why, err := ApplyConsent(st, ConsentChange{Status: ConsentAccepted, At: c.at, Source: SourceImport}, now)
		if err != nil || !strings.HasPrefix(why, c.want) {
			t.Errorf("at %v: why = %q, %v; want it to start with %q", c.at, why, err, c.want)
		}
	}
}

func TestApplyConsentLive(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st := ConsentState{Status: ConsentAccepted, At: now.Add(-time.Hour)}
	for _, src := range []ConsentSource{SourceForm, SourceOptOutForm, SourceUnsubscribeForm, SourceAdmin, SourceRequest, SourceMode} {
		next, applied, why, err := ApplyConsent(st, ConsentChange{Status: ConsentRefused, Source: src}, now)
		if err != nil || !applied || next != (ConsentState{Status: ConsentRefused, At: now}) {
			t.Errorf("%s: undated refusal = %+v, %v, %q, %v; want applied now", src, next, applied, why, err)
		}
	}
	// A live source's change is still not applied over a newer stored date.
	st.At = now.Add(time.Hour)
	if _, applied, _, _ := ApplyConsent(st, ConsentChange{Status: ConsentRefused, Source: SourceForm}, now); applied {
		t.Error("a form's change at now overwrote a status stored for later")
	}
}

func TestApplyConsentFuture(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	next, applied, _, err := ApplyConsent(ConsentState{}, ConsentChange{Status: ConsentAccepted, At: now.Add(MaxConsentClockSkew), Source: SourceAPI}, now)
	if err != nil || !applied || !next.At.Equal(now) {
		t.Errorf("a date within the skew: %+v, %v, %v; want applied, dated now", next, applied, err)
	}
	_, _, _, err = ApplyConsent(ConsentState{}, ConsentChange{Status: ConsentAccepted, At: now.Add(MaxConsentClockSkew + time.Millisecond), Source: SourceAPI}, now)
	if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "future") {
		t.Errorf("a date beyond the skew: err = %v, want EINVALID about the future", err)
	}
}

func TestApplyConsentClear(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st := ConsentState{Status: ConsentRefused, At: now.Add(-time.Hour)}
	for _, src := range []ConsentSource{SourceImport, SourceAPI, SourceForm, SourceOptOutForm, SourceUnsubscribeForm, SourceMode} {
		if _, _, _, err := ApplyConsent(st, ConsentChange{Source: src}, now); ErrorCode(err) != EINVALID {
			t.Errorf("%s cleared a status: err = %v, want EINVALID", src, err)
		}
	}
	for _, src := range []ConsentSource{SourceAdmin, SourceRequest} {
		next, applied, _, err := ApplyConsent(st, ConsentChange{Source: src, At: now.Add(-48 * time.Hour)}, now)
		if err != nil || !applied || next != (ConsentState{At: now}) {
			t.Errorf("%s: clear = %+v, %v, %v; want applied, Unanswered at now", src, next, applied, err)
		}
		// Clearing an unanswered contact records "not applied".
		if _, applied, why, _ := ApplyConsent(ConsentState{}, ConsentChange{Source: src}, now); applied || !strings.HasPrefix(why, "not applied") {
			t.Errorf("%s: clearing an unanswered contact applied (%q)", src, why)
		}
	}
	// After a clearing, an import older than it does not bring a status back;
	// a newer one or an undated one does.
	cleared := ConsentState{At: now}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{now.Add(-time.Minute), false}, {now, false}, {now.Add(time.Minute), true}, {time.Time{}, true}} {
		_, applied, why, err := ApplyConsent(cleared, ConsentChange{Status: ConsentAccepted, At: c.at, Source: SourceImport}, now.Add(time.Hour))
		if err != nil || applied != c.want {
			t.Errorf("import at %v after a clearing: applied = %v (%q, %v), want %v", c.at, applied, why, err, c.want)
		}
	}
}

func TestApplyConsentInvalid(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, c := range []ConsentChange{
		{Status: "yes", Source: SourceImport},
		{Status: ConsentAccepted, Source: "crm"},
		{Status: ConsentAccepted},
	} {
		if _, _, _, err := ApplyConsent(ConsentState{}, c, now); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: err = %v, want EINVALID", c, err)
		}
	}
}

func TestApplyConsentMilliseconds(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st := ConsentState{Status: ConsentRefused, At: now.Add(-time.Hour)}
	// 0.5 ms later is the same stored date.
	if _, applied, _, _ := ApplyConsent(st, ConsentChange{Status: ConsentAccepted, At: st.At.Add(500 * time.Microsecond), Source: SourceAPI}, now); applied {
		t.Error("a change less than a millisecond newer was applied")
	}
}

func TestApplyConsentStoredWithoutDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	st := ConsentState{Status: ConsentRefused}
	next, applied, why, err := ApplyConsent(st, ConsentChange{Status: ConsentAccepted, At: now.Add(-time.Hour), Source: SourceImport}, now)
	if err != nil || !applied || next.Status != ConsentAccepted || !strings.Contains(why, "has no date") {
		t.Errorf("dated import over an undated status: %+v, %v, %q, %v", next, applied, why, err)
	}
	if _, applied, _, _ := ApplyConsent(st, ConsentChange{Status: ConsentAccepted, Source: SourceImport}, now); applied {
		t.Error("an undated import replaced an undated status")
	}
}

func TestConsentValid(t *testing.T) {
	t.Parallel()
	for _, m := range []TrackingMode{"", TrackingOptOut, TrackingOptIn} {
		if !m.Valid() {
			t.Errorf("mode %q is not valid", m)
		}
	}
	for _, m := range []TrackingMode{"none", "required", "Opt-In"} {
		if m.Valid() {
			t.Errorf("mode %q is valid", m)
		}
	}
	for _, s := range []ConsentSource{SourceImport, SourceAPI, SourceForm, SourceOptOutForm, SourceUnsubscribeForm, SourceAdmin, SourceMode, SourceRequest} {
		if !s.Valid() {
			t.Errorf("source %q is not valid", s)
		}
	}
	if ConsentSource("").Valid() || ConsentStatus("Accepted").Valid() {
		t.Error("an empty source or a label is taken as valid")
	}
}

// BenchmarkMayTrack times the one decision every use of behaviour makes.
func BenchmarkMayTrack(b *testing.B) {
	states := []ConsentState{{Status: ConsentAccepted}, {Status: ConsentRefused}, {}}
	modes := []TrackingMode{TrackingOptOut, TrackingOptIn}
	n := 0
	for i := 0; b.Loop(); i++ {
		if MayTrack(modes[i%2], states[i%3]) {
			n++
		}
	}
	if n == 0 {
		b.Fatal("nobody may be tracked")
	}
}
