package sso

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/testutil/oidctest"
)

const redirect = "https://foyer.example/login/sso/test/callback"

func newTestProvider(t *testing.T) (*Provider, *oidctest.Provider) {
	t.Helper()
	idp := oidctest.New(t, "foyer-client", "s3cret,with;odd=chars")
	idp.AllowRedirect(redirect)
	idp.SetUser(oidctest.User{Subject: "u-1", Email: "Ana@Example.com", EmailVerified: true})
	p, err := New(Config{ID: "test", Name: "Test ID", Issuer: idp.URL, ClientID: idp.ClientID, ClientSecret: idp.ClientSecret}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p, idp
}

// authorize runs the browser's part: to the provider and back. It returns
// the callback's query.
func authorize(t *testing.T, p *Provider, f Flow) url.Values {
	t.Helper()
	u, err := p.AuthURL(context.Background(), redirect, f)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirect+"?") {
		t.Fatalf("authorize: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return loc.Query()
}

func TestExchange(t *testing.T) {
	t.Parallel()
	p, idp := newTestProvider(t)
	ctx := context.Background()
	f := NewFlow()
	q := authorize(t, p, f)
	if q.Get("state") != f.State || q.Get("code") == "" {
		t.Fatalf("callback query %v", q)
	}
	id, err := p.Exchange(ctx, redirect, q.Get("code"), f)
	if err != nil {
		t.Fatalf("exchange: %v (provider refused: %q)", err, idp.Refusals())
	}
	want := Identity{Issuer: idp.URL, Subject: "u-1", Email: "Ana@Example.com", EmailVerified: true}
	if *id != want {
		t.Errorf("identity %+v, want %+v", *id, want)
	}
	// A code works once.
	_, err = p.Exchange(ctx, redirect, q.Get("code"), f)
	if !errors.Is(err, ErrRefused) {
		t.Errorf("a used code: %v", err)
	}

	for _, c := range []struct {
		amr  []string
		mfa  bool
		xver any
	}{{nil, false, nil}, {[]string{"pwd"}, false, nil}, {[]string{"pwd", "mfa"}, true, nil}, {[]string{"hwk"}, true, nil},
		{[]string{"otp"}, true, nil}, {[]string{"sms", "pwd"}, true, nil}, {[]string{"swk"}, true, nil}, {[]string{"face"}, false, nil}} {
		idp.SetUser(oidctest.User{Subject: "u-2", AMR: c.amr})
		f := NewFlow()
		id, err := p.Exchange(ctx, redirect, authorize(t, p, f).Get("code"), f)
		if err != nil || id.MultiFactor != c.mfa || id.Email != "" || id.EmailVerified {
			t.Errorf("amr %q: %+v, %v; want multi-factor %v", c.amr, id, err, c.mfa)
		}
	}
}

func TestExchangeRefuses(t *testing.T) {
	t.Parallel()
	p, idp := newTestProvider(t)
	ctx := context.Background()
	for _, fault := range []oidctest.Fault{oidctest.WrongAudience, oidctest.WrongNonce, oidctest.Expired, oidctest.WrongKey,
		oidctest.WrongIssuer, oidctest.Unsigned, oidctest.OtherParty} {
		idp.SetFault(fault)
		f := NewFlow()
		id, err := p.Exchange(ctx, redirect, authorize(t, p, f).Get("code"), f)
		if !errors.Is(err, ErrRefused) || foyer.ErrorCode(err) != foyer.EUNAUTHORIZED || id != nil {
			t.Errorf("%s: %+v, %v; want refused", fault, id, err)
		}
	}
	idp.SetFault(oidctest.Good)

	// What the token endpoint checks: the verifier, the redirect URI, the
	// client's secret.
	f := NewFlow()
	code := authorize(t, p, f).Get("code")
	other := f
	other.Verifier = NewFlow().Verifier
	if _, err := p.Exchange(ctx, redirect, code, other); !errors.Is(err, ErrRefused) {
		t.Errorf("another verifier: %v", err)
	}
	f = NewFlow()
	code = authorize(t, p, f).Get("code")
	if _, err := p.Exchange(ctx, redirect+"x", code, f); !errors.Is(err, ErrRefused) {
		t.Errorf("another redirect URI: %v", err)
	}
	bad, err := New(Config{ID: "test", Issuer: idp.URL, ClientID: idp.ClientID, ClientSecret: "wrong"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f = NewFlow()
	code = authorize(t, p, f).Get("code")
	if _, err := bad.Exchange(ctx, redirect, code, f); !errors.Is(err, ErrRefused) {
		t.Errorf("a wrong client secret: %v", err)
	}
	for _, r := range idp.Refusals() {
		if strings.Contains(r, "authorize") {
			t.Errorf("the provider refused an authorization: %s", r)
		}
	}
	// No error message carries the code.
	if _, err := p.Exchange(ctx, redirect, "the-code-"+code, f); err == nil || strings.Contains(err.Error(), code) {
		t.Errorf("an unknown code: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	p, err := New(Config{ID: "gone", Issuer: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.AuthURL(context.Background(), redirect, NewFlow()); !errors.Is(err, ErrUnavailable) || foyer.ErrorCode(err) != foyer.EUNAVAILABLE {
		t.Errorf("AuthURL: %v", err)
	}
	if _, err := p.Exchange(context.Background(), redirect, "code", NewFlow()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Exchange: %v", err)
	}
}

// TestMicrosoftVerified checks that Microsoft's xms_edov stands for
// email_verified under the microsoft preset only, and only when
// email_verified is absent.
func TestMicrosoftVerified(t *testing.T) {
	t.Parallel()
	p, idp := newTestProvider(t)
	ctx := context.Background()
	for _, c := range []struct {
		preset   string
		verified any // email_verified; nil: left out
		edov     any // xms_edov; nil: left out
		want     bool
	}{
		{"microsoft", nil, true, true},
		{"microsoft", nil, "1", true},
		{"microsoft", nil, false, false},
		{"microsoft", nil, nil, false},
		{"microsoft", false, true, false},
		{"", nil, true, false},
		{"", true, nil, true},
		{"", "true", nil, true},
		{"", "yes", nil, false},
	} {
		u := oidctest.User{Subject: "m-1", Email: "ana@example.com", NoEmailVerified: true, Extra: map[string]any{}}
		if c.verified != nil {
			u.Extra["email_verified"] = c.verified
		}
		if c.edov != nil {
			u.Extra["xms_edov"] = c.edov
		}
		idp.SetUser(u)
		p.cfg.Preset = c.preset
		f := NewFlow()
		id, err := p.Exchange(ctx, redirect, authorize(t, p, f).Get("code"), f)
		if err != nil {
			t.Fatal(err)
		}
		if id.EmailVerified != c.want {
			t.Errorf("preset %q, email_verified %v, xms_edov %v: verified %v", c.preset, c.verified, c.edov, id.EmailVerified)
		}
	}
}
