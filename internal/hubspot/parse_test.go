package hubspot

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestParseConsent(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"accepted": "accepted", " Accepted ": "accepted", "REFUSED": "refused", "refused": "refused",
		"": "", "yes": "", "granted": "", "accepted;refused": "", "true": "",
	} {
		if got := parseConsent(in); got != want {
			t.Errorf("parseConsent(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestParseConsentDate(t *testing.T) {
	t.Parallel()
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"1741910400000":               day,                                 // epoch ms, a date property
		"1741946813123":               time.UnixMilli(1741946813123).UTC(), // a datetime
		"2025-03-14":                  day,                                 // v3 date
		"2025-03-14T09:26:53Z":        day.Add(9*time.Hour + 26*time.Minute + 53*time.Second),
		"2025-03-14T10:26:53.5+01:00": day.Add(9*time.Hour + 26*time.Minute + 53*time.Second + 500*time.Millisecond),
		"":                            {},
		"yesterday":                   {},
		"14/03/2025":                  {},
		"-1741910400000":              {},
		"99999999999999999999999":     {}, // overflows int64
		"9223372036854775807":         {}, // past the year 9999
		"0":                           {}, // 1970 is fine…
	} {
		got := parseConsentDate(in)
		if in == "0" {
			want = time.Unix(0, 0).UTC()
		}
		if !got.Equal(want) || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("parseConsentDate(%q) = %v; want %v", in, got, want)
		}
	}
}

func TestConsentDateIgnoredWithoutConsent(t *testing.T) {
	t.Parallel()
	var c Contact
	c.fill(map[string]string{propConsent: "maybe", propConsentDate: "2025-03-14"})
	if c.Consent != "" || !c.ConsentAt.IsZero() {
		t.Errorf("got %q at %v; want neither", c.Consent, c.ConsentAt)
	}
}

// The seeds of the fuzz tests are HubSpot-shaped answers; the golden tests
// hold what they parse to.

func TestParseUTKProfileSeeds(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]*Contact{
		"profile.json": {
			ID: "3234574", Email: "ada@acme.com", FirstName: "Ada", LastName: "Lovelace",
			JobTitle: "CTO", Company: "Acme", Consent: "accepted",
			ConsentAt: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC),
		},
		"profile-merged.json": {ID: "3234999", Email: "bob@acme.com"},
	} {
		got, err := parseUTKProfile(readTestdata(t, name))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, %v\nwant %+v", name, got, err, want)
		}
	}
	if _, err := parseUTKProfile(readTestdata(t, "profile-visitor.json")); !errors.Is(err, ErrNotFound) {
		t.Errorf("a visitor who is not a contact: got %v; want ErrNotFound", err)
	}
}

func TestParseContactPageSeeds(t *testing.T) {
	t.Parallel()
	got, next, err := parseContactPage(readTestdata(t, "page.json"))
	want := []Contact{
		{ID: "512", Email: "ada@acme.com", FirstName: "Ada", LastName: "Lovelace", Consent: "refused",
			ConsentAt: time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)},
		{ID: "513", Email: "bob@acme.com", JobTitle: "Buyer", Phone: "+33 1 23 45 67 89"},
	}
	if err != nil || next != "514" || !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, %q, %v\nwant %+v, 514", got, next, err, want)
	}
	got, next, err = parseContactPage(readTestdata(t, "search-last.json"))
	if err != nil || next != "" || len(got) != 1 || got[0].ID != "9001" {
		t.Errorf("search-last: got %+v, %q, %v", got, next, err)
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"", "null", "[]", `"x"`, "<html>502</html>", `{"results": [`, `{}`,
		`{"results": {}}`, `{"results": [{"properties": {}}]}`, `{"results": [{"id": 512}]}`,
		`{"results": [{"id": "-1"}]}`, `{"results": [{"id": "0"}]}`, `{"results": [{"id": "5a"}]}`,
		`{"results": [{"id": "1", "properties": {"email": 7}}]}`,
		`{"results": [{"id": "1"}, {"id": ""}]}`,
		`{"results": [], "paging": {"next": {}}}`, `{"results": []} {}`, `{"results": []}}`,
	} {
		if got, _, err := parseContactPage([]byte(body)); !errors.Is(err, ErrMalformed) || got != nil {
			t.Errorf("page %q: got %v, %v; want ErrMalformed", body, got, err)
		}
	}
	for _, body := range []string{
		"", "null", "<html>", `{}`, `{"vid": "abc"}`, `{"vid": 1.5}`, `{"vid": -2}`, `{"vid": 0}`,
		`{"vid": 12, "properties": {"email": "a@b.c"}}`, `{"vid": 12, "properties": {"email": {"value": 3}}}`,
		`{"vid": 12, "properties": []}`,
	} {
		if got, err := parseUTKProfile([]byte(body)); !errors.Is(err, ErrMalformed) || got != nil {
			t.Errorf("profile %q: got %+v, %v; want ErrMalformed", body, got, err)
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
