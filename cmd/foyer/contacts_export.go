package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/contactexport"
	"github.com/foyerhq/foyer/internal/store"
)

// exportFlags are the flags of `foyer contacts export` and `foyer consent
// export`.
type exportFlags struct {
	db, keyFile, workspace, format *string
}

func newExportFlags(fs *flag.FlagSet) exportFlags {
	return exportFlags{
		db:        dbFlag(fs),
		keyFile:   fs.String("key-file", "", "the master key (default: as foyer serve's)"),
		workspace: fs.String("workspace", "", "the workspace to export"),
		format:    fs.String("format", "csv", "csv or ndjson"),
	}
}

// runContactExport opens the store with its master key and the workspace of the
// flags, and writes to stdout what export writes.
func runContactExport(ctx context.Context, name string, args []string, stdout, stderr io.Writer,
	export func(ctx context.Context, st *store.Store, ws *foyer.Workspace, w io.Writer, f contactexport.Format) (int, error)) error {
	fs := newFlagSet(name, "", stderr)
	fl := newExportFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*fl.workspace) == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	format, err := contactexport.ParseFormat(*fl.format)
	if err != nil {
		return err
	}
	s, err := store.Open(ctx, *fl.db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if *fl.keyFile == "" {
		*fl.keyFile = app.DefaultKeyFile(*fl.db)
	}
	keys, err := app.OpenKeys(ctx, s, *fl.keyFile, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	s.UseKeys(keys)
	ws, err := s.WorkspaceByName(ctx, strings.TrimSpace(*fl.workspace))
	if err != nil {
		return err
	}
	// Recorded before the export, which does not run unrecorded.
	if err := s.RecordAudit(ctx, &foyer.AuditEntry{WorkspaceID: ws.ID, ActorKind: foyer.ActorSystem, Actor: "operator (command line)",
		Action: foyer.AuditExport, ObjectType: "export", ObjectID: strings.ReplaceAll(name, " export", ""),
		Detail: "foyer " + name + " --format " + *fl.format}); err != nil {
		return err
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	n, err := export(ctx, s, ws, out, format)
	if err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d written\n", n)
	return nil
}

// runContactsExport: foyer contacts export --workspace NAME [--format csv|ndjson].
func runContactsExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runContactExport(ctx, "contacts export", args, stdout, stderr,
		func(ctx context.Context, st *store.Store, ws *foyer.Workspace, w io.Writer, f contactexport.Format) (int, error) {
			return contactexport.Contacts(ctx, st, ws.ID, w, f)
		})
}

// runConsentExport: foyer consent export --workspace NAME [--format csv|ndjson].
func runConsentExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runContactExport(ctx, "consent export", args, stdout, stderr,
		func(ctx context.Context, st *store.Store, ws *foyer.Workspace, w io.Writer, f contactexport.Format) (int, error) {
			return contactexport.History(ctx, st, ws.ID, w, f)
		})
}
