package formlink

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

var (
	now  = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	key  = bytes.Repeat([]byte{1}, 32)
	link = Link{Workspace: 7, Contact: 4242, Kind: OptOut, Expires: now.Add(DefaultLife)}
)

func TestRoundTrip(t *testing.T) {
	s := NewSigner(key)
	for _, l := range []Link{link, {Workspace: 1, Contact: 1, Kind: Profile, Expires: now.Add(time.Second)},
		{Workspace: 1 << 40, Contact: 1 << 50, Kind: Unsubscribe, Expires: now.Add(365 * 24 * time.Hour)}} {
		tok := s.Sign(l)
		if len(tok) > 100 {
			t.Errorf("a token of %d characters", len(tok))
		}
		for _, c := range tok {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Fatalf("token %q has %q, not URL-safe", tok, c)
			}
		}
		got, err := s.Verify(tok, l.Workspace, l.Kind, now)
		if err != nil || got != (Link{l.Workspace, l.Contact, l.Kind, l.Expires.Truncate(time.Second)}) {
			t.Errorf("Verify(Sign(%+v)) = %+v, %v", l, got, err)
		}
		if _, err := s.Verify(tok, 0, l.Kind, now); err != nil {
			t.Errorf("any workspace: %v", err)
		}
	}
}

// TestRefusals checks each reason, and that a refused token names nothing.
func TestRefusals(t *testing.T) {
	s := NewSigner(key)
	tok := s.Sign(link)
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	enc := base64.RawURLEncoding.EncodeToString
	for _, c := range []struct {
		name  string
		token string
		ws    int64
		kind  Kind
		at    time.Time
		want  error
	}{
		{"expired at the second", tok, 7, OptOut, link.Expires, ErrExpired},
		{"expired later", tok, 7, OptOut, link.Expires.Add(time.Hour), ErrExpired},
		{"other workspace", tok, 8, OptOut, now, ErrOtherWorkspace},
		{"wrong kind", tok, 7, Profile, now, ErrWrongKind},
		{"other key", NewSigner(bytes.Repeat([]byte{2}, 32)).Sign(link), 7, OptOut, now, ErrForged},
		{"forged and expired", NewSigner(bytes.Repeat([]byte{2}, 32)).Sign(link), 7, OptOut, link.Expires.Add(time.Hour), ErrForged},
		{"empty", "", 7, OptOut, now, ErrMalformed},
		{"not base64", tok[:10] + "!" + tok[11:], 7, OptOut, now, ErrMalformed},
		{"padded", tok + "=", 7, OptOut, now, ErrMalformed},
		{"cut", tok[:len(tok)-1], 7, OptOut, now, ErrMalformed},
		{"too long", tok + tok, 7, OptOut, now, ErrMalformed},
		{"MAC dropped", enc(raw[:len(raw)-32]), 7, OptOut, now, ErrMalformed},
		{"other version", enc(append([]byte{2}, raw[1:]...)), 7, OptOut, now, ErrMalformed},
	} {
		l, err := s.Verify(c.token, c.ws, c.kind, c.at)
		if !errors.Is(err, c.want) || (l != (Link{})) != (c.want == ErrExpired) {
			t.Errorf("%s: %+v, %v; want %v", c.name, l, err, c.want)
		}
	}
	// Any byte changed, or any bit of it, is refused.
	for i := range raw {
		for _, bit := range []byte{1, 0x80} {
			b := bytes.Clone(raw)
			b[i] ^= bit
			if l, err := s.Verify(enc(b), 7, OptOut, now); err == nil {
				t.Fatalf("byte %d ^ %#x: accepted as %+v", i, bit, l)
			}
		}
	}
	// Upgrading the kind in the payload breaks the signature.
	b := bytes.Clone(raw)
	b[1] = byte(Profile)
	if _, err := s.Verify(enc(b), 7, Profile, now); !errors.Is(err, ErrForged) {
		t.Errorf("an opt-out token made a profile token: %v", err)
	}
}

func TestSignPanicsWithoutIDs(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Sign of a link without a contact did not panic")
		}
	}()
	NewSigner(key).Sign(Link{Workspace: 1, Kind: Profile, Expires: now})
}

// FuzzVerify feeds the parser any string: it never panics, accepts only
// what it signed itself, and a token it parses re-encodes to itself.
func FuzzVerify(f *testing.F) {
	s := NewSigner(key)
	f.Add(s.Sign(link))
	f.Add(s.Sign(Link{Workspace: 1, Contact: 1, Kind: Browser, Expires: now}))
	f.Add("")
	f.Add("AQI")
	f.Fuzz(func(t *testing.T, tok string) {
		l, err := s.Verify(tok, 0, OptOut, now)
		if err == nil && s.Sign(l) != tok {
			t.Fatalf("accepted %q, which is not what Sign makes of %+v", tok, l)
		}
		if pl, body, sum, err := parse(tok); err == nil {
			if len(sum) != macSize || len(body) < 5 {
				t.Fatalf("parse(%q) = %+v, %x, %x", tok, pl, body, sum)
			}
			if enc := base64.RawURLEncoding.EncodeToString(append(bytes.Clone(body), sum...)); enc != tok {
				t.Fatalf("parse(%q) re-encodes to %q", tok, enc)
			}
		}
	})
}
