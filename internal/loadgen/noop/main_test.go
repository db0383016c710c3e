//go:build unix

package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCollectAnswersLikeFoyer(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"site":"demo","visitor":"k3J9xQ2mW8rT5vYb","events":[{"type":"pageview","url":"http://localhost/"}]}`: `{"accepted":1}`,
		`{"events":[{"type":"engagement"},{"type":"pageview"}]}`:                                                `{"accepted":2}`,
	} {
		req := httptest.NewRequest(http.MethodPost, "/collect", strings.NewReader(body))
		req.Header.Set("Origin", "http://localhost")
		rec := httptest.NewRecorder()
		collect(rec, req)
		if rec.Code != http.StatusAccepted || strings.TrimSpace(rec.Body.String()) != want ||
			rec.Header().Get("Access-Control-Allow-Origin") != "http://localhost" {
			t.Errorf("%s: %d %q %v, want 202 %s with the CORS header", body, rec.Code, rec.Body, rec.Header(), want)
		}
	}
}

func TestMetricsHasWhatLoadgenReads(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	metrics(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, name := range []string{"process_cpu_seconds_total ", "foyer_process_peak_resident_memory_bytes "} {
		if !strings.Contains(rec.Body.String(), "\n"+name) && !strings.HasPrefix(rec.Body.String(), name) {
			t.Errorf("/metrics %q lacks %s", rec.Body, name)
		}
	}
}
