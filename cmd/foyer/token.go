package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
	"github.com/foyerhq/foyer/internal/store"
)

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return noSubcommand(args, "Usage: foyer token create --workspace NAME --scope read|write [--name NAME]\n\n  create   print a new API token for a workspace (shown once)\n", stderr)
	}
	fs := newFlagSet("token create", "", stderr)
	db := dbFlag(fs)
	wsName := fs.String("workspace", "", "the token's workspace")
	scope := fs.String("scope", "read", "read or write")
	name := fs.String("name", "", "what the token is for, to recognise it later")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*wsName) == "" {
		fs.Usage()
		return errUsage
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	ws, err := s.WorkspaceByName(ctx, strings.TrimSpace(*wsName))
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	if err := s.CreateAPIToken(ctx, hash, foyer.APIToken{WorkspaceID: ws.ID, Name: *name, Scope: foyer.Scope(*scope)}); err != nil {
		return err
	}
	if err := s.RecordAudit(ctx, &foyer.AuditEntry{WorkspaceID: ws.ID, ActorKind: foyer.ActorSystem, Actor: "operator (command line)",
		Action: foyer.AuditTokenCreated, ObjectType: "token", Detail: fmt.Sprintf("%q, scope %s (foyer token create)", *name, *scope)}); err != nil {
		fmt.Fprintf(stderr, "foyer token create: the token was made, but not recorded in the audit log: %v\n", err)
	}
	fmt.Fprintln(stdout, token)
	return nil
}
