package main

import (
	"context"
	"fmt"
	"github.com/foyerhq/foyer/internal/app"
	"io"
	"log/slog"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/loadgen"
	"github.com/foyerhq/foyer/internal/store"
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "", stderr)
	db := dbFlag(fs)
	wsName := fs.String("workspace", "", "workspace to fill (created when missing); default: a new workspace named \""+seedWorkspace+"\" (numbered when taken), so no existing workspace's data is touched")
	siteKey := fs.String("site", "", "site key to fill (created when missing, for localhost); default: a new site \""+seedSite+"\" (numbered when taken)")
	var h loadgen.History
	fs.IntVar(&h.Events, "events", 1_000_000, "about how many events to write")
	fs.IntVar(&h.Days, "days", 90, "days of history, ending today")
	fs.IntVar(&h.Companies, "companies", 5000, "distinct visiting companies")
	fs.Float64Var(&h.AnonymousShare, "anonymous", 0.6, "share of visitors from carriers and hosting networks")
	fs.Uint64Var(&h.Seed, "seed", 1, "random seed")
	contacts := fs.Int("contacts", 0, "also make this many contacts (loadgen-contact-N@example.com), switch Persona Insights on "+
		"and the site's form and email-link identification, for `foyer loadgen --identify`")
	keyFile := fs.String("key-file", "", "with --contacts: the master key (default: as foyer serve's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	ws, site, err := seedTarget(ctx, s, *wsName, *siteKey)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Writing into site %q of workspace %q.\n", site.Key, ws.Name)
	if *contacts > 0 {
		if err := seedContacts(ctx, s, *db, *keyFile, ws, site, *contacts, stderr); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Made %d contacts; Persona Insights is on, with the site's form and email-link identification.\n", *contacts)
	}
	if h.Events <= 0 {
		return nil
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
	if *wsName == "" {
		fmt.Fprintf(stdout, "Workspace %q holds only this synthetic data; no other workspace was changed.\n"+
			"To see it, give yourself a role in it: foyer user add --workspace %q --email YOU\n", ws.Name, ws.Name)
	}
	return nil
}

const (
	seedWorkspace = "Seeded demo data"
	seedSite      = "seeded"
)

// seedTarget finds or creates the workspace and site that seed writes into.
// With no workspace name it creates a new workspace, numbering the name when
// taken; with no site key it creates a new site, numbering the key when taken.
// A named site must belong to the workspace (ECONFLICT otherwise).
func seedTarget(ctx context.Context, s *store.Store, wsName, siteKey string) (*foyer.Workspace, *foyer.Site, error) {
	var ws *foyer.Workspace
	if wsName == "" {
		for i := 1; ; i++ {
			name := seedWorkspace
			if i > 1 {
				name = fmt.Sprintf("%s %d", seedWorkspace, i)
			}
			ws = &foyer.Workspace{Name: name}
			err := s.CreateWorkspace(ctx, ws)
			if err == nil {
				break
			}
			if foyer.ErrorCode(err) != foyer.ECONFLICT || i >= 1000 {
				return nil, nil, err
			}
		}
	} else {
		var err error
		if ws, _, err = workspaceNamed(ctx, s, wsName); err != nil {
			return nil, nil, err
		}
	}
	if siteKey != "" {
		site, err := s.SiteByKey(ctx, siteKey)
		if foyer.ErrorCode(err) == foyer.ENOTFOUND {
			site = &foyer.Site{WorkspaceID: ws.ID, Key: siteKey, Name: siteKey, Hostnames: []string{"localhost"}, HonorGPC: true}
			err = s.CreateSite(ctx, site)
		}
		if err != nil {
			return nil, nil, err
		}
		if site.WorkspaceID != ws.ID {
			return nil, nil, foyer.Errorf(foyer.ECONFLICT, "site %q belongs to another workspace", siteKey)
		}
		return ws, site, nil
	}
	for i := 1; i < 1000; i++ {
		key := seedSite
		if i > 1 {
			key = fmt.Sprintf("%s-%d", seedSite, i)
		}
		_, err := s.SiteByKey(ctx, key)
		if foyer.ErrorCode(err) != foyer.ENOTFOUND {
			if err != nil {
				return nil, nil, err
			}
			continue
		}
		site := &foyer.Site{WorkspaceID: ws.ID, Key: key, Name: "Seeded demo site", Hostnames: []string{"localhost"}, HonorGPC: true}
		if err := s.CreateSite(ctx, site); err != nil {
			return nil, nil, err
		}
		return ws, site, nil
	}
	return nil, nil, foyer.Errorf(foyer.ECONFLICT, "no free site key %q-N", seedSite)
}

// seedContacts makes n contacts for `foyer loadgen --identify` and switches
// identification on in the workspace and the site.
func seedContacts(ctx context.Context, s *store.Store, db, keyFile string, ws *foyer.Workspace, site *foyer.Site, n int, stderr io.Writer) error {
	if keyFile == "" {
		keyFile = app.DefaultKeyFile(db)
	}
	keys, err := app.OpenKeys(ctx, s, keyFile, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	s.UseKeys(keys)
	rows := make([]store.ImportRow, 0, s.ImportBatchSize())
	for i := 0; i < n; i++ {
		rows = append(rows, store.ImportRow{Line: i + 1, Contact: foyer.Contact{Email: loadgen.ContactEmail(i), FirstName: "Contact", LastName: fmt.Sprint(i)}})
		if len(rows) == cap(rows) || i == n-1 {
			if _, err := s.ImportContacts(ctx, ws.ID, rows, store.ImportBatch{Actor: "foyer seed"}); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	if err := s.SetPersonaBasis(ctx, ws.ID, foyer.PersonaLegitimateInterest, "foyer seed"); err != nil {
		return err
	}
	site.Identify.Forms, site.Identify.EmailLinks = true, true
	return s.UpdateSite(ctx, site)
}
