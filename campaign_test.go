package foyer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestScrubBounce(t *testing.T) {
	for in, want := range map[string]string{
		"550 5.1.1 <ann@corp.example>: user unknown": "550 5.1.1 [address] user unknown",
		"  mailbox\tfull \n":                         "mailbox full",
		"to=ann@x,from=bob@y rejected":               "[address] rejected",
		"":                                           "",
	} {
		if got := ScrubBounce(in); got != want {
			t.Errorf("ScrubBounce(%q) = %q, want %q", in, got, want)
		}
	}
	long := ScrubBounce(strings.Repeat("é", 300))
	if len(long) > MaxBounceReason || !utf8.ValidString(long) {
		t.Errorf("long reason: %d bytes, valid %v", len(long), utf8.ValidString(long))
	}
}

func FuzzScrubBounce(f *testing.F) {
	for _, s := range []string{"550 <a@b>", "é@é", "\xff@", "a b  c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ScrubBounce(s)
		if len(out) > MaxBounceReason || !utf8.ValidString(out) || strings.Contains(out, "@") {
			t.Fatalf("ScrubBounce(%q) = %q", s, out)
		}
	})
}
