package hubspot

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/hubspot/hubspottest"
)

const testToken = "pat-eu1-0a1b2c3d-4e5f-6789-abcd-ef0123456789"

// sleeps records the client's waits instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// setup returns a fake HubSpot and a client for it whose sleeps are
// recorded, not slept.
func setup(t *testing.T) (*hubspottest.Server, *Client, *sleeps) {
	t.Helper()
	srv := hubspottest.New(t, testToken)
	c := New(testToken)
	c.BaseURL = srv.URL()
	s := &sleeps{}
	c.Sleep = s.sleep
	return srv, c, s
}

var consentDay = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func ada() hubspottest.Contact {
	return hubspottest.Contact{
		Email: " ada@acme.com ", FirstName: "Ada", LastName: "Lovelace", JobTitle: "CTO",
		Phone: "+44 20 7946 0000", Company: "Acme", Consent: "accepted", ConsentAt: consentDay,
		UTK: "0123456789abcdef0123456789abcdef",
	}
}

func TestContactByUTK(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	id := srv.AddContact(ada())
	srv.AddContact(hubspottest.Contact{Email: "bob@acme.com"})

	got, err := c.ContactByUTK(context.Background(), "0123456789abcdef0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	want := &Contact{
		ID: id, Email: "ada@acme.com", FirstName: "Ada", LastName: "Lovelace", JobTitle: "CTO",
		Phone: "+44 20 7946 0000", Company: "Acme", Consent: "accepted", ConsentAt: consentDay,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestContactByUTKNotFound(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.AddContact(ada())
	for _, utk := range []string{"ffffffffffffffffffffffffffffffff", "", "../../crm/v3/objects/contacts", strings.Repeat("a", 65)} {
		got, err := c.ContactByUTK(context.Background(), utk)
		if !errors.Is(err, ErrNotFound) || got != nil {
			t.Errorf("%q: got %+v, %v; want ErrNotFound", utk, got, err)
		}
	}
	if n := srv.Requests(); n != 1 {
		t.Errorf("%d requests; want 1 (the others are not user tokens)", n)
	}
}

func TestContactByUTKMatchFields(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	// A contact without an email is matched by ID alone; one whose token
	// was added later is found as well.
	id := srv.AddContact(hubspottest.Contact{FirstName: "No", LastName: "Email"})
	srv.SetUTK("aaaabbbbccccdddd", id)
	got, err := c.ContactByUTK(context.Background(), "aaaabbbbccccdddd")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.Email != "" || got.Consent != "" || !got.ConsentAt.IsZero() {
		t.Errorf("got %+v; want ID %s and no email or consent", got, id)
	}
	if !validID(got.ID) {
		t.Errorf("ID %q is not decimal", got.ID)
	}
}

func TestContactsPagination(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.PageSize(3)
	var want []string
	for i := range 7 {
		want = append(want, srv.AddContact(hubspottest.Contact{Email: string(rune('a'+i)) + "@example.org", JobTitle: "Engineer"}))
	}
	var got []string
	err := c.Contacts(context.Background(), func(ct Contact) error {
		if ct.JobTitle != "Engineer" {
			t.Errorf("contact %s: job title %q", ct.ID, ct.JobTitle)
		}
		got = append(got, ct.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
	if n := srv.Requests(); n != 3 {
		t.Errorf("%d requests; want 3", n)
	}
}

func TestContactsStopsOnCallbackError(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.PageSize(2)
	for range 5 {
		srv.AddContact(hubspottest.Contact{Email: "x@example.org"})
	}
	stop := errors.New("stop")
	n := 0
	err := c.Contacts(context.Background(), func(Contact) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 3 || srv.Requests() != 2 {
		t.Errorf("got %v after %d contacts, %d requests; want stop after 3, 2 requests", err, n, srv.Requests())
	}
}

func TestContactsByDomain(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.PageSize(2)
	var want []string
	for _, email := range []string{"a@acme.com", "b@other.com", "C@ACME.COM", "d@notacme.com", "e@sub.acme.com", "f@acme.com", "", "g@acme.com.evil.io"} {
		id := srv.AddContact(hubspottest.Contact{Email: email, Consent: "refused", ConsentAt: consentDay})
		if strings.HasSuffix(strings.ToLower(email), "@acme.com") {
			want = append(want, id)
		}
	}
	var got []string
	err := c.ContactsByDomain(context.Background(), "@Acme.com", func(ct Contact) error {
		if ct.Consent != "refused" || !ct.ConsentAt.Equal(consentDay) {
			t.Errorf("contact %s: consent %q at %v", ct.ID, ct.Consent, ct.ConsentAt)
		}
		got = append(got, ct.ID)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
	for _, bad := range []string{"", "acme", "a b.com", "*.com", "x@y.com"} {
		if err := c.ContactsByDomain(context.Background(), bad, func(Contact) error { return nil }); err == nil {
			t.Errorf("domain %q: no error", bad)
		}
	}
}

func TestContactsByDomainSearchLimit(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.PageSize(2)
	srv.SearchLimit(4)
	c.searchMax = 4
	for range 5 {
		srv.AddContact(hubspottest.Contact{Email: "x@acme.com"})
	}
	n := 0
	err := c.ContactsByDomain(context.Background(), "acme.com", func(Contact) error { n++; return nil })
	if !errors.Is(err, ErrSearchLimit) || n != 4 {
		t.Errorf("got %v after %d contacts; want ErrSearchLimit after 4", err, n)
	}
}

// rawServer answers every request with the handler, for answers the fake
// HubSpot does not give.
func rawServer(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := New(testToken)
	c.BaseURL = srv.URL
	c.Sleep = (&sleeps{}).sleep
	return c
}

func TestRepeatedCursor(t *testing.T) {
	t.Parallel()
	c := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"results": [{"id": "1"}], "paging": {"next": {"after": "1"}}}`)
	})
	n := 0
	err := c.Contacts(context.Background(), func(Contact) error { n++; return nil })
	if !errors.Is(err, ErrMalformed) || n != 1 {
		t.Errorf("got %v after %d contacts; want ErrMalformed after 1", err, n)
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	var got []string
	var mu sync.Mutex
	c := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(b))
		mu.Unlock()
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/utk/") {
			if r.URL.Query().Get("propertyMode") != "value_only" || len(r.URL.Query()["property"]) != len(properties) {
				t.Errorf("profile query %s", r.URL.RawQuery)
			}
			io.WriteString(w, `{"vid": 5, "properties": {}}`)
			return
		}
		io.WriteString(w, `{"results": []}`)
	})
	ctx := context.Background()
	if _, err := c.ContactByUTK(ctx, "abc123"); err != nil {
		t.Fatal(err)
	}
	if err := c.ContactsByDomain(ctx, "acme.com", func(Contact) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"GET /contacts/v1/contact/utk/abc123/profile Bearer " + testToken + " ",
		`POST /crm/v3/objects/contacts/search Bearer ` + testToken + ` {"filterGroups":[{"filters":[{"propertyName":"email","operator":"CONTAINS_TOKEN","value":"*@acme.com"}]}],"sorts":[{"propertyName":"hs_object_id","direction":"ASCENDING"}],"properties":["email","firstname","lastname","jobtitle","phone","company","foyer_tracking_consent","foyer_tracking_consent_date"],"limit":100}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests\n%q\nwant\n%q", got, want)
	}
}
