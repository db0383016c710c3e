package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/sso"
)

const defaultDB = "sqlite:./foyer-data/foyer.db"

// defaultListen is serve's address, and the Makefile's LISTEN: an IP
// address rather than localhost, so that the address the server prints
// (the setup link, the snippet, the "listening" log) is the one a browser
// opens, and a session cookie made there is valid everywhere it is shown.
const defaultListen = "127.0.0.1:8080"

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
// secrets). Flags win over the environment. A value that may hold a secret
// (a secretValue) is never repeated in an error: the error names the flag
// or variable and what is wrong.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	set := map[string]bool{}
	var err error
	fs.Visit(func(f *flag.Flag) {
		set[f.Name] = true
		if err == nil {
			err = refused("--"+f.Name, f.Value)
		}
	})
	if err != nil {
		return err
	}
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		from := envName(f.Name)
		v, ok := os.LookupEnv(from)
		_, secret := f.Value.(secretValue)
		if !ok {
			secret = true // a …_FILE holds a secret
			from += "_FILE"
			path, fok := os.LookupEnv(from)
			if !fok {
				return
			}
			b, rerr := os.ReadFile(path)
			if rerr != nil {
				err = fmt.Errorf("%s: %w", from, rerr)
				return
			}
			v = strings.TrimSpace(string(b))
		}
		serr := f.Value.Set(v)
		switch {
		case serr == nil:
			err = refused(from, f.Value)
		case secret:
			err = foyer.Errorf(foyer.EINVALID, "%s: %s", from, foyer.ErrorMessage(serr)) // without the value
		default:
			err = fmt.Errorf("%s=%q: %w", from, v, serr)
		}
	})
	return err
}

// refused returns the error that a secretValue kept from its Set, as
// EINVALID naming where the value came from (--sso, FOYER_SSO …) and
// what is wrong, never the value; nil for any other value.
func refused(from string, v flag.Value) error {
	sv, ok := v.(secretValue)
	if !ok || sv.Err() == nil {
		return nil
	}
	return foyer.Errorf(foyer.EINVALID, "%s: %s", from, foyer.ErrorMessage(sv.Err()))
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

// secretValue is a flag value that may hold a secret. The flag package
// repeats a value that Set refuses in its message (invalid value "…" for
// flag -sso), so a secretValue's Set never fails: it keeps the first
// error, which Err returns, for parse to report without the value.
type secretValue interface {
	flag.Value
	Err() error
}

// ssoFlag collects --sso providers. One value may hold several, one a line
// or separated by semicolons (as FOYER_SSO or the FOYER_SSO_FILE file
// does); lines starting with # are skipped. It is a secretValue: a
// provider's spec may hold its client secret.
type ssoFlag struct {
	list *[]sso.Config
	err  error // the first spec refused
}

func (f *ssoFlag) String() string {
	if f.list == nil {
		return ""
	}
	var ids []string
	for _, c := range *f.list {
		ids = append(ids, c.ID)
	}
	return strings.Join(ids, ",")
}

// Set adds the providers of v; it keeps the first error for Err and never
// returns one.
func (f *ssoFlag) Set(v string) error {
	if f.err != nil {
		return nil
	}
	for _, spec := range strings.FieldsFunc(v, func(r rune) bool { return r == '\n' || r == ';' }) {
		if spec = strings.TrimSpace(spec); spec == "" || strings.HasPrefix(spec, "#") {
			continue
		}
		c, err := sso.ParseSpec(spec)
		if err != nil {
			f.err = err
			return nil
		}
		*f.list = append(*f.list, c)
	}
	return nil
}

// Err returns the error of the first spec Set refused.
func (f *ssoFlag) Err() error { return f.err }

// noSubcommand answers a command called without one of its subcommands:
// it prints the command's usage to stderr, and returns flag.ErrHelp when
// help was asked for (exit 0), else errUsage (exit 2).
func noSubcommand(args []string, usage string, stderr io.Writer) error {
	fmt.Fprint(stderr, usage)
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		return flag.ErrHelp
	}
	return errUsage
}
