// Package app wires Foyer's parts into a running server: store, collector,
// group-commit writer, HTTP routes and metrics. The foyer command and the
// end-to-end tests build it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/alerts"
	"github.com/foyerhq/foyer/internal/automation"
	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/campaignsend"
	"github.com/foyerhq/foyer/internal/clientip"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/emailtrack"
	"github.com/foyerhq/foyer/internal/enrich"
	"github.com/foyerhq/foyer/internal/formlink"
	"github.com/foyerhq/foyer/internal/hubspot"
	"github.com/foyerhq/foyer/internal/importjob"
	"github.com/foyerhq/foyer/internal/ipdata"
	"github.com/foyerhq/foyer/internal/mailer"
	"github.com/foyerhq/foyer/internal/queue"
	"github.com/foyerhq/foyer/internal/retention"
	"github.com/foyerhq/foyer/internal/s3"
	"github.com/foyerhq/foyer/internal/segments"
	"github.com/foyerhq/foyer/internal/sso"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/vault"
	"github.com/foyerhq/foyer/internal/web"
	"github.com/foyerhq/foyer/internal/wikidata"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Config is everything a server is told.
type Config struct {
	Listen       string
	DB           string
	TrustedProxy string  // comma-separated CIDRs
	RateLimit    float64 // requests per second per client; 0: none
	SQLiteSync   string
	DebugListen  string         // address for Go's profiling endpoints; "": none
	Resolver     foyer.Resolver // nil: every address resolves to unknown
	Log          *slog.Logger
	// SSO lists the OpenID Connect providers users may sign in with.
	SSO []sso.Config
	// PublicURL is the address users reach Foyer at, such as
	// https://foyer.example.com; "" takes each request's Host.
	PublicURL string
	// SMTP is the relay that mails invitation and reset links and the
	// feed alerts; the zero value: none, the links are only shown to be
	// copied and the alert job does not run.
	SMTP mailer.Config
	// CommitTimeout is how long a /collect request waits for its batch's
	// commit before it is answered 503, and how long a commit may run
	// before /readyz fails; collect.DefaultCommitTimeout when 0.
	CommitTimeout time.Duration
	// CommitQueue bounds the batches waiting for a commit; past it
	// /collect answers 503 at once. collect.DefaultQueueLimit when 0.
	CommitQueue int
	// KeyFile is the master key's file (see internal/vault); DefaultKeyFile
	// of DB when "". Created on the first start of a database.
	KeyFile string
	// ImportDir holds the contact import pages' uploads, encrypted, while
	// they are previewed and imported: "imports" beside the master key
	// when "". Start-up deletes any a previous run left there.
	ImportDir string
	// SiteOrigin is where a contact's browser reaches a site's hostname in
	// the hosted opt-out's hop through the sites: https://HOST when nil.
	// Tests point it at a local server.
	SiteOrigin func(host string) string
	// HubSpotAPI is the address of HubSpot's API (hubspot.DefaultBaseURL
	// when ""), for the connector's recognition and imports.
	HubSpotAPI string
	// Enrich looks the companies up in Wikidata in the background, at
	// WikidataAPI (wikidata.DefaultBaseURL when ""); off when false.
	Enrich      bool
	WikidataAPI string
	// BackupDir, when not "", is where the scheduled backups go (hourly,
	// daily and weekly, kept to BackupKeep); "" schedules none.
	BackupDir  string
	BackupKeep backup.Retention
	// BackupS3, when Enabled, is the S3-compatible bucket that gets a copy
	// of every scheduled backup (the encrypted file only) and loses those
	// the schedule removes.
	BackupS3 s3.Config
	// AuditRetention is how long audit log entries are kept;
	// foyer.AuditRetention (2 years) when 0.
	AuditRetention time.Duration
	// RetentionDelay is the wait before the retention job's first run
	// after the start, RetentionInterval between its runs
	// (retention.DefaultDelay and DefaultInterval when 0).
	RetentionDelay, RetentionInterval time.Duration
	// EmailScannerAgents is a file of user agent parts, one a line, of
	// mail scanners whose opens and clicks are counted apart, besides
	// emailtrack.DefaultAgents; "" for none.
	EmailScannerAgents string
	// EmailGateways are comma-separated CIDRs of mail-security gateways,
	// whose opens and clicks are counted apart.
	EmailGateways string
	// AutomationsAllowPrivate lets the automations' webhooks call private
	// and loopback addresses (refused when false); AutomationsPoll is the
	// wait between the worker's passes (automation.DefaultPoll when 0).
	AutomationsAllowPrivate bool
	AutomationsPoll         time.Duration
	// AlertDelay is the wait before the alert job's first check after the
	// start, AlertInterval between its checks (alerts.DefaultDelay and
	// DefaultInterval when 0). The job runs only with an SMTP relay.
	AlertDelay, AlertInterval time.Duration
	// Now is the alert job's clock; time.Now when nil.
	Now func() time.Time
	// Queue, when its URL is set, carries accepted batches over NATS
	// JetStream to workers that store them (see internal/queue); the
	// collector then answers after JetStream's acknowledgement.
	Queue queue.Config
	// Role is what the process runs (RoleAll when ""): collector and
	// worker need Queue.
	Role Role
}

// App is a wired server.
type App struct {
	cfg     Config // PublicURL checked
	Store   *store.Store
	Keys    *vault.Keyring  // seals personal fields
	Writer  *collect.Writer // nil with a queue
	Handler http.Handler
	web     *web.Server
	imports *importjob.Manager
	log     *slog.Logger
	trusted []netip.Prefix // the trusted proxies, for the start log
	hubspot *collect.HubSpotResolver
	// stopEnrich ends the enricher, when it runs.
	stopEnrich context.CancelFunc
	// backups takes the scheduled backups; nil when none are.
	backups   *backup.Scheduler
	retention *retention.Job
	// emailEvents writes the campaigns' opens and clicks in batches.
	emailEvents *emailtrack.Writer
	automate    *automation.Worker
	// alerts mails the subscriptions to saved feeds; nil without a relay.
	alerts   *alerts.Job
	segments *segments.Job
	// campaigns sends the campaigns' delivery jobs; nil without a relay.
	campaigns *campaignsend.Sender
	// queued is the queue's part, when there is one (see queue.go).
	queued
}

// New opens the store (applying migrations) and wires the server. Close it
// with Shutdown, or with Close when it was never run.
func New(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if err := cfg.checkRole(); err != nil {
		return nil, err
	}
	trusted, err := clientip.ParsePrefixes(cfg.TrustedProxy)
	if err != nil {
		return nil, foyer.Errorf(foyer.EINVALID, "trusted proxy list: %v", err)
	}
	clientIP := clientip.Finder{Trusted: trusted}
	if cfg.PublicURL, err = checkPublicURL(cfg.PublicURL); err != nil {
		return nil, err
	}
	if cfg.PublicURL == "" {
		cfg.Log.Warn("no --public-url: the links Foyer shows and mails (invitations, password resets, tracker snippets, " +
			"single sign-on) follow the Host header of each request, which a client chooses; set --public-url (FOYER_PUBLIC_URL)")
	}
	gateways, err := clientip.ParsePrefixes(cfg.EmailGateways)
	if err != nil {
		return nil, foyer.Errorf(foyer.EINVALID, "email gateway list: %v", err)
	}
	var agents []string
	if cfg.EmailScannerAgents != "" {
		if agents, err = emailtrack.ReadAgents(cfg.EmailScannerAgents); err != nil {
			return nil, err
		}
	}
	var bucket *s3.Client
	if cfg.BackupS3.Enabled() {
		if cfg.BackupDir == "" {
			return nil, foyer.Errorf(foyer.EINVALID, "an S3 bucket for backups, but no scheduled backups to copy to it")
		}
		if bucket, err = s3.New(cfg.BackupS3); err != nil {
			return nil, err
		}
	}
	providers, err := sso.NewAll(cfg.SSO, nil)
	if err != nil {
		return nil, err
	}
	for _, p := range providers {
		base := cfg.PublicURL
		if base == "" {
			base = "(this server's address)"
		}
		cfg.Log.Info("single sign-on", "provider", p.ID(), "issuer", p.Issuer(), "redirect_url", web.RedirectURL(base, p))
	}
	var mail web.Mailer
	var relay *mailer.Mailer // sends campaigns as well
	if cfg.SMTP != (mailer.Config{}) {
		m, err := mailer.New(cfg.SMTP)
		if err != nil {
			return nil, err
		}
		mail, relay = m, m
		cfg.Log.Info("invitation and reset links are also mailed", "relay", cfg.SMTP.Addr)
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{SQLiteSync: cfg.SQLiteSync})
	if err != nil {
		return nil, err
	}
	if cfg.KeyFile == "" {
		cfg.KeyFile = DefaultKeyFile(cfg.DB)
	}
	keys, err := OpenKeys(ctx, st, cfg.KeyFile, cfg.Log)
	if err != nil {
		st.Close()
		return nil, err
	}
	st.UseKeys(keys)
	ledger := LedgerFile(cfg.KeyFile)
	if err := ReplayLedger(ctx, st, ledger, cfg.Log); err != nil {
		st.Close()
		return nil, err
	}
	st.UseLedgerFile(ledger)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newPeakRSSCollector())
	metrics := collect.NewMetrics(reg)
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "foyer_rollup_backlog_events",
		Help: "Stored events not yet folded into visit counters (an estimate).",
	}, func() float64 { return float64(st.Unrolled()) }))
	var qd queued
	var sink collect.Sink
	if cfg.Queue.URL != "" {
		// The workers catch up on the roll-up when they take the write lock.
		if qd, err = openQueue(ctx, cfg, st, reg, metrics.RollupTime); err != nil {
			st.Close()
			return nil, err
		}
		sink = qd.publisher
	}
	var writer *collect.Writer
	if qd.q == nil {
		// Catch up on what a previous run stored but did not roll up, before
		// the first batch has to wait for it.
		if _, err := st.RollupAll(ctx); err != nil {
			st.Close()
			return nil, err
		}
		writer = collect.NewWriter(st, collect.WriterConfig{Metrics: metrics, Log: cfg.Log,
			CommitTimeout: cfg.CommitTimeout, QueueLimit: cfg.CommitQueue})
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "foyer_commit_queue_batches",
			Help: "Batches waiting for a commit.",
		}, func() float64 { return float64(writer.Queued()) }))
		writer.Start()
		sink = writer
	}
	if cfg.Role == RoleWorker {
		return newWorkerApp(cfg, st, keys, reg, qd), nil
	}
	if cfg.HubSpotAPI == "" {
		cfg.HubSpotAPI = hubspot.DefaultBaseURL
	}
	hubspotResolver := collect.NewHubSpotResolver(collect.HubSpotConfig{
		Lookup: hubspotLookup(cfg.HubSpotAPI), Tokens: st, Matcher: st, Writer: sink, Log: cfg.Log, Metrics: metrics,
	})
	hubspotResolver.Start()
	handler := collect.NewHandler(collect.Config{
		Sites: st, Writer: sink, Resolver: cfg.Resolver, ClientIP: clientIP, Matcher: st, HubSpot: hubspotResolver,
		Metrics: metrics, Log: cfg.Log, RatePerClient: cfg.RateLimit, RateBurst: 5 * cfg.RateLimit,
	})
	if cfg.Role == RoleCollector {
		return newCollectorApp(cfg, st, keys, reg, qd, handler, hubspotResolver, trusted), nil
	}
	if cfg.ImportDir == "" {
		cfg.ImportDir = filepath.Join(filepath.Dir(cfg.KeyFile), "imports")
	}
	imports, err := importjob.NewManager(ctx, importjob.Config{Store: st, Dir: cfg.ImportDir, Log: cfg.Log})
	if err != nil {
		hubspotResolver.Stop(ctx)
		stopSink(ctx, writer, qd)
		st.Close()
		return nil, err
	}
	var backups *backup.Scheduler
	if cfg.BackupDir != "" {
		// The backups' key comes from the key file alone, so that a
		// backup opens without the database.
		master, err := vault.LoadMaster(cfg.KeyFile)
		if err != nil {
			imports.Close()
			hubspotResolver.Stop(ctx)
			stopSink(ctx, writer, qd)
			st.Close()
			return nil, err
		}
		backups = newBackupScheduler(cfg, master, reg, bucket)
	}
	emailEvents := emailtrack.NewWriter(st, cfg.Log)
	emailEvents.Start()
	srv := web.NewServer(web.Config{EmailEvents: emailEvents, EmailScanners: emailtrack.NewDetector(agents, gateways), Store: st, Collect: handler, Gatherer: reg, Log: cfg.Log, IPData: ipdataOf(cfg.Resolver),
		ClientIP: clientIP, SSO: providers, PublicURL: cfg.PublicURL, Mail: mail, Imports: imports,
		FormLinks: formlink.NewSigner(keys.Derive(formlink.Purpose)), AuditKey: keys.Derive(web.AuditKeyPurpose), SiteOrigin: cfg.SiteOrigin, HubSpotAPI: cfg.HubSpotAPI,
		BackupProblem: backupProblem(backups), Ready: qd.readyAll(st)})
	a := &App{cfg: cfg, Store: st, Keys: keys, Writer: writer, Handler: srv, web: srv, imports: imports, log: cfg.Log, trusted: trusted,
		hubspot: hubspotResolver, stopEnrich: func() {}, backups: backups, emailEvents: emailEvents, queued: qd}
	if cfg.Enrich {
		ectx, cancel := context.WithCancel(context.Background())
		a.stopEnrich = cancel
		e := &enrich.Enricher{Store: st, Source: wikidata.New(cfg.WikidataAPI), Log: cfg.Log}
		go e.Run(ectx)
	}
	if backups != nil {
		backups.Start()
	}
	a.retention = &retention.Job{Store: st, Metrics: retention.NewMetrics(reg), Log: cfg.Log,
		Delay: cfg.RetentionDelay, Interval: cfg.RetentionInterval, Audit: st, AuditKeep: cfg.AuditRetention, Batches: st}
	a.retention.Start()
	a.automate = &automation.Worker{Store: st, PublicURL: cfg.PublicURL, AllowPrivate: cfg.AutomationsAllowPrivate,
		Poll: cfg.AutomationsPoll, Log: cfg.Log, Metrics: automation.NewMetrics(reg)}
	if mail != nil {
		a.automate.Mail = mail
	}
	a.automate.Start()
	if mail != nil {
		a.alerts = &alerts.Job{Store: st, Mail: mail, Query: web.SavedFeedQuery, CountryName: web.CountryName,
			BaseURL: cfg.PublicURL, Now: cfg.Now, Log: cfg.Log, Delay: cfg.AlertDelay, Interval: cfg.AlertInterval}
		a.alerts.Start()
	}
	a.segments = &segments.Job{Store: st, Log: cfg.Log}
	a.segments.Start()
	if relay != nil {
		a.campaigns = &campaignsend.Sender{Store: st, Mail: relay, Now: cfg.Now, Log: cfg.Log}
		a.campaigns.Start()
	}
	return a, nil
}

// hubspotLookup asks HubSpot's API at base which contact a user token
// belongs to.
func hubspotLookup(base string) collect.HubSpotLookup {
	return func(ctx context.Context, token, utk string) (string, string, bool, error) {
		c := hubspot.New(token)
		c.BaseURL = base
		hc, err := c.ContactByUTK(ctx, utk)
		if errors.Is(err, hubspot.ErrNotFound) {
			return "", "", false, nil
		}
		if err != nil {
			return "", "", false, err
		}
		return hc.ID, hc.Email, true, nil
	}
}

// checkPublicURL returns the public address without a trailing slash;
// EINVALID unless it is an http or https URL of a host, without a path.
func checkPublicURL(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", foyer.Errorf(foyer.EINVALID, "public URL %q: want the address users reach Foyer at, such as https://foyer.example.com", s)
	}
	return strings.TrimSuffix(s, "/"), nil
}

// announceSetup logs a one-time link that creates the first owner, when
// the installation has no users: whoever can read the server's log can
// begin, and nobody else.
func (a *App) announceSetup(ctx context.Context, base string) {
	path, err := web.NewSetupLink(ctx, a.Store)
	if err != nil {
		a.log.Error("no first-owner setup link", "err", err)
		return
	}
	if path == "" {
		return
	}
	if a.cfg.PublicURL != "" {
		base = a.cfg.PublicURL
	}
	a.log.Warn("no user yet: open this one-time link to create the first owner; it works for 24 hours, and each start makes a new one. "+
		"Or run `foyer user add`", "setup_url", base+path)
}

// ipdataOf returns the IP data resolver behind r, or nil.
func ipdataOf(r foyer.Resolver) *ipdata.Resolver {
	res, _ := r.(*ipdata.Resolver)
	return res
}

// Close stops the writer and the web server's background work, and closes
// the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if a.cfg.Role != RoleAll {
		return a.closeRole(ctx)
	}
	if a.backups != nil {
		a.backups.Stop() // a backup in progress is cancelled, and its partial file removed
	}
	a.web.Close()
	a.retention.Stop() // between two of its transactions
	a.automate.Stop()  // a call in flight is made again at the next start, once its lease ends
	if a.alerts != nil {
		a.alerts.Stop() // an email being sent is sent or recorded as failed
	}
	if a.campaigns != nil {
		a.campaigns.Stop() // after the message it is sending, whose outcome is written
	}
	a.segments.Stop()   // between two of its transactions
	a.imports.Close()   // the running imports end, cancelled, their records saying how far they got
	a.hubspot.Stop(ctx) // before the writer: the identifications it has not written are dropped
	werr := stopSink(ctx, a.Writer, a.queued)
	eerr := a.emailEvents.Stop(ctx) // the opens and clicks handed in are written
	return errors.Join(werr, eerr, a.Store.Close())
}

// failStop bounds how long Run lets the requests in flight finish when it
// stops after a failed flush.
const failStop = 2 * time.Second

// Run serves on cfg.Listen until ctx ends, then shuts down gracefully: it
// stops accepting, finishes in-flight requests, flushes the writer and
// closes the store. ready, when not nil, receives the listening address.
func (a *App) Run(ctx context.Context, ready func(addr net.Addr)) error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		a.Close()
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          serverErrorLog(a.log),
	}
	a.logSettings()
	a.log.Info("listening", "url", "http://"+ln.Addr().String(), "db", string(a.Store.Dialect()), "version", foyer.Version,
		"role", string(a.cfg.Role.orAll()))
	if a.cfg.Role == RoleAll {
		a.announceSetup(ctx, "http://"+ln.Addr().String())
	}
	workerDone := a.startWorker()
	if ready != nil {
		ready(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	wctx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	go a.watchKeys(wctx, keysEvery)
	if a.cfg.DebugListen != "" {
		dln, err := net.Listen("tcp", a.cfg.DebugListen)
		if err != nil {
			srv.Close()
			a.Close()
			return fmt.Errorf("debug listener: %w", err)
		}
		dsrv := &http.Server{Handler: debugHandler(ipdataOf(a.cfg.Resolver)), ReadHeaderTimeout: 5 * time.Second, ErrorLog: serverErrorLog(a.log)}
		a.log.Info("profiling endpoints", "url", "http://"+dln.Addr().String()+"/debug/pprof/")
		go dsrv.Serve(dln)
		defer dsrv.Close()
	}
	var flushFailed <-chan struct{}
	if a.Writer != nil {
		flushFailed = a.Writer.Failed()
	}
	select {
	case err := <-served:
		a.Close()
		return err
	case err := <-workerDone:
		// The worker lost the database's write lock: stop, so that the
		// process starts again as a standby.
		srv.Close()
		a.Close()
		return err
	case <-flushFailed:
		// Nothing more can be made durable in this process: stop, with an
		// error, so that it is started again and the database recovers
		// what reached the disk (the store stays unclosed, as after a
		// crash). The requests in flight get their answers first (the
		// collector's are all refusals now), for at most failStop.
		a.log.Error("stopping: the disk failed to flush committed events; start Foyer again")
		sctx, cancel := context.WithTimeout(context.Background(), failStop)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		a.Close()
		return foyer.ErrFlushFailed
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		a.log.Warn("shutdown", "err", err)
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("flush and close: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}
