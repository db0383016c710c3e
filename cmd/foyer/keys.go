package main

import (
	"context"
	"io"

	"github.com/foyerhq/foyer/internal/app"
	"github.com/foyerhq/foyer/internal/store"
)

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return noSubcommand(args, "Usage: foyer keys rotate --new-key-file PATH [--key-file PATH] [--db DSN]\n\n"+
			"  rotate   wrap every contact's data key under a new master key (the file is created when missing),\n"+
			"           in batches, while foyer serve keeps running; run it again to finish after a crash.\n"+
			"           Then replace the old key file with the new one.\n", stderr)
	}
	fs := newFlagSet("keys rotate", "", stderr)
	db := dbFlag(fs)
	keyFile := fs.String("key-file", "", "the master key the database is bound to now (default: as foyer serve's)")
	newKeyFile := fs.String("new-key-file", "", "the new master key; created when missing")
	batch := fs.Int("batch", 500, "data keys rewrapped per transaction")
	pause := fs.Duration("pause", 0, "wait between batches, to leave the database to a busy server")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *newKeyFile == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	if *keyFile == "" {
		*keyFile = app.DefaultKeyFile(*db)
	}
	return app.RotateKeys(ctx, s, *keyFile, *newKeyFile, app.Rotation{Batch: *batch, Pause: *pause}, stdout)
}
