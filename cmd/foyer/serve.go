package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

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
	if demo {
		if err := ensureDemo(ctx, a.Store, cfg.Listen, stdout); err != nil {
			a.Close()
			return err
		}
	}
	return a.Run(ctx, nil)
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
