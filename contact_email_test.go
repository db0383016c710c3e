package foyer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeContactEmail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64)
	label := strings.Repeat("d", 63)
	for _, c := range []struct {
		in, want string // want "" means refused
		err      string // words the error must contain
	}{
		{in: "ana@example.com", want: "ana@example.com"},
		{in: "Ana.Silva@Example.COM", want: "ana.silva@example.com"},
		{in: "  ana@example.com \t\n", want: "ana@example.com"},
		{in: "ANA+news@sub.EXAMPLE.co.uk", want: "ana+news@sub.example.co.uk"},
		{in: "o'brien@example.ie", want: "o'brien@example.ie"},
		{in: "a!#$%&'*+-/=?^_`{|}~z@example.com", want: "a!#$%&'*+-/=?^_`{|}~z@example.com"},
		{in: "ana@bücher.example", want: "ana@xn--bcher-kva.example"},
		{in: "ana@BÜCHER.example", want: "ana@xn--bcher-kva.example"},
		{in: "ana@xn--bcher-kva.example", want: "ana@xn--bcher-kva.example"},
		{in: "ana@XN--BCHER-KVA.EXAMPLE", want: "ana@xn--bcher-kva.example"},
		{in: "JOSÉ@example.com", want: "josé@example.com"},
		{in: "用户@例子.广告", want: "用户@xn--fsqu00a.xn--4rr70v"},
		{in: long + "@example.com", want: long + "@example.com"},
		{in: "a@" + label + "." + label + "." + label + "." + strings.Repeat("d", 56) + ".com", want: "a@" + label + "." + label + "." + label + "." + strings.Repeat("d", 56) + ".com"},

		{in: "", err: "empty"},
		{in: "   ", err: "empty"},
		{in: "ana.example.com", err: "no @"},
		{in: "ana@@example.com", err: "more than one @"},
		{in: "ana@b@example.com", err: "more than one @"},
		{in: "@example.com", err: "nothing before the @"},
		{in: "ana@", err: "no domain"},
		{in: "ana silva@example.com", err: "space"},
		{in: "ana@exa mple.com", err: "space"},
		{in: "ana\x00@example.com", err: "invisible"},
		{in: "ana\u200b@example.com", err: "character"},
		{in: "ana@example.com.", err: "ends with a dot"},
		{in: "ana@example", err: "has no dot"},
		{in: "ana@localhost", err: "has no dot"},
		{in: "ana@example..com", err: "empty part"},
		{in: "ana@.example.com", err: "empty part"},
		{in: "ana@-example.com", err: "not a valid domain"},
		{in: "ana@exa_mple.com", err: "not a valid domain"},
		{in: "ana@[192.0.2.1]", err: "IP address"},
		{in: "mailto:ana@example.com", err: "mailto:"},
		{in: "MAILTO:ana@example.com", err: "mailto:"},
		{in: "Ana <ana@example.com>", err: "without a name"},
		{in: "<ana@example.com>", err: "without a name"},
		{in: `"ana silva"@example.com`, err: "space"},
		{in: `"ana"@example.com`, err: "quoted"},
		{in: ".ana@example.com", err: "start or end with a dot"},
		{in: "ana.@example.com", err: "start or end with a dot"},
		{in: "an..a@example.com", err: "two dots in a row"},
		{in: "ana(comment)@example.com", err: `character '('`},
		{in: "ana,bob@example.com", err: `character ','`},
		{in: long + "a@example.com", err: "longer than 64"},
		{in: "a@" + label + "." + label + "." + label + "." + strings.Repeat("d", 57) + ".com", err: "longer than 254"},
		{in: "a@" + strings.Repeat("d", 64) + ".com", err: "longer than 63"},
		{in: "a@" + label + "." + label + "." + label + "." + label, err: "longer than 253"},
		{in: "ana@example.com\xff", err: "UTF-8"},
		{in: strings.Repeat("a", 2000) + "@example.com", err: "longer than 254"},
	} {
		got, err := NormalizeContactEmail(c.in)
		if c.want != "" {
			if err != nil || got != c.want {
				t.Errorf("NormalizeContactEmail(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("NormalizeContactEmail(%q) = %q, want an error about %q", c.in, got, c.err)
			continue
		}
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), c.err) {
			t.Errorf("NormalizeContactEmail(%q): error %v, want EINVALID about %q", c.in, err, c.err)
		}
	}
}

// FuzzNormalizeContactEmail checks that normalising never panics, that a
// normalised address normalises to itself, and that it keeps the limits.
func FuzzNormalizeContactEmail(f *testing.F) {
	for _, s := range []string{"ana@example.com", " Ana.Silva@Example.COM ", "ana@bücher.example",
		"JOSÉ@example.com", "Ana <ana@x.com>", "mailto:a@b.c", `"a"@b.c`, "a@b.c.", "ǅ@x.com", "İ@x.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizeContactEmail(s)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("%q: error %v is not EINVALID", s, err)
			}
			return
		}
		if len(n) > 254 || !utf8.ValidString(n) || strings.Count(n, "@") != 1 {
			t.Fatalf("%q normalised to %q, which breaks the limits", s, n)
		}
		again, err := NormalizeContactEmail(n)
		if err != nil || again != n {
			t.Fatalf("%q → %q → %q, %v: not idempotent", s, n, again, err)
		}
	})
}
