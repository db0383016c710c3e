package sso

import (
	"strings"
	"testing"
)

// FuzzParseSpec checks that any spec parses or fails cleanly, that a parsed
// one is complete and stable, and that no error repeats the secret.
func FuzzParseSpec(f *testing.F) {
	f.Add("id=google,client-id=g.apps,client-secret=GOCSPX-1")
	f.Fuzz(func(t *testing.T, spec string) {
		if strings.Contains(spec, "client-secret-file") {
			return // reads files
		}
		c, err := ParseSpec(spec)
		if err != nil {
			if secret := secretOf(spec); secret != "" && strings.Contains(err.Error(), secret) {
				t.Fatalf("the error shows the secret: %v", err)
			}
			return
		}
		if c.ID == "" || c.Name == "" || c.Issuer == "" || c.ClientID == "" || c.ClientSecret == "" {
			t.Fatalf("incomplete: %+v", c)
		}
		again, err := c.Resolve()
		if err != nil || again != c {
			t.Fatalf("resolved again: %+v, %v; was %+v", again, err, c)
		}
	})
}

// secretOf returns the value of the spec's client-secret when it is long
// enough to spot and appears nowhere else in the spec; "" otherwise.
func secretOf(spec string) string {
	parts := strings.Split(spec, ",")
	for i, part := range parts {
		k, v, ok := strings.Cut(part, "=")
		if v = strings.TrimSpace(v); !ok || strings.TrimSpace(k) != "client-secret" || len(v) < 4 {
			continue
		}
		rest := strings.Join(parts[:i], ",") + "," + strings.Join(parts[i+1:], ",")
		if !strings.Contains(rest, v) {
			return v
		}
	}
	return ""
}
