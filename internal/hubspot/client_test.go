package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

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

func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	srv, c, s := setup(t)
	srv.AddContact(ada())
	srv.RateLimit(2, "7")
	if _, err := c.ContactByUTK(context.Background(), ada().UTK); err != nil {
		t.Fatal(err)
	}
	if got, want := s.waits(), []time.Duration{7 * time.Second, 7 * time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("waited %v; want %v", got, want)
	}
	if n := srv.Requests(); n != 3 {
		t.Errorf("%d requests; want 3", n)
	}
}

func TestRetryAfterWaits(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		header string
		want   time.Duration
	}{
		{"", time.Second},          // absent
		{"soon", time.Second},      // unparsable
		{"-3", time.Second},        // negative
		{"0", 0},                   // at once
		{"3", 3 * time.Second},     // as said
		{"3600", 10 * time.Second}, // capped at MaxRetryWait
	} {
		srv, c, s := setup(t)
		srv.RateLimit(1, tt.header)
		if err := c.Check(context.Background()); err != nil {
			t.Fatalf("%q: %v", tt.header, err)
		}
		if got := s.waits(); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Retry-After %q: waited %v; want %v", tt.header, got, tt.want)
		}
	}
}

func TestRateLimitedForever(t *testing.T) {
	t.Parallel()
	srv, c, s := setup(t)
	srv.RateLimit(1000, "1")
	err := c.Contacts(context.Background(), func(Contact) error { return nil })
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("got %v; want ErrRateLimited", err)
	}
	if n, w := srv.Requests(), len(s.waits()); n != DefaultRetries+1 || w != DefaultRetries {
		t.Errorf("%d requests, %d waits; want %d and %d", n, w, DefaultRetries+1, DefaultRetries)
	}
}

func TestRateLimitWaitCancelled(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	c.Sleep = nil // the real wait, which must end with ctx
	srv.RateLimit(1000, "10")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.Check(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v; want the context's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestServerErrorRetried(t *testing.T) {
	t.Parallel()
	srv, c, s := setup(t)
	srv.Fail(2, http.StatusBadGateway)
	if err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := s.waits(), []time.Duration{500 * time.Millisecond, time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("waited %v; want %v", got, want)
	}

	srv.Fail(100, http.StatusServiceUnavailable)
	err := c.Check(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable {
		t.Errorf("got %v; want an *Error with status 503", err)
	}
}

func TestClientError(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	c.searchMax = 0
	srv.SearchLimit(1)
	srv.PageSize(1)
	srv.AddContact(hubspottest.Contact{Email: "a@acme.com"})
	srv.AddContact(hubspottest.Contact{Email: "b@acme.com"})
	// The fake answers 400 past its search limit: the message is HubSpot's.
	err := c.ContactsByDomain(context.Background(), "acme.com", func(Contact) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || !strings.Contains(err.Error(), "Invalid after") {
		t.Errorf("got %v; want a 400 with HubSpot's message", err)
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

func TestRevokedToken(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.AddContact(ada())
	if err := c.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Revoke()
	calls := map[string]func() error{
		"Check": func() error { return c.Check(context.Background()) },
		"ContactByUTK": func() error {
			_, err := c.ContactByUTK(context.Background(), ada().UTK)
			return err
		},
		"Contacts": func() error { return c.Contacts(context.Background(), func(Contact) error { return nil }) },
		"ContactsByDomain": func() error {
			return c.ContactsByDomain(context.Background(), "acme.com", func(Contact) error { return nil })
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrUnauthorized) {
			t.Errorf("%s: got %v; want ErrUnauthorized", name, err)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, testToken) {
			t.Errorf("%s: the error shows the token: %s", name, msg)
		}
		if !strings.Contains(msg, "crm.objects.contacts.read") || !strings.Contains(msg, "private app") {
			t.Errorf("%s: the error does not say what to do: %s", name, msg)
		}
	}
}

func TestWrongToken(t *testing.T) {
	t.Parallel()
	srv, _, _ := setup(t)
	c := New("pat-wrong-token-1234")
	c.BaseURL = srv.URL()
	err := c.Check(context.Background())
	if !errors.Is(err, ErrUnauthorized) || strings.Contains(err.Error(), "pat-wrong-token-1234") {
		t.Errorf("got %v; want ErrUnauthorized without the token", err)
	}
}

func TestMalformedAnswers(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.AddContact(ada())
	for i := range 3 { // each of the fake's broken answers
		srv.Malformed(1)
		got, err := c.ContactByUTK(context.Background(), ada().UTK)
		if !errors.Is(err, ErrMalformed) || got != nil {
			t.Errorf("profile %d: got %+v, %v; want ErrMalformed", i, got, err)
		}
		srv.Malformed(1)
		n := 0
		err = c.Contacts(context.Background(), func(Contact) error { n++; return nil })
		if !errors.Is(err, ErrMalformed) || n != 0 {
			t.Errorf("list %d: got %v after %d contacts; want ErrMalformed", i, err, n)
		}
		srv.Malformed(1)
		if err := c.Check(context.Background()); !errors.Is(err, ErrMalformed) {
			t.Errorf("check %d: got %v; want ErrMalformed", i, err)
		}
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	srv, c, _ := setup(t)
	srv.Delay(5 * time.Second)
	c.HTTP = &http.Client{Timeout: 100 * time.Millisecond}
	start := time.Now()
	err := c.Check(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("got %v; want a timeout", err)
	}
	if !strings.HasPrefix(err.Error(), "hubspot: check the token:") || strings.Contains(err.Error(), srv.URL()) {
		t.Errorf("error %q: want the operation, not the URL", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	c := New(testToken)
	c.BaseURL = "http://127.0.0.1:1"
	if err := c.Check(context.Background()); err == nil || errors.Is(err, ErrUnauthorized) {
		t.Errorf("got %v; want a network error", err)
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

func TestErrorMessageCutAndTokenHidden(t *testing.T) {
	t.Parallel()
	long := "Property values were not valid: token " + testToken + " " + strings.Repeat("é", 300)
	c := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"status": "error", "message": long, "category": "VALIDATION_ERROR"})
	})
	err := c.Check(context.Background())
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.Category != "VALIDATION_ERROR" {
		t.Fatalf("got %v; want a 400 *Error", err)
	}
	if strings.Contains(err.Error(), testToken) || len(e.Message) > maxMessage+len("…") || !utf8.ValidString(e.Message) {
		t.Errorf("message %q: want at most %d bytes of valid UTF-8 without the token", e.Message, maxMessage)
	}
}

func TestAnswerTooLarge(t *testing.T) {
	t.Parallel()
	c := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"results": [], "padding": "`)
		io.WriteString(w, strings.Repeat("x", maxBody))
		io.WriteString(w, `"}`)
	})
	if err := c.Check(context.Background()); !errors.Is(err, ErrMalformed) {
		t.Errorf("got %v; want ErrMalformed", err)
	}
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
