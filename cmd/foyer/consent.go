package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

func runConsent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return runConsentExport(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "verify" {
		return noSubcommand(args, "Usage: foyer consent verify [--db DSN] [--workspace NAME]\n"+
			"       foyer consent export --workspace NAME [--format csv|ndjson]\n\n"+
			"  verify   check every workspace's consent history (or one's) against its hash chain;\n"+
			"           exits 1 naming the first broken entry, 0 when every chain is intact\n"+
			"  export   write the workspace's whole consent history, with each entry's hashes, to stdout\n", stderr)
	}
	fs := newFlagSet("consent verify", "", stderr)
	db := dbFlag(fs)
	wsName := fs.String("workspace", "", "only this workspace; default: every one")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	var list []*foyer.Workspace
	if name := strings.TrimSpace(*wsName); name != "" {
		ws, err := s.WorkspaceByName(ctx, name)
		if err != nil {
			return err
		}
		list = []*foyer.Workspace{ws}
	} else if list, err = s.Workspaces(ctx); err != nil {
		return err
	}
	for _, ws := range list {
		b, err := s.VerifyConsent(ctx, ws.ID)
		if err != nil {
			return err
		}
		if b != nil {
			return foyer.Errorf(foyer.EINVALID, "workspace %q (%d): entry %d: %s", ws.Name, ws.ID, b.ID, b.Problem)
		}
	}
	fmt.Fprintf(stdout, "The consent history of %d workspace(s) is intact.\n", len(list))
	return nil
}
