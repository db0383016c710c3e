package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/foyerhq/foyer/internal/hubspot/hubspottest"
)

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
