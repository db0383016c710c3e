package tracker

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// handler serves one script, precompressed once.
type handler struct {
	body, gz   []byte // gz is nil when compression failed
	etag, gzip string // strong ETags of the identity and gzip representations
}

// Handler returns an http.Handler that serves the core tracker script
// (Script), meant for /t.js, to GET and HEAD requests, with the script
// compressed once, here, so call it once at start-up. Responses carry Content-Type text/javascript, a strong ETag (a
// content hash; If-None-Match is answered 304), Cache-Control public,
// max-age=3600, Access-Control-Allow-Origin * and, when Accept-Encoding allows
// gzip, a gzip body (with Vary: Accept-Encoding always). Other methods get 405.
func Handler() http.Handler {
	return newHandler(script)
}

// IDHandler returns an http.Handler that serves the tracker script with
// identification (IDScript), meant for /ti.js, as Handler serves the core
// one; call it once at start-up too.
func IDHandler() http.Handler {
	return newHandler(idScript)
}

// newHandler returns the handler of one script, compressed here.
func newHandler(script []byte) *handler {
	sum := sha256.Sum256(script)
	tag := base64.RawURLEncoding.EncodeToString(sum[:18])
	h := &handler{body: script, etag: `"` + tag + `"`, gzip: `"` + tag + `-gz"`}
	var buf bytes.Buffer
	if zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression); err == nil {
		if _, err := zw.Write(script); err == nil && zw.Close() == nil {
			h.gz = buf.Bytes()
		}
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, etag := h.body, h.etag
	gz := h.gz != nil && acceptsGzip(r.Header.Values("Accept-Encoding"))
	if gz {
		body, etag = h.gz, h.gzip
	}
	hdr.Set("Content-Type", "text/javascript; charset=utf-8")
	hdr.Set("Cache-Control", "public, max-age=3600")
	hdr.Set("ETag", etag)
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("Cross-Origin-Resource-Policy", "cross-origin")
	hdr.Set("X-Content-Type-Options", "nosniff")
	if etagMatch(r.Header.Values("If-None-Match"), etag) {
		hdr.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(body) //nolint:errcheck // the client went away; nothing to do
	}
}

// acceptsGzip reports whether Accept-Encoding header values allow gzip: a gzip
// (or x-gzip) coding, or else *, with a q-value above zero.
func acceptsGzip(values []string) bool {
	star := false
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			ok := qNonZero(params)
			switch coding {
			case "gzip", "x-gzip":
				return ok
			case "*":
				star = ok
			}
		}
	}
	return star
}

// qNonZero reports whether coding parameters such as "q=0.5" leave the weight
// above zero; without a q parameter the weight is 1.
func qNonZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q > 0
		}
	}
	return true
}

// etagMatch reports whether If-None-Match header values name etag or "*",
// comparing weakly as RFC 9110 requires for If-None-Match.
func etagMatch(values []string, etag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}
