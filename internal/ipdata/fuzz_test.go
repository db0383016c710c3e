package ipdata

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/netip"
	"strings"
	"testing"
)

// fuzzSource parses in with add: it must refuse it with an error that names
// the file and line, or take it, and what it takes must compile, answer
// check for the start of each of its ranges, and survive the table file.
func fuzzSource(t *testing.T, in []byte, name string, add func(*Builder, io.Reader, Source) error,
	spans func(*Builder) [2][]span, check func(Result) bool) {
	b := NewBuilder()
	if err := add(b, bytes.NewReader(in), Source{Name: name}); err != nil {
		if !strings.HasPrefix(err.Error(), name+":") {
			t.Fatalf("error %q does not name the file and line", err)
		}
		return
	}
	tab, err := b.Build()
	if err == ErrEmpty {
		return
	}
	if err != nil {
		t.Fatalf("accepted rows do not compile: %v", err)
	}
	for f, list := range spans(b) {
		for _, sp := range list {
			if r := tab.Lookup(numAddr(sp.start, f == 1)); !check(r) {
				t.Fatalf("the start of an accepted range (%s): %+v", numAddr(sp.start, f == 1), r)
			}
		}
	}
	checkRoundTrip(t, tab)
}

// FuzzCompaniesCSV feeds any bytes to the parser of the operator's company
// list; what it takes answers as a company of the list (or, for a person's
// name, as unknown).
func FuzzCompaniesCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzSource(t, in, "c.csv", (*Builder).AddCompaniesCSV, func(b *Builder) [2][]span { return b.company.spans },
			func(r Result) bool { return r.Found && r.Custom && (r.Type == "business" || r.Type == "unknown") })
	})
}

// FuzzASNCSV does the same for network tables: what it takes is found.
func FuzzASNCSV(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzSource(t, in, "a.csv", (*Builder).AddASNCSV, func(b *Builder) [2][]span { return b.asn.spans },
			func(r Result) bool { return r.Found })
	})
}

// checkRoundTrip writes the table and reads it back.
func checkRoundTrip(t *testing.T, tab *Table) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := tab.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatalf("a table read back: %v", err)
	}
	for _, s := range []string{"0.0.0.0", "10.0.0.1", "192.0.2.1", "255.255.255.255", "::", "2001:db8::1"} {
		a := netip.MustParseAddr(s)
		if back.Lookup(a) != tab.Lookup(a) {
			t.Fatalf("%s: read back %+v, built %+v", s, back.Lookup(a), tab.Lookup(a))
		}
	}
}

// FuzzParseBody feeds any bytes, with a valid checksum, to the table file
// reader: it must refuse them as ErrFormat or return a table whose lookups
// do not fail.
func FuzzParseBody(f *testing.F) {
	b := NewBuilder()
	if err := b.AddASNCSV(strings.NewReader("192.0.2.0,192.0.2.255,64500,Example GmbH\n2001:db8::,2001:db8::ff,64501,Example AB\n"), Source{Name: "seed"}); err != nil {
		f.Fatal(err)
	}
	tab, err := b.Build()
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	tab.WriteTo(&buf)
	f.Add(buf.Bytes()[:buf.Len()-sha256.Size])
	f.Fuzz(func(t *testing.T, body []byte) {
		sum := sha256.Sum256(body)
		tab, err := Parse(append(bytes.Clone(body), sum[:]...))
		if err != nil {
			return
		}
		for _, s := range []string{"0.0.0.0", "192.0.2.7", "255.255.255.255", "::", "2001:db8::7", "ffff::1"} {
			tab.Lookup(netip.MustParseAddr(s))
		}
	})
}
