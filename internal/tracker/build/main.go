// Command build minifies the tracker source src/foyer.js into the two scripts
// package tracker embeds: t.min.js, the core, without the blocks marked
// /*+id*/ … /*-id*/, and ti.min.js, with them (identification). Run it after changing the source, from the
// repository root or from internal/tracker:
//
//	go run ./internal/tracker/build
//	go generate ./internal/tracker
//
// It prints the raw and gzipped sizes of each.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/foyerhq/foyer/internal/tracker/minify"
)

func main() {
	dir := flag.String("dir", "", "the tracker package directory (default: . or internal/tracker, whichever holds src/foyer.js)")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "tracker build:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if dir == "" {
		dir = "internal/tracker"
		if _, err := os.Stat(filepath.Join("src", "foyer.js")); err == nil {
			dir = "."
		}
	}
	src, err := os.ReadFile(filepath.Join(dir, "src", "foyer.js"))
	if err != nil {
		return fmt.Errorf("read source: %w", err)
	}
	core, id, err := minify.Build(src)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		b    []byte
	}{{"t.min.js", core}, {"ti.min.js", id}} {
		if err := write(filepath.Join(dir, f.name), f.b); err != nil {
			return err
		}
	}
	return nil
}

// write writes b to dst and prints its raw and gzipped sizes.
func write(dst string, b []byte) error {
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if _, err := zw.Write(b); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	fmt.Printf("%s: %d bytes, %d gzipped\n", dst, len(b), gz.Len())
	return nil
}
