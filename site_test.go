package foyer

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidateSiteHostnames(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   []string
		want []string
	}{
		{[]string{" Example.COM ", "*.example.com", "127.0.0.1"}, []string{"example.com", "*.example.com", "127.0.0.1"}},
		{[]string{"[::1]"}, []string{"[::1]"}},
		{[]string{"[2001:DB8:0:0::1]", "[0:0::1]"}, []string{"[2001:db8::1]", "[::1]"}},
		{[]string{"[::ffff:127.0.0.1]"}, []string{"[::ffff:127.0.0.1]"}},
	}
	for _, tt := range good {
		s := &Site{Key: "k", Hostnames: append([]string(nil), tt.in...)}
		if err := ValidateSite(s); err != nil || !reflect.DeepEqual(s.Hostnames, tt.want) {
			t.Errorf("ValidateSite(hostnames %q) = %q, %v; want %q", tt.in, s.Hostnames, err, tt.want)
		}
	}
	for _, h := range []string{
		"[]", "[x]", "[not an address]", "[example.com]", "[127.0.0.1]", "[::1", "::1]", "::1", "2001:db8::1",
		"[fe80::1%eth0]", "*.[::1]", "[::1]:8080", "[[::1]]", "exa mple.com", "a..b",
	} {
		s := &Site{Key: "k", Hostnames: []string{h}}
		if err := ValidateSite(s); ErrorCode(err) != EINVALID {
			t.Errorf("ValidateSite(hostname %q) = %v (hostnames %q), want EINVALID", h, err, s.Hostnames)
		}
	}
}

func TestAllowsHostIPv6(t *testing.T) {
	t.Parallel()
	s := &Site{Key: "k", Hostnames: []string{"[::1]", "[2001:DB8::A]", "example.com"}}
	if err := ValidateSite(s); err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"::1", "[::1]", "0:0:0:0:0:0:0:1", "2001:db8::a", "2001:0db8:0000::000a", "example.com"} {
		if !s.AllowsHost(h) {
			t.Errorf("a site on %q refuses a page on %q", s.Hostnames, h)
		}
	}
	for _, h := range []string{"::2", "[::1", "2001:db8::b", "::ffff:127.0.0.1", "127.0.0.1", "x::1", ""} {
		if s.AllowsHost(h) {
			t.Errorf("a site on %q allows a page on %q", s.Hostnames, h)
		}
	}
}

func TestValidateKeepParams(t *testing.T) {
	t.Parallel()
	got, err := ValidateKeepParams([]string{" Page ", "", "q", "PAGE", "filter[category]", "sort-by", "a.b_c"})
	if want := []string{"page", "q", "filter[category]", "sort-by", "a.b_c"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ValidateKeepParams = %q, %v; want %q", got, err, want)
	}
	if got, err := ValidateKeepParams([]string{" ", ""}); got != nil || err != nil {
		t.Errorf("blank names = %q, %v; want nil, nil", got, err)
	}
	for _, tt := range []struct{ in, msg string }{
		{"a b", "use letters, digits"},
		{"q=", "use letters, digits"},
		{"päge", "use letters, digits"},
		{strings.Repeat("p", 65), "longer than 64"},
		{"utm_source", "UTM parameters are always taken"},
		{"UTM-Campaign", "UTM parameters are always taken"},
		{"email", "identify a person"},
		{"fy_fn", "identify a person"},
		{"FY-LN", "identify a person"},
		{"mc_eid", "identify a person"},
		{"_hsenc", "identify a person"},
		{"mkt_tok", "identify a person"},
		{"token", "identify a person"},
	} {
		got, err := ValidateKeepParams([]string{"page", tt.in})
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tt.msg) || got != nil {
			t.Errorf("ValidateKeepParams(%q) = %q, %v; want EINVALID saying %q", tt.in, got, err, tt.msg)
		}
	}
	many := make([]string, MaxKeepParams+1)
	for i := range many {
		many[i] = "p" + strings.Repeat("x", i)
	}
	if _, err := ValidateKeepParams(many); ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), "at most 30") {
		t.Errorf("31 names: %v", err)
	}
	s := &Site{KeepParams: []string{"page", "filter[category]"}}
	for name, want := range map[string]string{"page": "page", "PAGE": "page", "Filter[Category]": "filter[category]", "q": ""} {
		if got, ok := s.KeptParam(name); got != want || ok != (want != "") {
			t.Errorf("KeptParam(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

func TestHostnameOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"www.example.com":                       "www.example.com",
		" https://www.example.com/ ":            "www.example.com",
		"https://WWW.Example.com/pricing?x=1#a": "www.example.com",
		"http://user:pw@shop.example.com:8080/": "shop.example.com",
		"//cdn.example.com/x.js":                "cdn.example.com",
		"www.example.com:443":                   "www.example.com",
		"localhost:3000":                        "localhost",
		"example.com/blog":                      "example.com",
		"example.com.":                          "example.com",
		"*.example.com":                         "*.example.com",
		"https://*.example.com/":                "*.example.com",
		"[::1]:8080":                            "[::1]",
		"http://[2001:db8::1]:8080/":            "[2001:db8::1]",
		"[::1]":                                 "[::1]",
		"::1":                                   "::1", // ValidateSite asks for brackets
		"example.com:http":                      "example.com:http",
		"":                                      "",
	} {
		if got := HostnameOf(in); got != want {
			t.Errorf("HostnameOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestValidateSiteMessages: what is wrong is said in plain words, without
// the site's key, which a person adding a site never chose.
func TestValidateSiteMessages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		site Site
		msg  string
	}{
		{Site{Hostnames: nil}, "Give at least one hostname"},
		{Site{Hostnames: []string{"exa mple.com"}}, `"exa mple.com" is not a hostname: write one as www.example.com`},
		{Site{Hostnames: []string{"::1"}}, `"::1": write an IPv6 address in brackets, as in [::1].`},
		{Site{Hostnames: []string{"x.com"}, Consent: "maybe"}, `Unknown consent mode "maybe"`},
		{Site{Hostnames: []string{"x.com"}, Name: strings.Repeat("n", 201)}, "at most 200 characters"},
	} {
		s := tt.site
		s.Key = "k7q2secretkey"
		err := ValidateSite(&s)
		if msg := ErrorMessage(err); ErrorCode(err) != EINVALID || !strings.Contains(msg, tt.msg) || strings.Contains(msg, s.Key) {
			t.Errorf("ValidateSite(%+v): %q, want EINVALID saying %q without the key", tt.site, msg, tt.msg)
		}
	}
}

// FuzzHostnameOf: any entry gives a hostname without a scheme, path or
// port, and one that ValidateSite accepts reads the same again.
func FuzzHostnameOf(f *testing.F) {
	for _, s := range []string{"https://www.example.com/", "[::1]:8080", "a@b:1/c", "example.com.", "*.x.y", "http://[x]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		h := HostnameOf(in)
		if strings.ContainsAny(h, "/?#@") {
			t.Fatalf("HostnameOf(%q) = %q", in, h)
		}
		s := &Site{Key: "k", Hostnames: []string{h}}
		if ValidateSite(s) == nil && HostnameOf(s.Hostnames[0]) != s.Hostnames[0] {
			t.Fatalf("HostnameOf(%q) = %q, valid as %q, which reads as %q", in, h, s.Hostnames[0], HostnameOf(s.Hostnames[0]))
		}
	})
}
