package tracker

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

func serve(t *testing.T, h http.Handler, method string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, "/t.js", nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func wantHeaders(t *testing.T, w *httptest.ResponseRecorder, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

var strongETag = regexp.MustCompile(`^"[A-Za-z0-9_-]{16,}(-gz)?"$`)

func TestHandler(t *testing.T) {
	t.Parallel()
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			testHandler(t, b.handler(), b.script(), b.maxGzip)
		})
	}
	if bytes.Equal(serve(t, Handler(), http.MethodGet, nil).Body.Bytes(), serve(t, IDHandler(), http.MethodGet, nil).Body.Bytes()) {
		t.Error("Handler and IDHandler serve the same script")
	}
}

func testHandler(t *testing.T, h http.Handler, script []byte, maxGzip int) {
	t.Helper()
	common := map[string]string{
		"Content-Type":                "text/javascript; charset=utf-8",
		"Cache-Control":               "public, max-age=3600",
		"Vary":                        "Accept-Encoding",
		"Access-Control-Allow-Origin": "*",
	}

	plain := serve(t, h, http.MethodGet, nil)
	if plain.Code != http.StatusOK {
		t.Fatalf("GET: status %d, want 200", plain.Code)
	}
	wantHeaders(t, plain, common)
	wantHeaders(t, plain, map[string]string{"Content-Encoding": ""})
	if !bytes.Equal(plain.Body.Bytes(), script) {
		t.Error("GET: body is not the script")
	}
	etag := plain.Header().Get("ETag")
	if !strongETag.MatchString(etag) {
		t.Errorf("GET: ETag %q is not a strong content hash", etag)
	}

	gz := serve(t, h, http.MethodGet, map[string]string{"Accept-Encoding": "br;q=1, gzip;q=0.8"})
	if gz.Code != http.StatusOK {
		t.Fatalf("GET gzip: status %d, want 200", gz.Code)
	}
	wantHeaders(t, gz, common)
	wantHeaders(t, gz, map[string]string{"Content-Encoding": "gzip"})
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatalf("GET gzip: %v", err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("GET gzip: %v", err)
	}
	if !bytes.Equal(got, script) {
		t.Error("GET gzip: body does not decode to the script")
	}
	if n := gz.Body.Len(); n >= maxGzip {
		t.Errorf("GET gzip: %d bytes, want < %d", n, maxGzip)
	}
	gzTag := gz.Header().Get("ETag")
	if !strongETag.MatchString(gzTag) || gzTag == etag {
		t.Errorf("GET gzip: ETag %q, want a strong ETag other than the identity one %q", gzTag, etag)
	}

	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"matching", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		{"in a list", map[string]string{"If-None-Match": `"other", ` + etag}, http.StatusNotModified},
		{"weak", map[string]string{"If-None-Match": "W/" + etag}, http.StatusNotModified},
		{"star", map[string]string{"If-None-Match": "*"}, http.StatusNotModified},
		{"gzip", map[string]string{"If-None-Match": gzTag, "Accept-Encoding": "gzip"}, http.StatusNotModified},
		{"other", map[string]string{"If-None-Match": `"other"`}, http.StatusOK},
		{"gzip tag, no gzip", map[string]string{"If-None-Match": gzTag}, http.StatusOK},
	} {
		w := serve(t, h, http.MethodGet, tc.hdr)
		if w.Code != tc.want {
			t.Errorf("If-None-Match %s: status %d, want %d", tc.name, w.Code, tc.want)
		}
		if w.Code == http.StatusNotModified {
			if w.Body.Len() != 0 {
				t.Errorf("If-None-Match %s: 304 with a body", tc.name)
			}
			if w.Header().Get("ETag") == "" || w.Header().Get("Cache-Control") == "" {
				t.Errorf("If-None-Match %s: 304 without ETag or Cache-Control", tc.name)
			}
		}
	}

	head := serve(t, h, http.MethodHead, map[string]string{"Accept-Encoding": "gzip"})
	if head.Code != http.StatusOK {
		t.Fatalf("HEAD: status %d, want 200", head.Code)
	}
	wantHeaders(t, head, common)
	wantHeaders(t, head, map[string]string{"ETag": gzTag, "Content-Encoding": "gzip"})
	if head.Body.Len() != 0 {
		t.Errorf("HEAD: %d bytes of body", head.Body.Len())
	}

	post := serve(t, h, http.MethodPost, nil)
	if post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", post.Code)
	}
}

// TestHandlerOverHTTP checks the handler through a real server and client,
// which would catch a Content-Length that does not match the body.
func TestHandlerOverHTTP(t *testing.T) {
	t.Parallel()
	for _, b := range builds {
		srv := httptest.NewServer(b.handler())
		res, err := srv.Client().Get(srv.URL + "/t.js") // the transport asks for gzip and decodes it
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusOK || !res.Uncompressed || !bytes.Equal(body, b.script()) {
			t.Errorf("%s: GET over HTTP: status %d, uncompressed by the transport %v, script %v",
				b.name, res.StatusCode, res.Uncompressed, bytes.Equal(body, b.script()))
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"deflate, gzip, br"}, true},
		{[]string{"br", "gzip"}, true},
		{[]string{"x-gzip"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"gzip;q=0.1"}, true},
		{[]string{"identity"}, false},
		{[]string{"*"}, true},
		{[]string{"*;q=0"}, false},
		{[]string{"gzip;q=0, *"}, false},
		{[]string{"br, *;q=0.5"}, true},
		{[]string{"gzip;q=abc"}, false},
	} {
		if got := acceptsGzip(tc.in); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
