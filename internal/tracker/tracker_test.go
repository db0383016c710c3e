package tracker

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"testing"

	"github.com/foyerhq/foyer/internal/tracker/minify"
)

// builds are the two scripts, each with the hard limit of its size, gzipped.
var builds = []struct {
	name    string
	script  func() []byte
	handler func() http.Handler
	maxGzip int
}{
	{"t.min.js", Script, Handler, 2048},
	{"ti.min.js", IDScript, IDHandler, 2600},
}

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
	for _, b := range builds {
		n := len(gzipped(t, b.script()))
		t.Logf("%s: %d bytes, %d gzipped", b.name, len(b.script()), n)
		if n >= b.maxGzip {
			t.Errorf("%s is %d bytes gzipped, want < %d", b.name, n, b.maxGzip)
		}
	}
}

// TestScriptUpToDate fails when src/foyer.js changed without `go generate`.
func TestScriptUpToDate(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("src/foyer.js")
	if err != nil {
		t.Fatal(err)
	}
	core, id, err := minify.Build(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Script(), core) {
		t.Errorf("t.min.js is not the minified src/foyer.js without its id blocks; run `go generate ./internal/tracker`")
	}
	if !bytes.Equal(IDScript(), id) {
		t.Errorf("ti.min.js is not the minified src/foyer.js; run `go generate ./internal/tracker`")
	}
	// The core carries none of identification's names.
	for _, word := range []string{"identify", "hubspot", "submit", "id-params", "data-foyer"} {
		if bytes.Contains(core, []byte(word)) {
			t.Errorf("t.min.js contains %q", word)
		}
		if !bytes.Contains(id, []byte(word)) {
			t.Errorf("ti.min.js lacks %q", word)
		}
	}
}

func TestScriptIsACopy(t *testing.T) {
	t.Parallel()
	for _, s := range builds {
		b := s.script()
		if len(b) == 0 {
			t.Fatalf("%s: empty", s.name)
		}
		b[0] ^= 0xff
		if bytes.Equal(b, s.script()) {
			t.Errorf("%s: changing the result changed the script", s.name)
		}
	}
}

func TestMinifyError(t *testing.T) {
	t.Parallel()
	if _, err := minify.JS([]byte("(() => {")); err == nil {
		t.Error("minify.JS of broken source: no error")
	}
}
