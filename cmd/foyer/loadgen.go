package main

import (
	"context"
	"io"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
)

func runLoadgen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := loadgen.Defaults()
	var asJSON bool
	fs := newFlagSet("loadgen", "", stderr)
	fs.StringVar(&cfg.URL, "url", cfg.URL, "base URL of the Foyer server to load; must be on a loopback address")
	fs.StringVar(&cfg.Site, "site", cfg.Site, "site key to send events for (its hostnames must allow localhost)")
	fs.StringVar(&cfg.Shape, "shape", cfg.Shape, "traffic shape: mix (batches as the tracker sends them, 2.1 events each) "+
		"or single (one event a request: a pageview or an engagement)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long to send (at most 1h); requests in flight are finished")
	fs.IntVar(&cfg.Conns, "conns", cfg.Conns, "concurrent connections, one worker each")
	fs.IntVar(&cfg.Visitors, "visitors", cfg.Visitors, "distinct simulated visitors")
	fs.IntVar(&cfg.Pages, "pages", cfg.Pages, "distinct page paths")
	fs.Float64Var(&cfg.Rate, "rate", 0, "target events per second; 0 sends as fast as the server answers (closed loop)")
	fs.Int64Var(&cfg.Requests, "requests", 0, "stop after this many requests; 0 for no limit")
	fs.IntVar(&cfg.IPs, "ips", cfg.IPs, "fake client addresses sent in X-Forwarded-For, from documentation ranges "+
		"(serve with --trusted-proxy 127.0.0.1/32 for them to count)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed for reproducible traffic; 0 picks one")
	fs.Float64Var(&cfg.Identify, "identify", 0, "share of batches (0 to 1) that also carry a form's identification, "+
		"half of them of contacts `foyer seed --contacts` made")
	fs.IntVar(&cfg.IdentifyContacts, "identify-contacts", 1000, "how many contacts `foyer seed --contacts` made")
	fs.BoolVar(&asJSON, "json", false, "print the summary as one JSON object")
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.Duration <= 0 {
		return foyer.Errorf(foyer.EINVALID, "--duration %s: want more than 0", cfg.Duration)
	}
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		err = res.JSON(stdout)
	} else {
		err = res.Print(stdout)
	}
	if err != nil {
		return err
	}
	if res.Accepted == 0 {
		return foyer.Errorf(foyer.EUNAVAILABLE, "no event was acknowledged")
	}
	return nil
}
