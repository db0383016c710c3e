// Package hubspot reads contacts from HubSpot with a private app's access
// token: the contact a visitor's hubspotutk cookie belongs to, and every
// contact, or those of one email domain, for import. It logs nothing.
package hubspot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults New sets.
const (
	DefaultBaseURL      = "https://api.hubapi.com"
	DefaultTimeout      = 10 * time.Second
	DefaultMaxRetryWait = 10 * time.Second
	DefaultRetries      = 3
)

// maxBody bounds the answers the client reads.
const maxBody = 4 << 20

// serverBackoff is the first wait before retrying after a 5xx; each
// further retry waits twice as long (capped at MaxRetryWait).
const serverBackoff = 500 * time.Millisecond

// Client talks to HubSpot's API with a private app's access token. Its
// fields may be changed before first use, not after; a Client is then safe
// for concurrent use.
type Client struct {
	// BaseURL is HubSpot's API root, without a trailing slash.
	BaseURL string
	// Token is the private app's access token, sent as a Bearer token. No
	// error the client returns contains it.
	Token string
	// HTTP sends the requests; its Timeout bounds each attempt.
	HTTP *http.Client
	// MaxRetryWait caps each wait before a retry.
	MaxRetryWait time.Duration
	// Retries is how many times a request answered 429 is sent again, and
	// how many times one answered 5xx is; 0 sends each request once.
	Retries int
	// Sleep waits d or until ctx is done, returning ctx's error then. Tests
	// replace it to go fast and to see the waits.
	Sleep func(ctx context.Context, d time.Duration) error

	searchMax int // SearchLimit when 0; lowered by tests
}

// New returns a Client for HubSpot's API with the token and the defaults:
// DefaultBaseURL, an http.Client with DefaultTimeout, DefaultMaxRetryWait
// and DefaultRetries.
func New(token string) *Client {
	return &Client{
		BaseURL:      DefaultBaseURL,
		Token:        token,
		HTTP:         &http.Client{Timeout: DefaultTimeout},
		MaxRetryWait: DefaultMaxRetryWait,
		Retries:      DefaultRetries,
		Sleep:        sleep,
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// request is one call to HubSpot: op names it in errors (never the URL,
// which may hold a user token).
type request struct {
	op     string
	method string
	path   string // escaped, from the API root
	query  url.Values
	body   []byte // JSON, for POST
}

// do sends r, retrying on 429 and 5xx, and returns the body of a 2xx
// answer. Its errors wrap ErrUnauthorized, ErrNotFound (404),
// ErrRateLimited or ErrMalformed (an answer over maxBody), an *Error for
// other statuses, or the network's or ctx's error.
func (c *Client) do(ctx context.Context, r request) ([]byte, error) {
	limited, failed := 0, 0
	for {
		status, header, body, err := c.send(ctx, r)
		if err != nil {
			return nil, err
		}
		switch {
		case status >= 200 && status < 300:
			if len(body) > maxBody {
				return nil, fmt.Errorf("hubspot: %s: %w", r.op, malformed("answer larger than %d bytes", maxBody))
			}
			return body, nil
		case status == http.StatusTooManyRequests && limited < c.Retries:
			limited++
			if err := c.wait(ctx, retryAfter(header.Get("Retry-After"))); err != nil {
				return nil, fmt.Errorf("hubspot: %s: waiting out the rate limit: %w", r.op, err)
			}
		case status >= 500 && failed < c.Retries:
			if err := c.wait(ctx, serverBackoff<<failed); err != nil {
				return nil, fmt.Errorf("hubspot: %s: waiting to retry: %w", r.op, err)
			}
			failed++
		default:
			return nil, fmt.Errorf("hubspot: %s: %w", r.op, c.statusError(status, body))
		}
	}
}

// send makes one attempt, reading at most maxBody+1 bytes of the answer.
func (c *Client) send(ctx context.Context, r request) (int, http.Header, []byte, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u := strings.TrimRight(base, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("hubspot: %s: %w", r.op, unURL(err))
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("hubspot: %s: %w", r.op, unURL(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("hubspot: %s: reading the answer: %w", r.op, unURL(err))
	}
	return resp.StatusCode, resp.Header, b, nil
}

// unURL strips a *url.Error of its URL, which may hold a user token,
// keeping the error it wraps (a timeout stays a timeout).
func unURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// wait sleeps d, capped at MaxRetryWait, or until ctx is done.
func (c *Client) wait(ctx context.Context, d time.Duration) error {
	max := c.MaxRetryWait
	if max <= 0 {
		max = DefaultMaxRetryWait
	}
	d = min(d, max)
	s := c.Sleep
	if s == nil {
		s = sleep
	}
	return s(ctx, d)
}

// retryAfter reads a Retry-After header in seconds; absent or unreadable,
// it is 1 s.
func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return time.Second
	}
	if n > 86400 {
		n = 86400
	}
	return time.Duration(n) * time.Second
}

// statusError makes the *Error for a non-2xx answer.
func (c *Client) statusError(status int, body []byte) *Error {
	eb := parseErrorBody(body)
	e := &Error{Status: status, Category: clean(eb.Category, c.Token), Message: clean(eb.Message, c.Token)}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.kind = ErrUnauthorized
	case status == http.StatusNotFound:
		e.kind = ErrNotFound
	case status == http.StatusTooManyRequests:
		e.kind = ErrRateLimited
	}
	return e
}
