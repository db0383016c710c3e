package sso

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/foyerhq/foyer"
)

// The presets' issuers. Microsoft's names the directory (tenant) by its ID.
const (
	GoogleIssuer    = "https://accounts.google.com"
	MicrosoftIssuer = "https://login.microsoftonline.com/%s/v2.0"
)

// Config is one provider as the operator configures it.
type Config struct {
	// ID names the provider in URLs (/login/sso/ID): lower-case letters,
	// digits and dashes.
	ID string
	// Name is what the buttons say ("Sign in with Name"); the preset's
	// name, or the ID, when empty.
	Name string
	// Preset is "google", "microsoft" or "" for any issuer; a provider with
	// the ID google or microsoft gets that preset unless it names another.
	Preset string
	// Issuer is the provider's issuer URL; the presets set it.
	Issuer string
	// Tenant is the Microsoft directory (tenant) ID, a GUID.
	Tenant       string
	ClientID     string
	ClientSecret string
}

// specKeys are the keys of ParseSpec's form.
var specKeys = []string{"id", "name", "preset", "issuer", "tenant", "client-id", "client-secret", "client-secret-file"}

var (
	// keyRE matches what may be a mistyped key, which an error may repeat;
	// anything else may be part of a secret.
	keyRE  = regexp.MustCompile(`^[a-z][a-z-]{0,31}$`)
	idRE   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`)
	guidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// ParseSpec reads one provider from the --sso flag's form, comma-separated
// KEY=VALUE pairs: id, name, preset, issuer, tenant, client-id,
// client-secret and client-secret-file (a file holding the secret, read
// now). It checks and completes the result as Resolve does; EINVALID for a
// bad spec. Its messages never repeat a secret.
func ParseSpec(spec string) (Config, error) {
	var c Config
	seen := map[string]bool{}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, ok := strings.Cut(part, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso: want KEY=VALUE pairs separated by commas, got a part without = "+
				"(a client secret with a comma belongs in client-secret-file)")
		}
		if !slices.Contains(specKeys, key) {
			if keyRE.MatchString(key) {
				return Config{}, foyer.Errorf(foyer.EINVALID, "sso: unknown key %q: want %s", key, strings.Join(specKeys, ", "))
			}
			// Perhaps the end of a client secret that holds a comma: not repeated.
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso: a part has an unknown key: want %s "+
				"(a client secret with a comma belongs in client-secret-file)", strings.Join(specKeys, ", "))
		}
		if seen[key] {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso: %q given twice", key)
		}
		seen[key] = true
		if seen["client-secret"] && seen["client-secret-file"] {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso: give client-secret or client-secret-file, not both")
		}
		switch key {
		case "id":
			c.ID = value
		case "name":
			c.Name = value
		case "preset":
			c.Preset = value
		case "issuer":
			c.Issuer = value
		case "tenant":
			c.Tenant = value
		case "client-id":
			c.ClientID = value
		case "client-secret":
			c.ClientSecret = value
		case "client-secret-file":
			b, err := os.ReadFile(value)
			if err != nil {
				return Config{}, foyer.Errorf(foyer.EINVALID, "sso: client-secret-file: %v", err)
			}
			c.ClientSecret = strings.TrimSpace(string(b))
		}
	}
	return c.Resolve()
}

// Resolve checks c and fills in what its preset implies: the issuer and
// the name. EINVALID names what is wrong.
func (c Config) Resolve() (Config, error) {
	if !idRE.MatchString(c.ID) {
		return Config{}, foyer.Errorf(foyer.EINVALID, "sso: id %q: want 1 to 32 lower-case letters, digits or dashes, such as google", c.ID)
	}
	if c.Preset == "" && (c.ID == "google" || c.ID == "microsoft") {
		c.Preset = c.ID
	}
	name := c.ID
	switch c.Preset {
	case "google":
		if c.Issuer != "" && c.Issuer != GoogleIssuer {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: the google preset's issuer is %s; leave issuer out", c.ID, GoogleIssuer)
		}
		if c.Tenant != "" {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: tenant is for the microsoft preset", c.ID)
		}
		c.Issuer, name = GoogleIssuer, "Google"
	case "microsoft":
		t := strings.ToLower(c.Tenant)
		switch {
		case t == "common" || t == "organizations" || t == "consumers":
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: tenant %q is not accepted: its tokens come from each user's own directory, "+
				"so Foyer could not check their issuer; give your directory (tenant) ID", c.ID, c.Tenant)
		case !guidRE.MatchString(t):
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: tenant %q: want the directory (tenant) ID, a GUID such as "+
				"72f988bf-86f1-41af-91ab-2d7cd011db47 (a domain name is not the issuer Microsoft puts in its tokens)", c.ID, c.Tenant)
		}
		issuer := fmt.Sprintf(MicrosoftIssuer, t)
		if c.Issuer != "" && c.Issuer != issuer {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: the microsoft preset's issuer follows from the tenant; leave issuer out", c.ID)
		}
		c.Issuer, c.Tenant, name = issuer, t, "Microsoft"
	case "":
		if c.Tenant != "" {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: tenant is for the microsoft preset", c.ID)
		}
		if err := checkIssuer(c.Issuer); err != nil {
			return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: issuer %q: %v", c.ID, c.Issuer, err)
		}
	default:
		return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: preset %q: want google or microsoft, or none with an issuer URL", c.ID, c.Preset)
	}
	if c.Name == "" {
		c.Name = name
	}
	if c.ClientID == "" {
		return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: client-id is missing", c.ID)
	}
	if c.ClientSecret == "" {
		return Config{}, foyer.Errorf(foyer.EINVALID, "sso %s: client-secret (or client-secret-file) is missing", c.ID)
	}
	return c, nil
}

// checkIssuer accepts an https URL, or an http one on the loopback
// interface (for tests and development), with no query or fragment.
func checkIssuer(s string) error {
	if s == "" {
		return fmt.Errorf("missing: give issuer=URL, or preset=google or microsoft")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want a URL such as https://id.example.com")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || net.ParseIP(h).IsLoopback() {
			return nil
		}
	}
	return fmt.Errorf("want https (http only on localhost)")
}
