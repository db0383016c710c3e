package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/contactimport"
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
}

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
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*wsName) == "" || fs.NArg() != 1 {
		fs.Usage()
		return errUsage
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
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".ndjson" || ext == ".jsonl" {
		opts.Format = contactimport.NDJSON
	}
	rep := importReport{Errors: []importReject{}, DryRun: *dry}
	reject := func(r contactimport.Rejection) error {
		rep.Rejected++
		rep.Errors = append(rep.Errors, importReject{r.Line, r.Reason})
		return nil
	}
	_, err = contactimport.Read(ctx, f, opts, func(r contactimport.Row) error {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: r.Email, FirstName: r.FirstName, LastName: r.LastName,
			Role: r.Role, Phone: r.Phone, Company: r.Company, CRMID: r.CRMID, Attrs: r.Attrs}
		var change *foyer.ConsentChange
		if r.Consent != "" {
			change = &foyer.ConsentChange{Status: foyer.ConsentStatus(r.Consent), At: r.ConsentAt, Source: foyer.SourceImport,
				Actor: "import of " + filepath.Base(path)}
		}
		outcome, err := s.ImportContact(ctx, c, change, "import of "+filepath.Base(path), *dry)
		switch {
		case foyer.ErrorCode(err) == foyer.EINVALID || foyer.ErrorCode(err) == foyer.ECONFLICT:
			return reject(contactimport.Rejection{Line: r.Line, Reason: foyer.ErrorMessage(err)})
		case err != nil:
			return err
		}
		switch outcome {
		case store.ImportNew:
			rep.New++
		case store.ImportUpdated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		return nil
	}, reject)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(rep)
}
