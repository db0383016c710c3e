package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/foyerhq/foyer/internal/sso"
)

const defaultDB = "sqlite:./foyer-data/foyer.db"

func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("foyer "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: foyer %s [flags] %s\n\nFlags (each also read from its FOYER_… environment variable):\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// envName is the environment twin of a flag: --trusted-proxy is FOYER_TRUSTED_PROXY.
func envName(flagName string) string {
	return "FOYER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args, then fills every flag not given on the command line
// from its environment twin, or from the file its …_FILE twin names (for
// secrets). Flags win over the environment.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		v, ok := os.LookupEnv(envName(f.Name))
		_, secret := f.Value.(secretValue)
		if !ok {
			secret = true // a …_FILE holds a secret
			path, fok := os.LookupEnv(envName(f.Name) + "_FILE")
			if !fok {
				return
			}
			b, rerr := os.ReadFile(path)
			if rerr != nil {
				err = fmt.Errorf("%s_FILE: %w", envName(f.Name), rerr)
				return
			}
			v = strings.TrimSpace(string(b))
		}
		if serr := f.Value.Set(v); serr != nil && secret {
			err = fmt.Errorf("%s: %w", envName(f.Name), serr) // without the value
		} else if serr != nil {
			err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, serr)
		}
	})
	return err
}

// dbFlag adds the --db flag every storage command shares.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", defaultDB, "database: sqlite:PATH or postgres://USER@HOST/DB")
}

// durationFlag accepts Go durations plus a "d" suffix for days (30d).
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || n < 0 {
			return fmt.Errorf("bad duration %q", s)
		}
		*f.d = time.Duration(n) * 24 * time.Hour
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}

// secretValue is a flag value that may hold a secret, which error
// messages must not repeat.
type secretValue interface{ holdsSecret() }

// ssoFlag collects --sso providers. One value may hold several, one a line
// or separated by semicolons (as FOYER_SSO or the FOYER_SSO_FILE file
// does); lines starting with # are skipped.
type ssoFlag struct{ list *[]sso.Config }

func (ssoFlag) holdsSecret() {}

func (f ssoFlag) String() string {
	if f.list == nil {
		return ""
	}
	var ids []string
	for _, c := range *f.list {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, ",")
}

func (f ssoFlag) Set(v string) error {
	for _, spec := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ';' }) {
		if spec = strings.TrimSpace(spec); spec == "" || strings.HasPrefix(spec, "#") {
			continue
		}
		c, err := sso.ParseSpec(spec)
		if err != nil {
			return err
		}
		*f.list = append(*f.list, c)
	}
	return nil
}
