package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Metric names read from the server's /metrics.
const (
	metricPeakRSS      = "foyer_process_peak_resident_memory_bytes"
	metricCPU          = "process_cpu_seconds_total"
	metricCommitEvents = "foyer_commit_events_sum"
	metricCommits      = "foyer_commit_events_count"
	metricCommitTime   = "foyer_commit_duration_seconds_sum"
)

// scrape reads the label-less samples of the Prometheus text exposition
// at url into a map.
func scrape(ctx context.Context, c *http.Client, url string) (map[string]float64, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return parseMetrics(resp.Body)
}

// parseMetrics parses "name value" lines; lines with labels, comments and
// malformed lines are skipped.
func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.ContainsRune(line, '{') {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			out[f[0]] = v
		}
	}
	return out, sc.Err()
}

// Server is what the server's /metrics told about the run.
type Server struct {
	// PeakRSS is the server process's peak resident set size in bytes.
	PeakRSS int64
	// CPUSeconds is the CPU time the server used during the run.
	CPUSeconds float64
	// Commits and CommitEvents count the group commits during the run and
	// the events they stored; CommitSeconds is their total time.
	Commits, CommitEvents int64
	CommitSeconds         float64
	// Counters is false when the metrics before the run could not be read:
	// then only PeakRSS is known.
	Counters bool
}

// serverDelta turns the metrics before and after a run into a Server;
// ok is false when after lacks the peak RSS.
func serverDelta(before, after map[string]float64) (Server, bool) {
	rss, ok := after[metricPeakRSS]
	if !ok {
		return Server{}, false
	}
	if before == nil {
		return Server{PeakRSS: int64(rss)}, true
	}
	d := func(name string) float64 { return after[name] - before[name] }
	return Server{
		Counters:      true,
		PeakRSS:       int64(rss),
		CPUSeconds:    d(metricCPU),
		Commits:       int64(d(metricCommits)),
		CommitEvents:  int64(d(metricCommitEvents)),
		CommitSeconds: d(metricCommitTime),
	}, true
}
