package foyer

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestMatchPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		yes, no []string
	}{
		{"/admin/",
			[]string{"/admin", "/admin/", "/admin/users", "/admin/users/7/edit", "/admin//x"},
			[]string{"/", "/administrator", "/Admin/", "/x/admin/", "", "admin"}},
		{"/pricing",
			[]string{"/pricing", "/pricing/"},
			[]string{"/pricing/team", "/pricingx", "/pricing//", "/", "/PRICING"}},
		{"/account/*/billing",
			[]string{"/account/42/billing", "/account/:number/billing", "/account/a%20b/billing/"},
			[]string{"/account/billing", "/account//billing", "/account/42/billing/x", "/account/4/2/billing"}},
		{"/account/*/billing/",
			[]string{"/account/42/billing", "/account/42/billing/invoices/1"},
			[]string{"/account/42", "/account/42/billingx"}},
		{"/*/",
			[]string{"/a", "/a/b/c"},
			[]string{"/", ""}},
		{"/café/",
			[]string{"/caf%C3%A9", "/caf%c3%a9/menu", "/café/x"},
			[]string{"/cafe", "/caf%C3%A"}},
		{"/users/:email",
			[]string{"/users/:email"},
			[]string{"/users/jane"}},
	}
	for _, tt := range tests {
		if _, err := ValidatePathPattern(tt.pattern); err != nil {
			t.Errorf("pattern %q: %v", tt.pattern, err)
		}
		for _, p := range tt.yes {
			if !MatchPath(tt.pattern, p) {
				t.Errorf("%q does not match %q", tt.pattern, p)
			}
		}
		for _, p := range tt.no {
			if MatchPath(tt.pattern, p) {
				t.Errorf("%q matches %q", tt.pattern, p)
			}
		}
	}
}

func TestMatchPathAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { MatchPath("/account/*/caf%C3%A9/", "/account/42/café/x") }); n != 0 {
		t.Errorf("MatchPath allocates %v times", n)
	}
}

func TestValidatePathPattern(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, msg string }{
		{"", "empty"},
		{"admin/", "must start with '/'"},
		{"/", "would exclude every page"},
		{"/search?q=x", "leave out the query string"},
		{"/a#b", "fragment"},
		{"/a b", "space"},
		{"/a\x00", "control"},
		{"/a//b", "empty segment"},
		{"//", "empty segment"},
		{"/blog-*", "'*' must be a whole segment"},
		{"/**/", "'*' must be a whole segment"},
		{"/100%", "'%' must start an escape"},
		{"/%zz", "'%' must start an escape"},
		{"/" + strings.Repeat("a", 256), "longer than 256 bytes"},
		{"/\xff", "UTF-8"},
		{"/a%2Fb", "escaped '/'"},
		{"/a%5cb", "escaped '/'"},
		{"/admin;x/", "';'"},
		{"/a\\b", "';' or '\\'"},
		{"/a/../b", "'..' segment"},
		{"/a/%2e%2E/", "'..' segment"},
		{"/./a", "'.' or '..'"},
	} {
		_, err := ValidatePathPattern(tt.in)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.msg) {
			t.Errorf("ValidatePathPattern(%q) = %v, want EINVALID saying %q", tt.in, err, tt.msg)
		}
	}
	got, err := ValidateExcludedPaths([]string{" /admin/ ", "", "  ", "/admin/", "/account/*/billing"})
	if err != nil || !reflect.DeepEqual(got, []string{"/admin/", "/account/*/billing"}) {
		t.Errorf("ValidateExcludedPaths = %q, %v", got, err)
	}
	if got, err := ValidateExcludedPaths([]string{"", "\n"}); got != nil || err != nil {
		t.Errorf("blank patterns = %q, %v; want nil, nil", got, err)
	}
	many := make([]string, MaxExcludedPaths+1)
	for i := range many {
		many[i] = "/p" + strings.Repeat("x", i)
	}
	if _, err := ValidateExcludedPaths(many); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "at most 50") {
		t.Errorf("51 patterns: %v", err)
	}
}

// FuzzMatchPath checks the matcher on any input, and, for every pattern the
// validator accepts, against a plain reading of the rules: split both into
// segments, decode them, compare.
func FuzzMatchPath(f *testing.F) {
	for _, s := range [][2]string{
		{"/admin/", "/admin/users"}, {"/account/*/billing", "/account/42/billing/"},
		{"/café/", "/caf%C3%A9/x"}, {"/a%2Fb", "/a/b"}, {"/*/", "/"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		got := MatchPath(pattern, path) // never panics, whatever the input
		p, err := ValidatePathPattern(pattern)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("ValidatePathPattern(%q): %v, want EINVALID", pattern, err)
			}
			return
		}
		if again, err := ValidatePathPattern(p); err != nil || again != p {
			t.Fatalf("ValidatePathPattern(%q) = %q, then %q, %v: not stable", pattern, p, again, err)
		}
		if p != pattern {
			got = MatchPath(p, path)
		}
		if want, ok := referenceMatch(p, path); ok && got != want {
			t.Fatalf("MatchPath(%q, %q) = %v, the rules say %v", p, path, got, want)
		}
		// The pattern's own path, with each '*' filled in, matches it; a
		// prefix also matches anything below it.
		own := strings.ReplaceAll(strings.ReplaceAll(p+"/", "/*/", "/x/"), "/*/", "/x/")
		own = strings.TrimSuffix(own, "/")
		if !MatchPath(p, own) || !MatchPath(p, own+"/") {
			t.Fatalf("%q does not match its own path %q", p, own)
		}
		if strings.HasSuffix(p, "/") && !MatchPath(p, own+"/below/"+path) {
			t.Fatalf("prefix %q does not match below %q", p, own)
		}
		if !strings.HasSuffix(p, "/") && MatchPath(p, own+"/below") {
			t.Fatalf("exact %q matches below %q", p, own)
		}
	})
}

// referenceMatch applies the rules of MatchPath literally; ok is false when
// the path has an escape that url.PathUnescape refuses.
func referenceMatch(pattern, path string) (match, ok bool) {
	prefix := strings.HasSuffix(pattern, "/")
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	if !strings.HasPrefix(path, "/") {
		return false, true
	}
	ss := strings.Split(path[1:], "/")
	decode := func(segs []string) bool {
		for i, s := range segs {
			d, err := url.PathUnescape(s)
			if err != nil {
				return false
			}
			segs[i] = d
		}
		return true
	}
	literal := make([]bool, len(ps))
	for i, s := range ps {
		literal[i] = s != "*"
	}
	if !decode(ps) || !decode(ss) {
		return false, false
	}
	if len(ss) < len(ps) {
		return false, true
	}
	for i := range ps {
		if literal[i] && ps[i] != ss[i] || !literal[i] && ss[i] == "" {
			return false, true
		}
	}
	switch rest := ss[len(ps):]; {
	case prefix, len(rest) == 0:
		return true, true
	case len(rest) == 1 && rest[0] == "":
		return true, true
	}
	return false, true
}
