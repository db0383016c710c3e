package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return noSubcommand(args, "Usage: foyer audit verify [--db DSN] [--workspace ID|NAME]\n\n"+
			"  verify   check every audit log (each workspace's and the installation's), or one workspace's,\n"+
			"           against its hash chain; exits 1 naming the first broken entry, 0 when every chain is intact\n", stderr)
	}
	fs := newFlagSet("audit verify", "", stderr)
	db := dbFlag(fs)
	wsFlag := fs.String("workspace", "", "only this workspace, by ID or name; default: every log")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	logs, err := auditLogsToVerify(ctx, s, strings.TrimSpace(*wsFlag))
	if err != nil {
		return err
	}
	for _, id := range logs {
		b, err := s.VerifyAudit(ctx, id)
		if err != nil {
			return err
		}
		if b != nil {
			name := "the installation's log"
			if id != 0 {
				name = fmt.Sprintf("workspace %d", id)
				if ws, err := s.WorkspaceByID(ctx, id); err == nil {
					name = fmt.Sprintf("workspace %q (%d)", ws.Name, id)
				}
			}
			return foyer.Errorf(foyer.EINVALID, "audit log of %s: tampered with: entry %d: %s", name, b.ID, b.Problem)
		}
	}
	fmt.Fprintf(stdout, "%d audit log(s) intact.\n", len(logs))
	return nil
}

// auditLogsToVerify is the one workspace named by ID or name, or every
// log with entries and every workspace.
func auditLogsToVerify(ctx context.Context, s *store.Store, ws string) ([]int64, error) {
	if ws != "" {
		if id, err := strconv.ParseInt(ws, 10, 64); err == nil {
			if _, err := s.WorkspaceByID(ctx, id); err != nil {
				return nil, err
			}
			return []int64{id}, nil
		}
		w, err := s.WorkspaceByName(ctx, ws)
		if err != nil {
			return nil, err
		}
		return []int64{w.ID}, nil
	}
	logs, err := s.AuditLogs(ctx)
	if err != nil {
		return nil, err
	}
	all, err := s.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	for _, id := range logs {
		seen[id] = true
	}
	for _, w := range all { // a workspace whose log went wholesale still has its head checked
		if !seen[w.ID] {
			logs = append(logs, w.ID)
		}
	}
	return logs, nil
}
