package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/contactimport"
	"github.com/foyerhq/foyer/internal/importjob"
	"github.com/foyerhq/foyer/internal/store"
)

// importReport is what `foyer contacts import` prints: one JSON object.
type importReport struct {
	New       int            `json:"new"`
	Updated   int            `json:"updated"`
	Unchanged int            `json:"unchanged"`
	Rejected  int            `json:"rejected"`
	Errors    []importReject `json:"errors"`
	DryRun    bool           `json:"dry_run"`
	// ErrorsOmitted counts the rejections past the first maxReportErrors,
	// which errors leaves out to keep memory bounded.
	ErrorsOmitted int `json:"errors_omitted"`
	// ImportID is the import's record (none for a dry run); State is
	// done, or cancelled when interrupted (the counts are then those of
	// the rows written).
	ImportID int64  `json:"import_id,omitempty"`
	State    string `json:"state"`
}

// maxReportErrors bounds the rejections the report lists.
const maxReportErrors = 10000

type importReject struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func runContacts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return runContactsExport(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "import" {
		return noSubcommand(args, "Usage: foyer contacts import --workspace NAME [--dry-run] [--latin1] FILE\n"+
			"       foyer contacts import --workspace NAME --from hubspot [--domain DOMAIN] [--dry-run]\n"+
			"       foyer contacts export --workspace NAME [--format csv|ndjson]\n\n"+
			"  import   create or update contacts from a CSV or NDJSON file (.ndjson or .jsonl: NDJSON),\n"+
			"           their tracking consent by its date; prints the counts as one JSON object\n"+
			"  export   write every contact of the workspace, with its consent status and date, to stdout\n", stderr)
	}
	fs := newFlagSet("contacts import", "FILE", stderr)
	db := dbFlag(fs)
	keyFile := fs.String("key-file", "", "the master key (default: as foyer serve's)")
	wsName := fs.String("workspace", "", "the contacts' workspace")
	dry := fs.Bool("dry-run", false, "read and check the file and count what it would do; write nothing")
	latin1 := fs.Bool("latin1", false, "the file is Latin-1 (ISO 8859-1), not UTF-8")
	from := fs.String("from", "", "hubspot: import from HubSpot's API instead of a FILE")
	hs := hubspotFlags(fs)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *from != "" && *from != "hubspot" {
		fmt.Fprintf(stderr, "--from %q: the one source is hubspot\n", *from)
		return errUsage
	}
	if strings.TrimSpace(*wsName) == "" || fs.NArg() != 1 && *from == "" || fs.NArg() != 0 && *from != "" {
		fs.Usage()
		return errUsage
	}
	if *from == "hubspot" {
		return runHubSpotImport(ctx, *db, *keyFile, strings.TrimSpace(*wsName), *dry, hs, stdout, stderr)
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if *keyFile == "" {
		*keyFile = app.DefaultKeyFile(*db)
	}
	keys, err := app.OpenKeys(ctx, s, *keyFile, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return err
	}
	s.UseKeys(keys)
	ws, err := s.WorkspaceByName(ctx, strings.TrimSpace(*wsName))
	if err != nil {
		return err
	}
	opts := contactimport.Options{Latin1: *latin1}
	format := "csv"
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".ndjson" || ext == ".jsonl" {
		opts.Format, format = contactimport.NDJSON, "ndjson"
	}
	in := importjob.Input{WorkspaceID: ws.ID, DryRun: *dry, Options: opts, MaxErrors: maxReportErrors,
		Actor: "import of " + filepath.Base(path)}
	var imp *store.ContactImport
	if !*dry {
		imp = &store.ContactImport{WorkspaceID: ws.ID, FileName: filepath.Base(path), Format: format}
		if fi, err := f.Stat(); err == nil {
			imp.BytesTotal = fi.Size()
		}
		if err := s.StartContactImport(ctx, imp); err != nil {
			return err
		}
		in.ImportID = imp.ID
		in.Actor = fmt.Sprintf("import %d", imp.ID)
		if err := s.RecordAudit(ctx, &foyer.AuditEntry{WorkspaceID: ws.ID, ActorKind: foyer.ActorSystem, Actor: "operator (command line)",
			Action: foyer.AuditContactImport, ObjectType: "import", ObjectID: fmt.Sprint(imp.ID),
			Detail: "foyer contacts import " + filepath.Base(path)}); err != nil {
			return err
		}
	}
	res, err := importjob.Run(ctx, s, f, in)
	rep := importReport{New: res.New, Updated: res.Updated, Unchanged: res.Unchanged, Rejected: res.Rejected,
		Errors: []importReject{}, DryRun: *dry, State: store.ImportDone}
	for _, e := range res.Errors {
		rep.Errors = append(rep.Errors, importReject{e.Line, e.Reason})
	}
	rep.ErrorsOmitted = res.Rejected - len(res.Errors)
	if imp != nil {
		rep.ImportID = imp.ID
		state, why := store.ImportDone, ""
		switch {
		case ctx.Err() != nil:
			state = store.ImportCancelled
		case err != nil:
			state, why = store.ImportFailed, foyer.ErrorMessage(err)
		}
		// The record ends even when ctx is done (Ctrl-C): it says how far
		// the import got.
		if _, ferr := s.FinishContactImport(context.WithoutCancel(ctx), ws.ID, imp.ID, state, why); ferr != nil && err == nil {
			err = ferr
		}
		rep.State = state
	}
	if err != nil {
		if rep.State == store.ImportCancelled {
			_ = json.NewEncoder(stdout).Encode(rep)
		}
		return err
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(rep)
}
