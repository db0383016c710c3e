package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/crmimport"
	"github.com/foyerhq/foyer/internal/hubspot"
	"github.com/foyerhq/foyer/internal/store"
)

// hubspotOptions are the flags of an import from HubSpot.
type hubspotOptions struct {
	domain, token, api *string
}

func hubspotFlags(fs *flag.FlagSet) hubspotOptions {
	return hubspotOptions{
		domain: fs.String("domain", "", "with --from hubspot: only the contacts whose email is at this domain"),
		token:  fs.String("hubspot-token", "", "with --from hubspot: a HubSpot private app token (default: the workspace's, from its settings)"),
		api:    fs.String("hubspot-api", hubspot.DefaultBaseURL, "HubSpot's API address"),
	}
}

// runHubSpotImport imports the workspace's contacts from HubSpot and
// prints the counts as one JSON object.
func runHubSpotImport(ctx context.Context, db, keyFile, wsName string, dry bool, o hubspotOptions, stdout, stderr io.Writer) error {
	s, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if keyFile == "" {
		keyFile = app.DefaultKeyFile(db)
	}
	keys, err := app.OpenKeys(ctx, s, keyFile, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	s.UseKeys(keys)
	ws, err := s.WorkspaceByName(ctx, wsName)
	if err != nil {
		return err
	}
	token := *o.token
	if token == "" {
		if token, err = s.HubSpotToken(ctx, ws.ID); err != nil {
			return err
		}
	}
	if token == "" {
		return foyer.Errorf(foyer.EINVALID, "workspace %q has no HubSpot token: connect HubSpot in its settings, or give --hubspot-token", wsName)
	}
	c := hubspot.New(token)
	c.BaseURL = *o.api
	rep, err := crmimport.HubSpot(ctx, s, ws.ID, c, crmimport.Options{Domain: *o.domain, Actor: "HubSpot import", DryRun: dry})
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(rep)
}
