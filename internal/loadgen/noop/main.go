//go:build unix

// Command noop is the yardstick of scripts/bench-collect: an HTTP server
// on a loopback address that answers POST /collect the way Foyer's
// collector does on success, without doing any of its work. It reads the
// body, sets the collector's CORS header and answers 202 with
// {"accepted":N}, N the number of "type" keys in the body (the events of a
// batch, so that `foyer loadgen` counts its answers as acknowledged in
// either traffic shape). It serves /metrics with the two samples loadgen
// reads (the process's CPU time and peak RSS) so that loadgen reports the
// server's CPU for it as for Foyer.
//
// It runs as a process of its own, like `foyer serve`, so that both are
// measured alike: one Go process, net/http with Foyer's server timeouts,
// on the same two CPUs as the load generator.
//
//	go run ./internal/loadgen/noop --listen 127.0.0.1:18301
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/foyerhq/foyer/internal/procstat"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18301", "loopback address to listen on")
	flag.Parse()
	ap, err := netip.ParseAddrPort(*listen)
	if err != nil || !ap.Addr().IsLoopback() {
		log.Fatalf("noop: --listen %q: want a loopback address and port", *listen)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/collect", collect)
	mux.HandleFunc("GET /metrics", metrics)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ready\n") })
	// Foyer's server settings (internal/app), so that only the handler differs.
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	log.Fatal(srv.Serve(ln))
}

var typeKey = []byte(`"type"`)

// collect answers a batch as Foyer's collector answers an accepted one.
func collect(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, `{"error":{"message":"could not read the body"}}`, http.StatusBadRequest)
		return
	}
	h := w.Header()
	if origin := r.Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"accepted":`+strconv.Itoa(bytes.Count(body, typeKey))+"}\n")
}

// metrics writes the samples `foyer loadgen` reads from Foyer's /metrics.
func metrics(w http.ResponseWriter, _ *http.Request) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	fmt.Fprintf(w, "process_cpu_seconds_total %g\n", tv(ru.Utime)+tv(ru.Stime))
	if rss, ok := procstat.PeakRSS(); ok {
		fmt.Fprintf(w, "foyer_process_peak_resident_memory_bytes %g\n", rss)
	}
}
