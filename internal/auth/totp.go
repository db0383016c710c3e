package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/url"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// NewTOTPSecret makes a base32 TOTP secret.
func NewTOTPSecret() (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Foyer", AccountName: "foyer"})
	if err != nil {
		return "", err
	}
	return key.Secret(), nil
}

// TOTPURI is the otpauth:// address of an account's secret, which an
// authenticator app reads (typed, or from a QR code).
func TOTPURI(account, secret string) string {
	return (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/Foyer:" + account,
		RawQuery: url.Values{"issuer": {"Foyer"}, "secret": {secret}}.Encode()}).String()
}

// totpPeriod is the length of a TOTP time step, in seconds.
const totpPeriod = 30

// CheckTOTP reports whether code is the secret's code at t, or one step
// (30 s) before or after, to allow for clocks that drift.
func CheckTOTP(secret, code string, t time.Time) bool {
	_, ok := MatchTOTP(secret, code, t)
	return ok
}

// MatchTOTP returns the time step (30 s since the epoch) whose code of the
// secret code is, among the step of t and the one before and after it,
// and whether it is one. A caller that keeps the last step it accepted
// refuses a code of that step or an earlier one: a code works once.
func MatchTOTP(secret, code string, t time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	now := t.Unix() / totpPeriod
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, step := range []int64{now - 1, now, now + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// TOTPCode returns the secret's code at t (for tests and tools).
func TOTPCode(secret string, t time.Time) (string, error) { return totp.GenerateCode(secret, t) }

// NewRecoveryCodes returns n one-time codes, as "xxxxx-xxxxx", and the
// hashes to store.
func NewRecoveryCodes(n int) (codes []string, hashes [][]byte) {
	for range n {
		b := foyer.RandomText(10)
		c := b[:5] + "-" + b[5:]
		codes = append(codes, c)
		hashes = append(hashes, RecoveryHash(c))
	}
	return codes, hashes
}

// RecoveryHash is the stored form of a recovery code, as typed with any
// case, spaces or dashes.
func RecoveryHash(code string) []byte {
	c := strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code)))
	h := sha256.Sum256([]byte("foyer-recovery:" + c))
	return h[:]
}
