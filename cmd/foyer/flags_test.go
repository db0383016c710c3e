package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSSOFlagKeepsSecrets runs foyer serve with malformed --sso values and
// FOYER_SSO variables that hold a client secret: the command fails, says
// where the bad value came from and what is wrong, and never prints the
// secret. (The flag package prints a refused value whole: invalid value
// "…" for flag -sso.) It sets environment variables, so it is not parallel.
func TestSSOFlagKeepsSecrets(t *testing.T) {
	const secret = "TOP-SECRET-4f9c2a"
	good := "id=google,client-id=g.apps,client-secret=" + secret
	file := filepath.Join(t.TempDir(), "sso")
	// Were a value parsed by mistake, the server would stop at this database.
	base := []string{"serve", "--listen", "127.0.0.1:0", "--db", "nope:"}
	for _, c := range []struct {
		name     string
		args     []string
		env, val string // a variable and its value, or the FOYER_SSO_FILE's content
		want     string
	}{
		{name: "a part without =", args: []string{"--sso", good + ",bogus"},
			want: "--sso: sso: want KEY=VALUE pairs separated by commas, got a part without ="},
		{name: "--sso= form", args: []string{"--sso=id=corp,client-id=c,client-secret=" + secret},
			want: `--sso: sso corp: issuer "": missing: give issuer=URL`},
		{name: "a bad id", args: []string{"-sso", "id=Corp,issuer=https://id.corp.example,client-id=c,client-secret=" + secret},
			want: `--sso: sso: id "Corp": want 1 to 32 lower-case letters`},
		{name: "the second of two", args: []string{"--sso", good, "--sso", "id=corp,client-id=c,client-secret=" + secret + ",scope=openid"},
			want: `--sso: sso: unknown key "scope"`},
		{name: "a secret with a comma", args: []string{"--sso", "id=corp,client-id=c,client-secret=abc," + secret + "=x"},
			want: "--sso: sso: a part has an unknown key"},
		{name: "FOYER_SSO", env: "FOYER_SSO", val: good + "\nid=microsoft,client-id=c,client-secret=" + secret,
			want: "FOYER_SSO: sso microsoft: tenant \"\": want the directory (tenant) ID"},
		{name: "FOYER_SSO_FILE", env: "FOYER_SSO_FILE", val: "# providers\n" + good + ";id=corp,client-id=c,client-secret=" + secret + ",x",
			want: "FOYER_SSO_FILE: sso: want KEY=VALUE pairs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			switch c.env {
			case "FOYER_SSO":
				t.Setenv(c.env, c.val)
			case "FOYER_SSO_FILE":
				if err := os.WriteFile(file, []byte(c.val), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv(c.env, file)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(base, c.args...), &stdout, &stderr)
			out := stdout.String() + stderr.String()
			if code == 0 || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want an error saying %q:\n%s", code, c.want, out)
			}
			if strings.Contains(out, secret) {
				t.Errorf("the output shows the secret:\n%s", out)
			}
		})
	}
}
