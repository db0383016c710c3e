package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg app.Config
	var demo bool
	var logFormat string
	fs := newFlagSet("serve", "", stderr)
	fs.StringVar(&cfg.Listen, "listen", "localhost:8080", "address to listen on")
	fs.StringVar(&cfg.DB, "db", defaultDB, "database: sqlite:PATH or postgres://USER@HOST/DB")
	fs.BoolVar(&demo, "demo", false, "create a demo workspace with site key \"demo\" for localhost if none exists")
	fs.StringVar(&cfg.TrustedProxy, "trusted-proxy", "", "comma-separated CIDRs of proxies whose X-Forwarded-For/Forwarded headers are believed")
	fs.Float64Var(&cfg.RateLimit, "rate-limit", 20, "requests per second one client may send to /collect (bursts of 5×); 0 for no limit")
	fs.StringVar(&cfg.SQLiteSync, "sqlite-sync", "full", "SQLite synchronous mode: full (a commit survives power loss) or normal (survives a crash of Foyer)")
	fs.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.DebugListen, "debug-listen", "", "address for Go profiling endpoints (/debug/pprof/); keep it private")
	if err := parse(fs, args); err != nil {
		return err
	}
	var err error
	if cfg.Log, err = newLogger(logFormat, stderr); err != nil {
		return err
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	var site *foyer.Site
	if demo {
		if site, err = ensureDemo(ctx, a.Store); err != nil {
			a.Close()
			return err
		}
	}
	return a.Run(ctx, func(addr net.Addr) {
		if site != nil {
			fmt.Fprintf(stdout, "Demo site ready (key %q, pages on %v, any port). Put this on a page:\n\n"+
				"  <script defer src=\"http://%s/t.js\" data-site=\"%s\"></script>\n\n"+
				"Export what arrived: foyer export events --site %s\n\n", site.Key, site.Hostnames, addr, site.Key, site.Key)
		}
	})
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

// ensureDemo creates the demo workspace and site unless they exist.
func ensureDemo(ctx context.Context, st foyer.Store) (*foyer.Site, error) {
	site, err := st.SiteByKey(ctx, "demo")
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		w, werr := st.WorkspaceByName(ctx, "Demo")
		if foyer.ErrorCode(werr) == foyer.ENOTFOUND {
			w = &foyer.Workspace{Name: "Demo"}
			werr = st.CreateWorkspace(ctx, w)
		}
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
