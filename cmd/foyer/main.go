// Command foyer is Foyer's one binary: the server and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// The zone database, so that users' time zones work on machines
	// without one (a scratch container); about 450 KB.
	_ "time/tzdata"

	"github.com/foyerhq/foyer"
)

// command is one subcommand of foyer.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the server: tracker, collector, dashboard", runServe},
		{"worker", "store the batches a queue carries (serve --role worker; needs --queue)", runWorker},
		{"migrate", "apply database migrations and exit", runMigrate},
		{"export", "write stored data as NDJSON (export events --site KEY)", runExport},
		{"ipdata", "compile, inspect and query the IP data table (import, info, lookup)", runIPData},
		{"user", "add a user to a workspace (user add)", runUser},
		{"token", "create an API token for a workspace (token create)", runToken},
		{"contacts", "import contacts with their tracking consent from CSV or NDJSON (contacts import)", runContacts},
		{"backup", "take, list, verify and restore encrypted backups (backup create|list|verify|restore)", runBackup},
		{"consent", "check the consent histories' hash chains (consent verify)", runConsent},
		{"audit", "check the audit logs' hash chains (audit verify)", runAudit},
		{"keys", "rotate the master key that encrypts contacts' personal data (keys rotate)", runKeys},
		{"loadgen", "drive /collect with synthetic traffic and report throughput", runLoadgen},
		{"seed", "fill a workspace with synthetic history (for the feed's benchmarks)", runSeed},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(stderr, "foyer %s: %s\n", c.name, describe(err))
		return 1
	}
	fmt.Fprintf(stderr, "foyer: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks an error already explained to the user by the flag package.
var errUsage = errors.New("usage")

func describe(err error) string {
	var fe *foyer.Error
	if errors.As(err, &fe) {
		return fe.Message
	}
	return err.Error()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Foyer: privacy-first B2B visitor intelligence.")
	fmt.Fprintln(w, "\nUsage: foyer COMMAND [flags]   (foyer COMMAND -h for its flags)")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "  help      show this list")
	fmt.Fprintln(w, "\nEvery flag has an environment twin: --db is FOYER_DB, --trusted-proxy is FOYER_TRUSTED_PROXY.")
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "foyer", foyer.Version)
	return nil
}
