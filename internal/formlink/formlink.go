// Package formlink makes and checks the signed, expiring links that take a
// contact to a hosted form (profile, tracking opt-out, unsubscribe)
// without signing in: the link's token is the proof.
//
// A token is URL-safe base64 (no padding) of
//
//	version (1 byte) | kind (1 byte) | workspace | contact | expiry | HMAC-SHA-256
//
// where workspace, contact and the expiry (Unix seconds) are unsigned
// varints, and the HMAC, under a key derived from the master key for this
// purpose alone, covers every byte before it. It names its contact by ID
// only: it holds no personal data.
package formlink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// Kind is what a link opens.
type Kind byte

// The kinds of links.
const (
	Profile     Kind = 1 // the profile and opt-in form
	OptOut      Kind = 2 // the behavioural-tracking opt-out form
	Unsubscribe Kind = 3 // the unsubscribe form
	// Browser is the short-lived token of the hop through the workspace's
	// sites that sets the tracker's refusal cookie in the contact's browser.
	Browser Kind = 4
)

// String names the kind as the URLs do.
func (k Kind) String() string {
	switch k {
	case Profile:
		return "profile"
	case OptOut:
		return "optout"
	case Unsubscribe:
		return "unsubscribe"
	case Browser:
		return "browser"
	}
	return "unknown"
}

// Purpose is what the key of form links is derived for (vault.Keyring.Derive).
const Purpose = "form links"

// DefaultLife is how long a form link lasts unless its maker says.
const DefaultLife = 90 * 24 * time.Hour

// Link is what a token names.
type Link struct {
	Workspace int64
	Contact   int64
	Kind      Kind
	Expires   time.Time // to the second
}

// Why a token is refused. Each is its own error, so that a page can say
// which (and answer the right status); the order they are checked in is
// the order below, so that a forged token is never called expired.
var (
	ErrMalformed      = errors.New("formlink: not a form link")
	ErrForged         = errors.New("formlink: the link's signature does not match")
	ErrOtherWorkspace = errors.New("formlink: the link is of another workspace")
	ErrWrongKind      = errors.New("formlink: the link is for another form")
	ErrExpired        = errors.New("formlink: the link has expired")
)

const (
	version = 1
	macSize = sha256.Size
	maxSize = 2 + 3*binary.MaxVarintLen64 + macSize // the longest token, decoded
)

// Signer makes and checks tokens with one key.
type Signer struct {
	key []byte
}

// NewSigner returns a signer with key (32 bytes from vault.Keyring.Derive);
// it panics on a key shorter than 16 bytes, a programming error.
func NewSigner(key []byte) *Signer {
	if len(key) < 16 {
		panic("formlink: a key of fewer than 16 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}
}

func (s *Signer) mac(b []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	return m.Sum(nil)
}

// Sign returns the token of l. IDs below 1 and expiries before 1970 are
// programming errors: it panics.
func (s *Signer) Sign(l Link) string {
	if l.Workspace < 1 || l.Contact < 1 || l.Expires.Unix() < 0 {
		panic("formlink: a link needs a workspace, a contact and an expiry")
	}
	b := make([]byte, 0, maxSize)
	b = append(b, version, byte(l.Kind))
	b = binary.AppendUvarint(b, uint64(l.Workspace))
	b = binary.AppendUvarint(b, uint64(l.Contact))
	b = binary.AppendUvarint(b, uint64(l.Expires.Unix()))
	b = append(b, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parse decodes a token without checking its signature, returning what it
// names, the signed bytes and their MAC; ErrMalformed when it is not one.
func parse(token string) (Link, []byte, []byte, error) {
	var l Link
	if len(token) > base64.RawURLEncoding.EncodedLen(maxSize) {
		return l, nil, nil, ErrMalformed
	}
	// The decoder skips line breaks: a token is its alphabet only, so
	// that one link has one spelling.
	for i := range len(token) {
		if c := token[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return l, nil, nil, ErrMalformed
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) < 2+3+macSize || b[0] != version {
		return l, nil, nil, ErrMalformed
	}
	body, sum := b[:len(b)-macSize], b[len(b)-macSize:]
	l.Kind = Kind(body[1])
	rest := body[2:]
	var v [3]uint64
	for i := range v {
		x, n := binary.Uvarint(rest)
		if n <= 0 || x > 1<<62 {
			return Link{}, nil, nil, ErrMalformed
		}
		v[i], rest = x, rest[n:]
	}
	if len(rest) != 0 || v[0] == 0 || v[1] == 0 {
		return Link{}, nil, nil, ErrMalformed
	}
	l.Workspace, l.Contact, l.Expires = int64(v[0]), int64(v[1]), time.Unix(int64(v[2]), 0).UTC()
	return l, body, sum, nil
}

// Verify checks a token for a form of kind in workspace (0: any
// workspace, for a token whose workspace no URL names) at now, and returns
// what it names. The signature is compared in constant time. It answers
// ErrMalformed, ErrForged (any byte changed, or another key's token),
// ErrOtherWorkspace, ErrWrongKind or ErrExpired, checked in that order.
// With ErrExpired alone it also returns what the link names: the link is
// genuine, and its page may say whose it was.
func (s *Signer) Verify(token string, workspace int64, kind Kind, now time.Time) (Link, error) {
	l, body, sum, err := parse(token)
	if err != nil {
		return Link{}, err
	}
	if !hmac.Equal(sum, s.mac(body)) {
		return Link{}, ErrForged
	}
	if workspace != 0 && l.Workspace != workspace {
		return Link{}, ErrOtherWorkspace
	}
	if l.Kind != kind {
		return Link{}, ErrWrongKind
	}
	if !now.Before(l.Expires) {
		return l, ErrExpired
	}
	return l, nil
}
