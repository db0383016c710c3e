package main

import (
	"context"
	"fmt"
	"io"

	"github.com/foyerhq/foyer/internal/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "", stderr)
	db := dbFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := store.Open(ctx, *db, store.Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}
