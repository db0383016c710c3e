package main

import (
	"context"
	"io"

	"github.com/foyerhq/foyer"
)

func runLoadgen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return foyer.Errorf(foyer.EINVALID, "not built yet")
}
