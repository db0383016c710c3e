package tracker

import (
	"bytes"
	"compress/gzip"
	"os"
	"testing"

	"github.com/foyerhq/foyer/internal/tracker/minify"
)

// maxGzip is the hard size limit of the served script, gzipped.
const maxGzip = 2048

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestScriptSize(t *testing.T) {
	t.Parallel()
	n := len(gzipped(t, Script()))
	t.Logf("t.min.js: %d bytes, %d gzipped", len(Script()), n)
	if n >= maxGzip {
		t.Errorf("t.min.js is %d bytes gzipped, want < %d", n, maxGzip)
	}
}

// TestScriptUpToDate fails when src/foyer.js changed without `go generate`.
func TestScriptUpToDate(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("src/foyer.js")
	if err != nil {
		t.Fatal(err)
	}
	want, err := minify.JS(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Script(), want) {
		t.Errorf("t.min.js is not the minified src/foyer.js; run `go generate ./internal/tracker`")
	}
}

func TestScriptIsACopy(t *testing.T) {
	t.Parallel()
	b := Script()
	if len(b) == 0 {
		t.Fatal("Script() is empty")
	}
	b[0] ^= 0xff
	if bytes.Equal(b, Script()) {
		t.Error("changing the result of Script() changed the script")
	}
}

func TestMinifyError(t *testing.T) {
	t.Parallel()
	if _, err := minify.JS([]byte("(() => {")); err == nil {
		t.Error("minify.JS of broken source: no error")
	}
}
