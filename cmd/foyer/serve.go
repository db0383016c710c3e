package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/hubspot"
	"github.com/foyerhq/foyer/internal/ipdata"
	"github.com/foyerhq/foyer/internal/queue"
	"github.com/foyerhq/foyer/internal/wikidata"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := app.Config{CommitTimeout: collect.DefaultCommitTimeout}
	var demo bool
	var logFormat string
	fs := newFlagSet("serve", "", stderr)
	fs.StringVar(&cfg.Listen, "listen", defaultListen, "address to listen on (the printed links use the address it resolves to)")
	fs.StringVar(&cfg.DB, "db", defaultDB, "database: sqlite:PATH or postgres://USER@HOST/DB")
	fs.BoolVar(&demo, "demo", false, "create a demo workspace with site key \"demo\" for localhost if none exists")
	fs.StringVar(&cfg.TrustedProxy, "trusted-proxy", "", "comma-separated CIDRs of proxies whose X-Forwarded-For/Forwarded headers are believed")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", 20, "requests per second one client may send to /collect (bursts of 5×); 0 for no limit")
	fs.Var(durationFlag{&cfg.CommitTimeout}, "commit-timeout", "how long a /collect request waits for its batch's commit before it gets 503 (the batch may still be stored), "+
		"and how long a commit may run before /readyz fails")
	fs.IntVar(&cfg.CommitQueue, "commit-queue", collect.DefaultQueueLimit, "how many batches may wait for a commit; past it /collect answers 503 at once")
	var noEnrich bool
	fs.BoolVar(&noEnrich, "no-enrich", false, "do not look companies up in Wikidata (open data: a company's name, website, industry, size, LinkedIn page); "+
		"Foyer sends Wikidata only an organisation's domain or name")
	fs.StringVar(&cfg.WikidataAPI, "wikidata-api", wikidata.DefaultBaseURL, "Wikidata's address, for company enrichment")
	fs.StringVar(&cfg.HubSpotAPI, "hubspot-api", hubspot.DefaultBaseURL, "HubSpot's API address, for the HubSpot connector (a proxy, or a test server)")
	fs.StringVar(&cfg.SQLiteSync, "sqlite-sync", "full", "SQLite synchronous mode: full (a commit survives power loss) or normal (survives a crash of Foyer)")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.DebugListen, "debug-listen", "", "address for Go profiling endpoints (/debug/pprof/); keep it private")
	fs.Var(&ssoFlag{list: &cfg.SSO}, "sso", "a single sign-on provider, repeatable: id=google,client-id=ID,client-secret-file=PATH "+
		"(keys: id, name, preset, issuer, tenant, client-id, client-secret, client-secret-file; see README); "+
		"FOYER_SSO / FOYER_SSO_FILE hold one a line")
	fs.StringVar(&cfg.PublicURL, "public-url", "", "the address users reach Foyer at (https://foyer.example.com), from which every link Foyer shows or mails is made (setup, invitations, resets, snippets, single sign-on); default: each request's Host header")
	fs.StringVar(&cfg.KeyFile, "key-file", "", "the master key that encrypts contacts' personal data; created on a new database's first start "+
		"(back it up apart from the database); default: master.key beside an SQLite database, else ./foyer-data/master.key")
	var noBackups bool
	fs.StringVar(&cfg.BackupDir, "backup-dir", defaultBackupDir, "where the scheduled backups go (encrypted under a key derived from the master key)")
	fs.BoolVar(&noBackups, "no-backups", false, "take no scheduled backups (foyer backup create still works)")
	fs.IntVar(&cfg.BackupKeep.Hourly, "backup-hourly", backup.DefaultRetention.Hourly, "how many hourly backups to keep; 0: none")
	fs.IntVar(&cfg.BackupKeep.Daily, "backup-daily", backup.DefaultRetention.Daily, "how many daily backups to keep; 0: none")
	fs.IntVar(&cfg.BackupKeep.Weekly, "backup-weekly", backup.DefaultRetention.Weekly, "how many weekly backups to keep; 0: none")
	s3Flags(fs, &cfg.BackupS3)
	cfg.AuditRetention = foyer.AuditRetention
	fs.Var(durationFlag{&cfg.AuditRetention}, "audit-retention", "how long audit log entries are kept (730d: two years); older ones are deleted daily, the chain staying verifiable")
	smtpFlags(fs, &cfg.SMTP)
	fs.StringVar(&cfg.EmailScannerAgents, "email-scanner-agents", "", "a file of user agent parts (one a line, # for comments) of mail scanners and link checkers, "+
		"whose opens and clicks of campaign emails are counted apart; added to Foyer's own list")
	fs.StringVar(&cfg.EmailGateways, "email-gateways", "", "comma-separated CIDRs of mail-security gateways, whose opens and clicks of campaign emails are counted apart "+
		"(the address is compared in memory, never stored)")
	fs.BoolVar(&cfg.AutomationsAllowPrivate, "automations-allow-private", false, "let automation webhooks call private and loopback addresses "+
		"(a receiver on this machine or the inside network); refused by default")
	fs.StringVar(&cfg.Queue.URL, "queue", "", "NATS JetStream to carry accepted batches to workers (nats://HOST:4222, or several comma-separated): "+
		"the collector answers after JetStream's acknowledgement, and workers store the batches; default: none, the collector stores them itself")
	fs.StringVar(&cfg.Queue.Stream, "queue-stream", queue.DefaultStream, "the JetStream stream's name (created or updated at start; its subject is the name in lower case, dots for underscores)")
	fs.IntVar(&cfg.Queue.Replicas, "queue-replicas", queue.DefaultReplicas, "the stream's replicas in a JetStream cluster (3 for a cluster of 3)")
	var role string
	fs.StringVar(&role, "role", string(app.RoleAll), "what this process runs, with --queue: all (web app, collector, a worker and the background jobs), "+
		"collector (only /collect, /t.js, /healthz, /readyz, /metrics) or worker (only the queue's consumer, with /healthz, /readyz, /metrics)")
	ipdir := ipdataFlag(fs)
	rdns := fs.Bool("rdns", false, "look up reverse DNS (asynchronously, cached by /24 or /48) for a domain hint of companies the IP data gives none")
	rdnsServer := fs.String("rdns-server", "", "DNS server host:port for --rdns (default: the system's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg.Enrich = !noEnrich
	cfg.Role = app.Role(role)
	if cfg.Queue.Replicas <= 0 {
		return foyer.Errorf(foyer.EINVALID, "--queue-replicas: want 1 or more")
	}
	if k := cfg.BackupKeep; noBackups || k == (backup.Retention{}) {
		cfg.BackupDir = ""
	} else if k.Hourly < 0 || k.Daily < 0 || k.Weekly < 0 {
		return foyer.Errorf(foyer.EINVALID, "--backup-hourly, --backup-daily and --backup-weekly: want 0 or more")
	}
	if cfg.BackupS3.Enabled() && cfg.BackupDir == "" {
		return foyer.Errorf(foyer.EINVALID, "--backup-s3-…: the bucket gets copies of the scheduled backups, and --no-backups (or 0 of every kind) takes none")
	}
	if cfg.CommitTimeout <= 0 || cfg.CommitQueue <= 0 {
		return foyer.Errorf(foyer.EINVALID, "--commit-timeout and --commit-queue: want more than 0")
	}
	var err error
	if cfg.Log, err = newLogger(logFormat, stderr); err != nil {
		return err
	}
	res := ipdata.NewResolver(filepath.Join(*ipdir, ipdata.FileName))
	loadIPData(res, cfg.Log)
	if *rdns {
		d := ipdata.NewRDNS(ipdata.RDNSOptions{Server: *rdnsServer})
		defer d.Close()
		res.UseRDNS(d)
	}
	cfg.Resolver = res
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-hup:
				loadIPData(res, cfg.Log)
			case <-ctx.Done():
				return
			}
		}
	}()
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	var site *foyer.Site
	var orphan *foyer.Workspace // the demo's workspace, when nobody can see it
	if demo {
		if site, err = ensureDemo(ctx, a.Store); err == nil {
			orphan, err = demoOrphaned(ctx, a.Store, site)
		}
		if err != nil {
			a.Close()
			return err
		}
	}
	return a.Run(ctx, func(addr net.Addr) {
		if orphan != nil {
			fmt.Fprintf(stdout, "The demo site (key %q) is in workspace %q, which has no member: nobody can see what it collects.\n"+
				"Give someone a role in it: foyer user add --workspace %q --email ADDRESS\n\n", site.Key, orphan.Name, orphan.Name)
		} else if site != nil {
			fmt.Fprintf(stdout, "Demo site ready (key %q, pages on %v, any port). Put this on a page:\n\n"+
				"  <script defer src=\"http://%s/t.js\" data-site=\"%s\"></script>\n\n"+
				"Export what arrived: foyer export events --site %s\n\n", site.Key, site.Hostnames, addr, site.Key, site.Key)
		}
	})
}

// loadIPData puts the table file in service, or logs why the one in
// service (if any) stays.
func loadIPData(res *ipdata.Resolver, log *slog.Logger) {
	t, err := res.Load()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		log.Warn("no IP data table: every visit's company is unknown; run `make run`, or scripts/fetch-ipdata and `foyer ipdata import`",
			"path", res.Path())
	case err != nil:
		msg := "IP data table not loaded; the previous one stays in service"
		if res.Table() == nil {
			msg = "IP data table not loaded; every visit's company is unknown"
		}
		log.Error(msg, "path", res.Path(), "err", err)
	default:
		info := t.Info()
		log.Info("IP data table loaded", "path", res.Path(), "built", info.BuiltAt,
			"ranges_v4", info.Ranges4, "ranges_v6", info.Ranges6, "records", info.Records)
	}
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, foyer.Errorf(foyer.EINVALID, "--log-format %q: want text or json", format)
}

// workspaceNamed returns the named workspace, creating it when it does not
// exist; created says whether it did.
func workspaceNamed(ctx context.Context, st foyer.WorkspaceService, name string) (w *foyer.Workspace, created bool, err error) {
	name = strings.TrimSpace(name)
	w, err = st.WorkspaceByName(ctx, name)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		w, created = &foyer.Workspace{Name: name}, true
		err = st.CreateWorkspace(ctx, w)
	}
	if err != nil {
		return nil, false, err
	}
	return w, created, nil
}

// demoOrphaned returns the demo site's workspace when users exist but none
// is a member of it, so that nobody can sign in to see it; nil otherwise
// (before the first owner, the setup page offers it).
func demoOrphaned(ctx context.Context, st foyer.Store, site *foyer.Site) (*foyer.Workspace, error) {
	if has, err := st.HasUsers(ctx); err != nil || !has {
		return nil, err
	}
	members, err := st.Members(ctx, site.WorkspaceID)
	if err != nil || len(members) > 0 {
		return nil, err
	}
	return st.WorkspaceByID(ctx, site.WorkspaceID)
}

// ensureDemo creates the demo workspace and site unless they exist.
func ensureDemo(ctx context.Context, st foyer.Store) (*foyer.Site, error) {
	site, err := st.SiteByKey(ctx, "demo")
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		w, _, werr := workspaceNamed(ctx, st, "Demo")
		if werr != nil {
			return nil, werr
		}
		site = &foyer.Site{WorkspaceID: w.ID, Key: "demo", Name: "Demo site",
			Hostnames: []string{"localhost", "127.0.0.1"}, HonorGPC: true}
		err = st.CreateSite(ctx, site)
	}
	if err != nil {
		return nil, err
	}
	return site, nil
}

// runWorker is `foyer serve --role worker`: a queue worker, with /healthz,
// /readyz and /metrics on its listen address.
func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runServe(ctx, append([]string{"--role", string(app.RoleWorker)}, args...), stdout, stderr)
}
