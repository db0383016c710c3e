package sso

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

func TestParseSpec(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	for _, c := range []struct {
		spec string
		want Config
	}{
		{"id=google,client-id=g.apps,client-secret=GOCSPX-1",
			Config{ID: "google", Name: "Google", Preset: "google", Issuer: GoogleIssuer, ClientID: "g.apps", ClientSecret: "GOCSPX-1"}},
		{" id = google , client-id=g.apps, client-secret-file=" + secretFile + ", name=Google Workspace ",
			Config{ID: "google", Name: "Google Workspace", Preset: "google", Issuer: GoogleIssuer, ClientID: "g.apps", ClientSecret: "from-a-file"}},
		{"id=microsoft,tenant=" + strings.ToUpper(tenant) + ",client-id=app,client-secret=x~y.z",
			Config{ID: "microsoft", Name: "Microsoft", Preset: "microsoft", Tenant: tenant,
				Issuer: "https://login.microsoftonline.com/" + tenant + "/v2.0", ClientID: "app", ClientSecret: "x~y.z"}},
		{"id=contoso,preset=microsoft,name=Contoso,tenant=" + tenant + ",client-id=app,client-secret=s",
			Config{ID: "contoso", Name: "Contoso", Preset: "microsoft", Tenant: tenant,
				Issuer: "https://login.microsoftonline.com/" + tenant + "/v2.0", ClientID: "app", ClientSecret: "s"}},
		{"id=corp,issuer=https://id.corp.example/realms/staff,client-id=foyer,client-secret=s=with=equals",
			Config{ID: "corp", Name: "corp", Issuer: "https://id.corp.example/realms/staff", ClientID: "foyer", ClientSecret: "s=with=equals"}},
		{"id=dev,issuer=http://127.0.0.1:5556/dex,client-id=foyer,client-secret=s",
			Config{ID: "dev", Name: "dev", Issuer: "http://127.0.0.1:5556/dex", ClientID: "foyer", ClientSecret: "s"}},
		{"id=dev,issuer=http://localhost:8081,client-id=foyer,client-secret=s",
			Config{ID: "dev", Name: "dev", Issuer: "http://localhost:8081", ClientID: "foyer", ClientSecret: "s"}},
	} {
		got, err := ParseSpec(c.spec)
		if err != nil || got != c.want {
			t.Errorf("ParseSpec(%q) = %+v, %v\nwant %+v", c.spec, got, err, c.want)
		}
	}
}

func TestParseSpecRefuses(t *testing.T) {
	t.Parallel()
	const secret = "TOP-SECRET-VALUE"
	for _, c := range []struct{ spec, want string }{
		{"", "id"},
		{"id=Google,client-id=c,client-secret=" + secret, "id"},
		{"id=a_b,issuer=https://x.example,client-id=c,client-secret=" + secret, "id"},
		{"id=google,client-secret=" + secret, "client-id"},
		{"id=google,client-id=c", "client-secret"},
		{"id=google,client-id=c,client-secret=" + secret + ",client-secret-file=/nonexistent", "not both"},
		{"id=google,client-id=c,client-secret-file=/nonexistent/secret", "client-secret-file"},
		{"id=google,issuer=https://evil.example,client-id=c,client-secret=" + secret, "leave issuer out"},
		{"id=google,tenant=x,client-id=c,client-secret=" + secret, "tenant"},
		{"id=microsoft,client-id=c,client-secret=" + secret, "tenant"},
		{"id=microsoft,tenant=common,client-id=c,client-secret=" + secret, "not accepted"},
		{"id=microsoft,tenant=organizations,client-id=c,client-secret=" + secret, "not accepted"},
		{"id=microsoft,tenant=contoso.onmicrosoft.com,client-id=c,client-secret=" + secret, "GUID"},
		{"id=microsoft,tenant=72f988bf-86f1-41af-91ab-2d7cd011db47,issuer=https://login.microsoftonline.com/common/v2.0,client-id=c,client-secret=" + secret, "leave issuer out"},
		{"id=corp,client-id=c,client-secret=" + secret, "issuer"},
		{"id=corp,issuer=http://id.corp.example,client-id=c,client-secret=" + secret, "https"},
		{"id=corp,issuer=https://id.corp.example?x=1,client-id=c,client-secret=" + secret, "URL"},
		{"id=corp,issuer=id.corp.example,client-id=c,client-secret=" + secret, "URL"},
		{"id=corp,issuer=https://id.corp.example,tenant=t,client-id=c,client-secret=" + secret, "tenant"},
		{"id=corp,preset=okta,issuer=https://id.corp.example,client-id=c,client-secret=" + secret, "preset"},
		{"id=corp,issuer=https://id.corp.example,client-id=c,client-secret=" + secret + ",scope=x", "unknown key"},
		{"id=corp,id=other,issuer=https://id.corp.example,client-id=c,client-secret=" + secret, "twice"},
		{"id=corp,issuer=https://id.corp.example,client-id=c," + secret, "KEY=VALUE"},
		// A secret that holds a comma: its end is not repeated as a key.
		{"id=corp,issuer=https://id.corp.example,client-id=c,client-secret=abc," + secret + "=x", "client-secret-file"},
		{"id=corp,issuer=https://id.corp.example,client-id=c,client-secret=abc," + secret + "=x,client-secret=y", "client-secret-file"},
	} {
		_, err := ParseSpec(c.spec)
		if foyer.ErrorCode(err) != foyer.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseSpec(%q): %v, want EINVALID saying %q", c.spec, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("ParseSpec(%q): the error shows the secret: %v", c.spec, err)
		}
	}
}

func TestNewAll(t *testing.T) {
	t.Parallel()
	g := Config{ID: "google", ClientID: "c", ClientSecret: "s"}
	ps, err := NewAll([]Config{g, {ID: "corp", Issuer: "https://id.corp.example", ClientID: "c", ClientSecret: "s"}}, nil)
	if err != nil || len(ps) != 2 || ps[0].ID() != "google" || ps[0].Name() != "Google" || ps[0].Issuer() != GoogleIssuer || ps[1].Name() != "corp" {
		t.Errorf("NewAll: %v, %v", ps, err)
	}
	if _, err := NewAll([]Config{g, g}, nil); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("an ID twice: %v", err)
	}
}
