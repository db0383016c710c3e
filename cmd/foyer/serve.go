package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// serveConfig is everything foyer serve is told.
type serveConfig struct {
	Listen       string
	DB           string
	Demo         bool
	TrustedProxy string
	RateLimit    float64
	SQLiteSync   string
	LogFormat    string
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := newFlagSet("serve", "", stderr)
	fs.StringVar(&cfg.Listen, "listen", "localhost:8080", "address to listen on")
	fs.StringVar(&cfg.DB, "db", defaultDB, "database: sqlite:PATH or postgres://USER@HOST/DB")
	fs.BoolVar(&cfg.Demo, "demo", false, "create a demo workspace with site key \"demo\" for localhost if none exists")
	fs.StringVar(&cfg.TrustedProxy, "trusted-proxy", "", "comma-separated CIDRs of proxies whose X-Forwarded-For/Forwarded headers are believed")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", 20, "requests per second one client may send to /collect (bursts of 5×); 0 for no limit")
	fs.StringVar(&cfg.SQLiteSync, "sqlite-sync", "full", "SQLite synchronous mode: full (a commit survives power loss) or normal (survives a crash of Foyer)")
	fs.StringVar(&cfg.LogFormat, "log-format", "text", "log format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(cfg.LogFormat, stderr)
	if err != nil {
		return err
	}
	trusted, err := collect.ParsePrefixes(cfg.TrustedProxy)
	if err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}

	st, err := store.Open(ctx, cfg.DB, store.Options{SQLiteSync: cfg.SQLiteSync})
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Demo {
		if err := ensureDemo(ctx, st, cfg.Listen, stdout); err != nil {
			return err
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newPeakRSSCollector())
	metrics := collect.NewMetrics(reg)
	writer := collect.NewWriter(st, metrics, log, 0)
	writer.Start()
	handler := collect.NewHandler(collect.Config{
		Sites: st, Writer: writer, ClientIP: collect.ClientIP{Trusted: trusted},
		Metrics: metrics, Log: log, RatePerClient: cfg.RateLimit, RateBurst: 5 * cfg.RateLimit,
	})
	srv := &http.Server{
		Handler:           web.NewServer(web.Config{Store: st, Collect: handler, Gatherer: reg, Log: log}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	log.Info("listening", "url", "http://"+ln.Addr().String(), "db", dialectOf(st), "version", foyer.Version)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		writer.Stop(context.Background())
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Stop accepting and finish in-flight requests, whose batches the
	// writer still commits; then flush the writer and close the store.
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	if err := writer.Stop(sctx); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func dialectOf(s *store.Store) string { return string(s.Dialect()) }

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, foyer.Errorf(foyer.EINVALID, "--log-format %q: want text or json", format)
}

// ensureDemo creates the demo workspace and site unless they exist, and
// tells how to use them.
func ensureDemo(ctx context.Context, st foyer.Store, listen string, out io.Writer) error {
	site, err := st.SiteByKey(ctx, "demo")
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		w, werr := st.WorkspaceByName(ctx, "Demo")
		if foyer.ErrorCode(werr) == foyer.ENOTFOUND {
			w = &foyer.Workspace{Name: "Demo"}
			werr = st.CreateWorkspace(ctx, w)
		}
		if werr != nil {
			return werr
		}
		site = &foyer.Site{WorkspaceID: w.ID, Key: "demo", Name: "Demo site",
			Hostnames: []string{"localhost", "127.0.0.1"}, HonorGPC: true}
		err = st.CreateSite(ctx, site)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo site ready (key %q, pages on %v, any port). Put this on a page:\n\n"+
		"  <script defer src=\"http://%s/t.js\" data-site=\"demo\"></script>\n\n"+
		"Export what arrived: foyer export events --site demo\n\n", site.Key, site.Hostnames, listen)
	return nil
}
