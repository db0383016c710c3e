// Package oidctest is a small OpenID Connect provider for tests: discovery,
// its signing keys, an authorization endpoint that approves at once as the
// configured user, and a token endpoint. It checks what the client sends
// (client, redirect URI, PKCE with S256, state, nonce, code) and issues bad
// ID tokens on demand, so that tests can prove they are refused.
package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// User is whom the provider signs in.
type User struct {
	Subject       string
	Email         string // left out of the token when ""
	EmailVerified bool
	// NoEmailVerified leaves email_verified out, as Microsoft does.
	NoEmailVerified bool
	AMR             []string       // authentication methods; left out when empty
	Extra           map[string]any // more claims, such as xms_edov
}

// Fault is what the provider gets wrong on purpose.
type Fault string

// The faults. Each applies to the ID tokens issued while it is set, except
// Deny, which applies to authorizations.
const (
	Good          Fault = ""
	WrongAudience Fault = "wrong audience"   // aud is another client
	WrongNonce    Fault = "wrong nonce"      // nonce is not the one the client sent
	Expired       Fault = "expired"          // exp an hour ago
	WrongKey      Fault = "wrong key"        // signed by a key the JWKS does not hold (same kid)
	WrongIssuer   Fault = "wrong issuer"     // iss is another provider
	Unsigned      Fault = "unsigned"         // alg none, no signature
	Deny          Fault = "access denied"    // the user refuses: the callback gets error=access_denied
	OtherParty    Fault = "another audience" // aud holds this client and another, azp the other
)

const keyID = "test-key-1"

// keys are made once per test binary: RSA key generation is slow.
var keys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	k1, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	k2, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k1, k2
})

// Provider is a running test provider; URL is its issuer.
type Provider struct {
	URL, ClientID, ClientSecret string

	key, otherKey *rsa.PrivateKey

	mu        sync.Mutex
	user      User
	fault     Fault
	redirects map[string]bool
	codes     map[string]grant
	refusals  []string
}

// grant is an issued authorization code and what it was issued for.
type grant struct {
	user                       User
	redirect, challenge, nonce string
	expires                    time.Time
}

// New starts a provider for one client, closed when the test ends.
func New(t testing.TB, clientID, clientSecret string) *Provider {
	t.Helper()
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, redirects: map[string]bool{}, codes: map[string]grant{}}
	p.key, p.otherKey = keys()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// AllowRedirect registers a redirect URI of the client.
func (p *Provider) AllowRedirect(uri string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirects[uri] = true
}

// SetUser sets whom the next authorizations sign in.
func (p *Provider) SetUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = u
}

// SetFault sets what the provider gets wrong from now on; Good for nothing.
func (p *Provider) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// Refusals lists why the provider refused requests of the client, in order.
func (p *Provider) Refusals() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.refusals)
}

func (p *Provider) refuse(w http.ResponseWriter, status int, code, why string) {
	p.mu.Lock()
	p.refusals = append(p.refusals, why)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": why})
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	pub := p.key.PublicKey
	e := bigEndian(pub.E)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": keyID,
		"n": b64(pub.N.Bytes()), "e": b64(e),
	}}})
}

// bigEndian returns an int's big-endian bytes without leading zeros.
func bigEndian(v int) []byte {
	var b []byte
	for ; v > 0; v >>= 8 {
		b = append([]byte{byte(v)}, b...)
	}
	return b
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// authorize approves at once: it redirects back with a code and the state,
// after checking the client, its redirect URI, the scope and PKCE.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	okRedirect, user, fault := p.redirects[q.Get("redirect_uri")], p.user, p.fault
	p.mu.Unlock()
	switch {
	case q.Get("client_id") != p.ClientID:
		p.refuse(w, http.StatusBadRequest, "invalid_client", "authorize: unknown client_id")
		return
	case !okRedirect:
		p.refuse(w, http.StatusBadRequest, "invalid_request", "authorize: redirect_uri not registered: "+q.Get("redirect_uri"))
		return
	case q.Get("response_type") != "code":
		p.refuse(w, http.StatusBadRequest, "unsupported_response_type", "authorize: response_type is not code")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		p.refuse(w, http.StatusBadRequest, "invalid_scope", "authorize: no openid scope")
		return
	case q.Get("state") == "" || q.Get("nonce") == "":
		p.refuse(w, http.StatusBadRequest, "invalid_request", "authorize: no state or no nonce")
		return
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		p.refuse(w, http.StatusBadRequest, "invalid_request", "authorize: no PKCE challenge with S256")
		return
	}
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("state", q.Get("state"))
	if fault == Deny {
		v.Set("error", "access_denied")
	} else {
		code := b64(randomBytes(24))
		p.mu.Lock()
		p.codes[code] = grant{user: user, redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"),
			nonce: q.Get("nonce"), expires: time.Now().Add(time.Minute)}
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// token trades a code for an ID token, once, for the client that proves
// itself with its secret and the PKCE verifier.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.refuse(w, http.StatusBadRequest, "invalid_request", "token: unreadable form")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 2.3.1: form-encoded before basic authentication.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		p.refuse(w, http.StatusUnauthorized, "invalid_client", "token: wrong client or secret")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		p.refuse(w, http.StatusBadRequest, "unsupported_grant_type", "token: grant_type is not authorization_code")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	delete(p.codes, code)
	fault := p.fault
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !ok || time.Now().After(g.expires):
		p.refuse(w, http.StatusBadRequest, "invalid_grant", "token: unknown, used or expired code")
		return
	case r.PostForm.Get("redirect_uri") != g.redirect:
		p.refuse(w, http.StatusBadRequest, "invalid_grant", "token: redirect_uri differs from the authorization's")
		return
	case b64(sum[:]) != g.challenge:
		p.refuse(w, http.StatusBadRequest, "invalid_grant", "token: code_verifier does not match the challenge")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": b64(randomBytes(24)), "token_type": "Bearer", "expires_in": 300,
		"id_token": p.idToken(g, fault),
	})
}

// idToken signs the claims of a grant, with the fault.
func (p *Provider) idToken(g grant, fault Fault) string {
	now := time.Now()
	c := map[string]any{
		"iss": p.URL, "sub": g.user.Subject, "aud": p.ClientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	if g.user.Email != "" {
		c["email"] = g.user.Email
		if !g.user.NoEmailVerified {
			c["email_verified"] = g.user.EmailVerified
		}
	}
	if len(g.user.AMR) > 0 {
		c["amr"] = g.user.AMR
	}
	for k, v := range g.user.Extra {
		c[k] = v
	}
	key, alg := p.key, "RS256"
	switch fault {
	case WrongAudience:
		c["aud"] = "another-client"
	case OtherParty:
		c["aud"], c["azp"] = []string{p.ClientID, "another-client"}, "another-client"
	case WrongNonce:
		c["nonce"] = "not-the-nonce-the-client-sent"
	case Expired:
		c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	case WrongIssuer:
		c["iss"] = "https://issuer.invalid"
	case WrongKey:
		key = p.otherKey
	case Unsigned:
		alg = "none"
	}
	header, _ := json.Marshal(map[string]string{"alg": alg, "kid": keyID, "typ": "JWT"})
	payload, _ := json.Marshal(c)
	signed := b64(header) + "." + b64(payload)
	if alg == "none" {
		return signed + "."
	}
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(fmt.Sprintf("oidctest: sign: %v", err))
	}
	return signed + "." + b64(sig)
}
