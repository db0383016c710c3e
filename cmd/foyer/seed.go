package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "", stderr)
	db := dbFlag(fs)
	wsName := fs.String("workspace", "Seeded", "workspace to fill (created when missing)")
	siteKey := fs.String("site", "seeded", "site key to fill (created when missing, for localhost)")
	var h loadgen.History
	fs.IntVar(&h.Events, "events", 1_000_000, "about how many events to write")
	fs.IntVar(&h.Days, "days", 90, "days of history, ending today")
	fs.IntVar(&h.Companies, "companies", 5000, "distinct visiting companies")
	fs.Float64Var(&h.AnonymousShare, "anonymous", 0.6, "share of visitors from carriers and hosting networks")
	fs.Uint64Var(&h.Seed, "seed", 1, "random seed")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	ws, _, err := workspaceNamed(ctx, s, *wsName)
	if err != nil {
		return err
	}
	site, err := s.SiteByKey(ctx, *siteKey)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		site = &foyer.Site{WorkspaceID: ws.ID, Key: *siteKey, Name: *siteKey, Hostnames: []string{"localhost"}, HonorGPC: true}
		err = s.CreateSite(ctx, site)
	}
	if err != nil {
		return err
	}
	if site.WorkspaceID != ws.ID {
		return foyer.Errorf(foyer.ECONFLICT, "site %q belongs to another workspace", *siteKey)
	}
	start := time.Now()
	next := h.Events / 10
	n, err := loadgen.WriteHistory(ctx, s, site, h, func(done int) {
		if done >= next {
			fmt.Fprintf(stdout, "%d events written (%.0f/s)\n", done, float64(done)/time.Since(start).Seconds())
			next += h.Events / 10
		}
	})
	if err != nil {
		return err
	}
	rolled := time.Now()
	if _, err := s.RollupAll(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %d events over %d days to site %q of workspace %q in %v (roll-up %v).\n",
		n, h.Days, site.Key, ws.Name, time.Since(start).Round(time.Second), time.Since(rolled).Round(time.Millisecond))
	return nil
}
