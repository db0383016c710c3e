package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// testParams keep the tests fast; the format and checks are the same.
var testParams = Params{Memory: 1024, Time: 1, Threads: 1}

func TestPasswordRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q is not in PHC form", h)
	}
	if err := VerifyPassword("correct horse battery", h); err != nil {
		t.Errorf("the right password: %v", err)
	}
	for _, wrong := range []string{"correct horse batterz", "", "correct horse battery "} {
		if err := VerifyPassword(wrong, h); !errors.Is(err, ErrMismatch) {
			t.Errorf("%q: got %v, want ErrMismatch", wrong, err)
		}
	}
	h2, _ := HashPassword("correct horse battery", testParams)
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestPasswordTooShort(t *testing.T) {
	if _, err := HashPassword("short", testParams); err == nil {
		t.Error("a 5-character password was accepted")
	}
}

func TestVerifyRefusesMalformedHashes(t *testing.T) {
	good, _ := HashPassword("correct horse battery", testParams)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuv",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"old version":    strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":    strings.Replace(good, "m=1024", "m=99999999", 1),
		"zero time":      strings.Replace(good, "t=1", "t=0", 1),
		"bad salt":       strings.Join(append(parts[:4:4], "!!!", parts[5]), "$"),
		"short key":      strings.Join(append(parts[:5:5], "AAAA"), "$"),
		"missing fields": "$argon2id$v=19$m=1024,t=1,p=1",
	} {
		err := VerifyPassword("correct horse battery", h)
		if err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("%s: got %v, want a format error", name, err)
		}
	}
}

func TestTokens(t *testing.T) {
	a, ha := NewToken()
	b, hb := NewToken()
	if a == b || len(a) < 40 || string(ha) == string(hb) || len(ha) != 32 {
		t.Errorf("tokens %q %q", a, b)
	}
	if string(TokenHash(a)) != string(ha) {
		t.Error("TokenHash disagrees with NewToken")
	}
}

func TestTOTP(t *testing.T) {
	secret, err := NewTOTPSecret()
	uri := TOTPURI("ana@example.com", secret)
	if err != nil || len(secret) < 16 || uri != "otpauth://totp/Foyer:ana@example.com?issuer=Foyer&secret="+secret {
		t.Fatalf("NewTOTPSecret, TOTPURI: %q %q %v", secret, uri, err)
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	code, _ := TOTPCode(secret, at)
	for d, want := range map[time.Duration]bool{0: true, 30 * time.Second: true, -30 * time.Second: true, 90 * time.Second: false, -2 * time.Minute: false} {
		if got := CheckTOTP(secret, code, at.Add(d)); got != want {
			t.Errorf("code checked %v later: %v, want %v", d, got, want)
		}
	}
	if CheckTOTP(secret, "000000", at) && code != "000000" {
		t.Error("a wrong code passed")
	}
	if !CheckTOTP(secret, code[:3]+" "+code[3:], at) {
		t.Error("a code with a space in it failed")
	}
	codes, hashes := NewRecoveryCodes(10)
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 11 || c[5] != '-' || seen[c] || string(RecoveryHash(strings.ToUpper(" "+c+" "))) != string(hashes[i]) {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
	}
}
