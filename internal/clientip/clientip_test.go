package clientip

import (
	"net/http/httptest"
	"net/netip"
	"reflect"
	"testing"
)

func TestFinder(t *testing.T) {
	t.Parallel()
	trusted, err := ParsePrefixes("10.0.0.0/8, 127.0.0.1, 2001:db8:ffff::/48")
	if err != nil {
		t.Fatal(err)
	}
	c := Finder{Trusted: trusted}
	none := Finder{}
	type hdr = map[string][]string
	tests := []struct {
		name   string
		c      *Finder
		remote string
		h      hdr
		want   string // "" for the zero Addr
	}{
		{"untrusted peer, no headers", &c, "203.0.113.9:4321", nil, "203.0.113.9"},
		{"untrusted peer ignores X-Forwarded-For", &c, "203.0.113.9:4321", hdr{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.9"},
		{"untrusted peer ignores Forwarded", &c, "203.0.113.9:4321", hdr{"Forwarded": {"for=198.51.100.1"}}, "203.0.113.9"},
		{"no trusted proxies ignores headers", &none, "127.0.0.1:4321", hdr{"X-Forwarded-For": {"198.51.100.1"}}, "127.0.0.1"},
		{"IPv6 peer", &c, "[2001:db8:1::5]:443", hdr{"X-Forwarded-For": {"198.51.100.1"}}, "2001:db8:1::5"},
		{"IPv4-mapped peer is unmapped", &c, "[::ffff:203.0.113.9]:80", nil, "203.0.113.9"},
		{"trusted peer, no headers", &c, "10.0.0.2:5000", nil, "10.0.0.2"},
		{"trusted peer, one forwarded address", &c, "10.0.0.2:5000", hdr{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"trusted single address", &c, "127.0.0.1:5000", hdr{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"nearest untrusted from the right", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"1.1.1.1, 198.51.100.1, 10.0.0.5"}}, "198.51.100.1"},
		{"spoofed left entries are ignored", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"10.9.9.9, 192.0.2.1, 198.51.100.1"}}, "198.51.100.1"},
		{"several header lines are one list", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"1.1.1.1", "198.51.100.1, 10.0.0.5"}}, "198.51.100.1"},
		{"entries with ports and brackets", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"[2001:db8::7]:443, 10.0.0.5:8080"}}, "2001:db8::7"},
		{"IPv6 entry", &c, "[2001:db8:ffff::1]:443",
			hdr{"X-Forwarded-For": {"2001:db8:dead:beef::1234"}}, "2001:db8:dead:beef::1234"},
		{"IPv4-mapped entry is unmapped", &c, "10.0.0.2:5000", hdr{"X-Forwarded-For": {"::ffff:198.51.100.1"}}, "198.51.100.1"},
		{"every entry trusted: the leftmost", &c, "10.0.0.2:5000", hdr{"X-Forwarded-For": {"10.0.0.9, 10.0.0.8"}}, "10.0.0.9"},
		{"garbage nearest the proxy ends trust", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"198.51.100.1, garbage"}}, ""},
		{"garbage to the left is never reached", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"garbage, 198.51.100.1"}}, "198.51.100.1"},
		{"unknown", &c, "10.0.0.2:5000", hdr{"X-Forwarded-For": {"unknown"}}, ""},
		{"empty header", &c, "10.0.0.2:5000", hdr{"X-Forwarded-For": {""}}, ""},
		{"Forwarded for", &c, "10.0.0.2:5000", hdr{"Forwarded": {"for=198.51.100.1"}}, "198.51.100.1"},
		{"Forwarded quoted with port", &c, "10.0.0.2:5000", hdr{"Forwarded": {`for="198.51.100.1:8443"`}}, "198.51.100.1"},
		{"Forwarded IPv6 in brackets with port", &c, "10.0.0.2:5000",
			hdr{"Forwarded": {`for="[2001:db8:dead:beef::1234]:4711"`}}, "2001:db8:dead:beef::1234"},
		{"Forwarded IPv6 in brackets", &c, "10.0.0.2:5000", hdr{"Forwarded": {`for="[2001:db8::9]"`}}, "2001:db8::9"},
		{"Forwarded other parameters and case", &c, "10.0.0.2:5000",
			hdr{"Forwarded": {`proto=https;For="198.51.100.1";by=10.0.0.1`}}, "198.51.100.1"},
		{"Forwarded chain", &c, "10.0.0.2:5000",
			hdr{"Forwarded": {"for=192.0.2.60;proto=http, for=198.51.100.1", "for=10.0.0.7"}}, "198.51.100.1"},
		{"Forwarded obfuscated", &c, "10.0.0.2:5000", hdr{"Forwarded": {"for=_hidden"}}, ""},
		{"Forwarded unknown", &c, "10.0.0.2:5000", hdr{"Forwarded": {"for=unknown"}}, ""},
		{"Forwarded without for", &c, "10.0.0.2:5000", hdr{"Forwarded": {"proto=https;by=10.0.0.1"}}, "10.0.0.2"},
		{"X-Forwarded-For wins over Forwarded", &c, "10.0.0.2:5000",
			hdr{"X-Forwarded-For": {"198.51.100.1"}, "Forwarded": {"for=192.0.2.1"}}, "198.51.100.1"},
		{"no peer address", &c, "@", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/collect", nil)
			r.RemoteAddr = tt.remote
			for k, vs := range tt.h {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			got := tt.c.From(r)
			if tt.want == "" {
				if got.IsValid() {
					t.Errorf("From = %v, want no address", got)
				}
				return
			}
			if got != netip.MustParseAddr(tt.want) {
				t.Errorf("From = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	t.Parallel()
	got, err := ParsePrefixes(" 10.1.2.3/8, 127.0.0.1 ,,::1, 2001:db8::/32 ")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("2001:db8::/32"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParsePrefixes = %v, want %v", got, want)
	}
	if got, err := ParsePrefixes(""); err != nil || len(got) != 0 {
		t.Errorf(`ParsePrefixes("") = %v, %v; want none`, got, err)
	}
	for _, bad := range []string{"nope", "10.0.0.0/33", "10.0.0.0/8,300.1.1.1", "10.0.0.0/"} {
		if got, err := ParsePrefixes(bad); err == nil {
			t.Errorf("ParsePrefixes(%q) = %v, want an error", bad, got)
		}
	}
}
