package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "events" {
		fmt.Fprintln(stderr, "Usage: foyer export events --site KEY [--since DURATION] [--db DSN]")
		return errUsage
	}
	fs := newFlagSet("export events", "", stderr)
	db := dbFlag(fs)
	siteKey := fs.String("site", "", "the site's key (required)")
	since := 0 * time.Second
	fs.Var(durationFlag{&since}, "since", "only events of this last period, e.g. 24h or 30d (default: all)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *siteKey == "" {
		fs.Usage()
		return errUsage
	}
	s, err := store.OpenNoMigrate(*db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	site, err := s.SiteByKey(ctx, *siteKey)
	if err != nil {
		return err
	}
	from := time.Unix(0, 0)
	if since > 0 {
		from = time.Now().Add(-since)
	}
	w := bufio.NewWriterSize(stdout, 64<<10)
	enc := json.NewEncoder(w)
	err = s.Events(ctx, site.WorkspaceID, site.ID, from, func(e *foyer.StoredEvent) error {
		return enc.Encode(exportEvent{StoredEvent: e, Session: e.VisitID})
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// exportEvent is a line of `foyer export events`: the stored event, and its
// visit's ID once more under "session", the key's name before it became
// "visit_id". The alias is kept for one release; the README says so.
type exportEvent struct {
	*foyer.StoredEvent
	Session int64 `json:"session"` // deprecated: the same as visit_id
}
