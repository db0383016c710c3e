package foyer

import (
	"strings"
	"testing"
	"time"
)

func TestParseSegmentDefinition(t *testing.T) {
	t.Parallel()
	good := []string{
		`{"match":"all","conditions":[{"kind":"contact","field":"email_domain","op":"is","value":"acme.com"}]}`,
		`{"match":"any","conditions":[{"kind":"visited","path":"/pricing/","days":30},{"kind":"company","field":"industry","op":"contains","value":"soft"}]}`,
		`{"conditions":[{"kind":"engaged","minutes":5,"days":7},{"kind":"opened","days":30},{"kind":"clicked","campaign":3,"days":30},{"kind":"form","days":90},{"kind":"score","points":20}]}`,
		`{"match":"all","conditions":[{"kind":"contact","field":"attr:plan","op":"is_set"}]}`,
	}
	for _, s := range good {
		d, err := ParseSegmentDefinition(s)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		again, err := ParseSegmentDefinition(d.String())
		if err != nil || !again.Equal(d) {
			t.Fatalf("%s: does not read back: %v", s, err)
		}
	}
	if d, err := ParseSegmentDefinition(""); d != nil || err != nil {
		t.Fatalf("empty: %v %v", d, err)
	}
	bad := map[string]string{
		`{"match":"some","conditions":[{"kind":"form","days":3}]}`:                                        "match",
		`{"match":"all","conditions":[]}`:                                                                 "at least one",
		`{"match":"all","conditions":[{"kind":"form","days":0}]}`:                                         "days",
		`{"match":"all","conditions":[{"kind":"contact","field":"consent","op":"is","value":"refused"}]}`: "unknown contact field",
		`{"match":"all","conditions":[{"kind":"contact","field":"role","op":"like","value":"x"}]}`:        "operator",
		`{"match":"all","conditions":[{"kind":"visited","path":"pricing","days":3}]}`:                     "page pattern",
		`{"match":"all","conditions":[{"kind":"form","days":3,"extra":1}]}`:                               "not valid JSON",
		`{"match":"all","conditions":[{"kind":"form","days":3}]} {}`:                                      "after its end",
		`{"match":"all","conditions":[{"kind":"opened","campaign":-1,"days":3}]}`:                         "no such campaign",
		`{"match":"all","conditions":[{"kind":"behaviour","days":3}]}`:                                    "unknown kind",
		`[1,2]`: "not valid JSON",
	}
	for s, want := range bad {
		_, err := ParseSegmentDefinition(s)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), want) {
			t.Errorf("%s: got %v, want EINVALID with %q", s, err, want)
		}
	}
}

func TestDefinitionEval(t *testing.T) {
	t.Parallel()
	d := &SegmentDefinition{Match: MatchAll, Conditions: make([]Condition, 3)}
	if !d.Eval(func(int) bool { return true }) || d.Eval(func(i int) bool { return i != 1 }) {
		t.Fatal("all")
	}
	d.Match = MatchAny
	if d.Eval(func(int) bool { return false }) || !d.Eval(func(i int) bool { return i == 2 }) {
		t.Fatal("any")
	}
}

func TestMatchText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		op, value, v string
		want         bool
	}{
		{"is", "Acme.com", "acme.com", true}, {"is_not", "acme.com", "x.com", true},
		{"contains", "soft", "Software", true}, {"not_contains", "soft", "Software", false},
		{"starts_with", "CT", "CTO", true}, {"ends_with", "officer", "Chief Officer", true},
		{"is_set", "", " ", false}, {"is_empty", "", "", true},
	}
	for _, c := range cases {
		if got := (Condition{Op: c.op, Value: c.value}).MatchText(c.v); got != c.want {
			t.Errorf("%s %q on %q: %v", c.op, c.value, c.v, got)
		}
	}
}

func TestDecay(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := Decay(10000, at, at.Add(30*24*time.Hour), 30); got != 5000 {
		t.Fatalf("one half-life: %d", got)
	}
	if got := Decay(10000, at, at.Add(-time.Hour), 30); got != 10000 {
		t.Fatalf("the past: %d", got)
	}
}

func TestScoreRuleValidate(t *testing.T) {
	t.Parallel()
	r := &ScoreRule{Name: "Pricing", Target: TargetCompany, Points: 5, Condition: Condition{Kind: CondOpened}}
	if ErrorCode(r.Validate()) != EINVALID {
		t.Fatal("a company rule for opens")
	}
	r = &ScoreRule{Name: " Pricing ", Target: TargetContact, Points: 10, Condition: Condition{Kind: CondVisited, Path: "/pricing/"}}
	if err := r.Validate(); err != nil || r.Name != "Pricing" || !r.Behavioural() {
		t.Fatal(err, r)
	}
	r.Points = 0
	if ErrorCode(r.Validate()) != EINVALID {
		t.Fatal("0 points")
	}
}

func FuzzParseSegmentDefinition(f *testing.F) {
	f.Add(`{"match":"all","conditions":[{"kind":"contact","field":"email_domain","op":"is","value":"acme.com"}]}`)
	f.Add(`{"match":"any","conditions":[{"kind":"visited","path":"/pricing/*/x","days":30},{"kind":"score","points":3}]}`)
	f.Add(`{"conditions":[{"kind":"clicked","campaign":7,"days":1}]}`)
	f.Add(`{"match":"all","conditions":[{"kind":"contact","field":"attr:é","op":"contains","value":"\u0000"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseSegmentDefinition(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if d == nil {
			return
		}
		again, err := ParseSegmentDefinition(d.String())
		if err != nil {
			t.Fatalf("%q: its canonical form %s does not parse: %v", s, d.String(), err)
		}
		if again.String() != d.String() {
			t.Fatalf("%q: not stable: %s then %s", s, d.String(), again.String())
		}
		for _, c := range d.Conditions {
			_ = c.Describe(nil)
			_ = c.MatchText("x")
		}
	})
}
