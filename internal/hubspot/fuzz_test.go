package hubspot

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseUTKProfile checks that any answer parses to a whole contact or
// fails with ErrMalformed or ErrNotFound, without a contact. The seeds are
// kept in testdata/fuzz/FuzzParseUTKProfile.
func FuzzParseUTKProfile(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseUTKProfile(body)
		if err != nil {
			if c != nil {
				t.Fatalf("a contact with the error %v: %+v", err, c)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNotFound) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		checkContact(t, *c)
	})
}

// FuzzParseContactPage checks that any answer parses to whole contacts and
// a cursor, or fails with ErrMalformed and nothing else. The seeds are kept
// in testdata/fuzz/FuzzParseContactPage.
func FuzzParseContactPage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		cs, next, err := parseContactPage(body)
		if err != nil {
			if cs != nil || next != "" {
				t.Fatalf("contacts %+v, next %q with the error %v", cs, next, err)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error of no kind: %v", err)
			}
			return
		}
		for _, c := range cs {
			checkContact(t, c)
		}
	})
}

// checkContact fails t unless c is a contact the parsers may return.
func checkContact(t *testing.T, c Contact) {
	t.Helper()
	if !validID(c.ID) {
		t.Fatalf("invalid ID %q", c.ID)
	}
	for _, s := range []string{c.Email, c.FirstName, c.LastName, c.JobTitle, c.Phone, c.Company} {
		if s != strings.TrimSpace(s) {
			t.Fatalf("untrimmed %q in %+v", s, c)
		}
	}
	switch c.Consent {
	case "", ConsentAccepted, ConsentRefused:
	default:
		t.Fatalf("consent %q", c.Consent)
	}
	if c.Consent == "" && !c.ConsentAt.IsZero() {
		t.Fatalf("a consent date without consent: %+v", c)
	}
	if !c.ConsentAt.IsZero() && (c.ConsentAt.Location().String() != "UTC" || c.ConsentAt.Year() < 1970 || c.ConsentAt.Year() > 9999) {
		t.Fatalf("consent date %v", c.ConsentAt)
	}
}
