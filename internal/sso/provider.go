// Package sso signs users in with OpenID Connect: each provider the
// operator configures (presets for Google and Microsoft, any other issuer
// by URL), the authorization code flow with PKCE, and the checks of the ID
// token. Who may then sign in is the web package's business.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/foyerhq/foyer"
	"golang.org/x/oauth2"
)

// The two ways a sign-in fails; errors from this package wrap one of them,
// with a detail for the log that holds no token, code or address.
var (
	// ErrUnavailable: the provider could not be reached, or answered
	// nonsense.
	ErrUnavailable = foyer.Errorf(foyer.EUNAVAILABLE, "the identity provider could not be reached")
	// ErrRefused: the provider refused the code, or Foyer refused its ID
	// token.
	ErrRefused = foyer.Errorf(foyer.EUNAUTHORIZED, "the sign-in could not be verified")
)

// multiFactor lists the amr values (RFC 8176) that mean the provider
// checked more than a password.
var multiFactor = []string{"mfa", "otp", "hwk", "swk", "sms"}

// Provider is a configured OpenID Connect provider. Its discovery document
// is fetched at the first sign-in, and again after a failure.
type Provider struct {
	cfg    Config
	client *http.Client

	mu sync.Mutex
	op *oidc.Provider // nil until discovered
}

// New returns the provider of a resolved config. client makes the calls to
// the provider; one with a 10-second timeout when nil.
func New(cfg Config, client *http.Client) (*Provider, error) {
	cfg, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Provider{cfg: cfg, client: client}, nil
}

// NewAll returns the providers of configs, in order; EINVALID for a bad
// config or an ID given twice.
func NewAll(configs []Config, client *http.Client) ([]*Provider, error) {
	var out []*Provider
	seen := map[string]bool{}
	for _, c := range configs {
		p, err := New(c, client)
		if err != nil {
			return nil, err
		}
		if seen[p.cfg.ID] {
			return nil, foyer.Errorf(foyer.EINVALID, "sso: two providers have the id %q", p.cfg.ID)
		}
		seen[p.cfg.ID] = true
		out = append(out, p)
	}
	return out, nil
}

// ID returns the provider's ID, as in /login/sso/ID.
func (p *Provider) ID() string { return p.cfg.ID }

// Name returns the provider's name for buttons.
func (p *Provider) Name() string { return p.cfg.Name }

// Issuer returns the provider's issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Flow is the secrets of one sign-in, kept by the browser between the start
// and the callback: the state sent back with the code, the nonce the ID
// token must carry, and the PKCE verifier whose S256 hash went out.
type Flow struct {
	State, Nonce, Verifier string
}

// NewFlow returns fresh random secrets.
func NewFlow() Flow {
	return Flow{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
}

func random() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Identity is what a verified ID token says of the person.
type Identity struct {
	Issuer  string // the configured issuer
	Subject string
	// Email is the address the provider gave, "" when none; EmailVerified
	// says whether the provider vouches for it.
	Email         string
	EmailVerified bool
	// MultiFactor says whether the provider reported multi-factor
	// authentication (amr).
	MultiFactor bool
}

func (p *Provider) discover(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.op != nil {
		return p.op, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, p.client), p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("sso %s: discovery: %w (%w)", p.cfg.ID, ErrUnavailable, err)
	}
	p.op = op
	return op, nil
}

func (p *Provider) oauth(op *oidc.Provider, redirectURL string) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: redirectURL, Scopes: []string{oidc.ScopeOpenID, "email"}}
}

// AuthURL returns the provider's authorization address for a flow, to send
// the browser to; ErrUnavailable when the provider cannot be discovered.
func (p *Provider) AuthURL(ctx context.Context, redirectURL string, f Flow) (string, error) {
	op, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	return p.oauth(op, redirectURL).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), nil
}

// Exchange trades the code of a callback for an ID token and checks it:
// signature, issuer, audience (and authorized party), expiry and the
// flow's nonce. ErrRefused or ErrUnavailable otherwise. The caller checks
// the state.
func (p *Provider) Exchange(ctx context.Context, redirectURL, code string, f Flow) (*Identity, error) {
	op, err := p.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := p.oauth(op, redirectURL).Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if re, ok := errors.AsType[*oauth2.RetrieveError](err); ok {
		// Its body is the provider's and is not logged.
		return nil, fmt.Errorf("sso %s: the token endpoint answered %d %q: %w", p.cfg.ID, re.Response.StatusCode, re.ErrorCode, ErrRefused)
	}
	if err != nil {
		return nil, fmt.Errorf("sso %s: token endpoint: %w (%w)", p.cfg.ID, ErrUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("sso %s: the token endpoint gave no ID token: %w", p.cfg.ID, ErrRefused)
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("sso %s: ID token: %w (%w)", p.cfg.ID, ErrRefused, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, fmt.Errorf("sso %s: the ID token's nonce is not this sign-in's: %w", p.cfg.ID, ErrRefused)
	}
	var c struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		DomainOwner   json.RawMessage `json:"xms_edov"` // Microsoft's optional "email domain owner verified"
		AMR           []string        `json:"amr"`
		AZP           string          `json:"azp"`
	}
	if err := idt.Claims(&c); err != nil {
		return nil, fmt.Errorf("sso %s: ID token claims: %w (%w)", p.cfg.ID, ErrRefused, err)
	}
	if c.AZP != "" && c.AZP != p.cfg.ClientID || c.AZP == "" && len(idt.Audience) > 1 {
		return nil, fmt.Errorf("sso %s: the ID token was issued to another party (azp): %w", p.cfg.ID, ErrRefused)
	}
	if idt.Subject == "" {
		return nil, fmt.Errorf("sso %s: the ID token names no subject: %w", p.cfg.ID, ErrRefused)
	}
	id := &Identity{Issuer: p.cfg.Issuer, Subject: idt.Subject, Email: strings.TrimSpace(c.Email)}
	id.EmailVerified = isTrue(c.EmailVerified)
	if c.EmailVerified == nil && p.cfg.Preset == "microsoft" {
		// Microsoft sends no email_verified; xms_edov is its word for it.
		id.EmailVerified = isTrue(c.DomainOwner)
	}
	for _, m := range c.AMR {
		id.MultiFactor = id.MultiFactor || slices.Contains(multiFactor, m)
	}
	return id, nil
}

// isTrue reads a claim that should be a boolean; some providers send the
// string "true" (or "1") instead.
func isTrue(raw json.RawMessage) bool {
	switch strings.ToLower(string(raw)) {
	case "true", `"true"`, "1", `"1"`:
		return true
	}
	return false
}
