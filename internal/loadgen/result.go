package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Result is what a run measured.
type Result struct {
	// Config is the run's configuration with defaults and the seed filled in.
	Config Config
	// Target is the /collect URL the load went to.
	Target string
	// Elapsed is the time from the first request to the last answer.
	Elapsed time.Duration
	// Requests counts requests that got an answer or failed; Events the
	// events they carried.
	Requests, Events int64
	// Accepted is the sum of the "accepted" counts of 202 answers: the
	// events the server says it durably stored.
	Accepted int64
	// Mismatched counts 202 answers whose count differs from the batch's.
	Mismatched int64
	// AckedTypes counts the events of fully acknowledged batches by type.
	AckedTypes map[string]int64
	// Status counts answers by HTTP status.
	Status map[int]int64
	// Errors counts requests that got no answer (connection errors,
	// timeouts); FirstError describes the first.
	Errors     int64
	FirstError string
	// Kinds counts batches by kind of the run's shape (Mix, or Singles).
	Kinds map[string]int64
	// Latency summarises the client-side latencies of answered requests.
	Latency Latency
	// Server is what the server's /metrics said; nil when it could not be
	// read, and ServerError says why.
	Server      *Server
	ServerError string
	// ClientCPUSeconds is the CPU time this process used during the run
	// (-1: unknown): the load generator shares the machine with the server.
	ClientCPUSeconds float64
	// MachineCPUSeconds is the CPU time every process on the machine used
	// during the run (-1: unknown); what neither the server nor loadgen
	// used is load from elsewhere that disturbed the measurement.
	MachineCPUSeconds float64
	// Interrupted is true when the run's context ended before its time.
	Interrupted bool
}

// result merges the workers' counts.
func (r *runner) result(workers []*worker, elapsed time.Duration) Result {
	res := Result{Config: r.cfg, Target: r.tgt.collect, Elapsed: elapsed,
		Status: map[int]int64{}, Kinds: map[string]int64{}, AckedTypes: map[string]int64{}}
	recs := make([]*recorder, 0, len(workers))
	for _, w := range workers {
		res.Requests += w.requests
		res.Events += w.sent
		res.Accepted += w.accepted
		res.Mismatched += w.mismatched
		res.Errors += w.errs
		if res.FirstError == "" {
			res.FirstError = w.firstErr
		}
		for typ, n := range w.ackedTypes {
			res.AckedTypes[typ] += n
		}
		for code, n := range w.status {
			res.Status[code] += n
		}
		for i, n := range w.kinds {
			if n > 0 {
				res.Kinds[Kinds(r.cfg.Shape)[i].Name] += n
			}
		}
		recs = append(recs, w.rec)
	}
	res.Latency = summarise(recs)
	return res
}

// EventsPerSecond is the rate of acknowledged events.
func (r Result) EventsPerSecond() float64 { return perSecond(r.Accepted, r.Elapsed) }

// RequestsPerSecond is the rate of requests.
func (r Result) RequestsPerSecond() float64 { return perSecond(r.Requests, r.Elapsed) }

// MeanBatch is the observed mean number of events per request.
func (r Result) MeanBatch() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Events) / float64(r.Requests)
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// OtherCPUCores is the CPU, in cores, that processes other than the
// server and loadgen used during the run; ok is false when it is unknown
// (the server's CPU comes from its /metrics).
func (r Result) OtherCPUCores() (cores float64, ok bool) {
	if r.MachineCPUSeconds < 0 || r.ClientCPUSeconds < 0 || r.Server == nil || !r.Server.Counters || r.Elapsed <= 0 {
		return 0, false
	}
	other := r.MachineCPUSeconds - r.ClientCPUSeconds - r.Server.CPUSeconds
	return max(other, 0) / r.Elapsed.Seconds(), true
}

// RateLimited reports whether so many requests got 429 that the server
// probably sees the whole load as one client.
func (r Result) RateLimited() bool {
	n := r.Status[429]
	return n > 0 && n*100 >= r.Requests
}

// non2xx returns the statuses outside 2xx, in order.
func (r Result) non2xx() []int {
	var codes []int
	for _, c := range slices.Sorted(maps.Keys(r.Status)) {
		if c < 200 || c > 299 {
			codes = append(codes, c)
		}
	}
	return codes
}

// Print writes the result for people.
func (r Result) Print(w io.Writer) error {
	c := r.Config
	var b strings.Builder
	loop := "closed loop (as fast as the server answers)"
	if c.Rate > 0 {
		loop = "target " + group(int64(c.Rate)) + " events/s"
	}
	fmt.Fprintf(&b, "foyer loadgen → %s, site %q, seed %d\n", r.Target, c.Site, c.Seed)
	fmt.Fprintf(&b, "  %s, %d connections, %s visitors, %s pages, %s client IPs, %s; %d CPUs shared with the server\n",
		round(r.Elapsed), c.Conns, group(int64(c.Visitors)), group(int64(c.Pages)), group(int64(c.IPs)), loop, runtime.NumCPU())
	fmt.Fprintf(&b, "  batch %s: mean %.2f events/batch (observed %.2f):", c.Shape, MeanEvents(c.Shape), r.MeanBatch())
	for _, k := range Kinds(c.Shape) {
		fmt.Fprintf(&b, " %s %d%%", k.Name, k.Weight)
	}
	b.WriteString("\n")
	if r.Interrupted {
		b.WriteString("  INTERRUPTED: the figures cover the run until then\n")
	}
	fmt.Fprintf(&b, "requests        %12s  %10s/s\n", group(r.Requests), group(int64(r.RequestsPerSecond())))
	fmt.Fprintf(&b, "events acked    %12s  %10s/s\n", group(r.Accepted), group(int64(r.EventsPerSecond())))
	l := r.Latency
	sampled := ""
	if l.Sampled {
		sampled = ", percentiles from a uniform sample"
	}
	fmt.Fprintf(&b, "latency         p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  mean %s  (%s answers%s)\n",
		ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max), ms(l.Mean), group(l.Count), sampled)
	codes := r.non2xx()
	b.WriteString("non-2xx        ")
	if len(codes) == 0 {
		b.WriteString(" none")
	}
	for _, code := range codes {
		fmt.Fprintf(&b, " %d: %s", code, group(r.Status[code]))
	}
	if n := r.Status[204]; n > 0 {
		fmt.Fprintf(&b, "   (204 dropped: %s)", group(n))
	}
	b.WriteString("\n")
	if r.Errors > 0 {
		fmt.Fprintf(&b, "errors          %s without an answer; first: %s\n", group(r.Errors), r.FirstError)
	}
	if r.Mismatched > 0 {
		fmt.Fprintf(&b, "MISMATCH        %s answers acknowledged a different number of events than sent\n", group(r.Mismatched))
	}
	if s := r.Server; s != nil {
		fmt.Fprintf(&b, "server          peak RSS %.1f MiB", float64(s.PeakRSS)/(1<<20))
		if s.Counters {
			fmt.Fprintf(&b, ", CPU %.2f cores", s.CPUSeconds/r.Elapsed.Seconds())
			if s.Commits > 0 {
				fmt.Fprintf(&b, ", %s commits of %.0f events, %.2f ms each",
					group(s.Commits), float64(s.CommitEvents)/float64(s.Commits), s.CommitSeconds*1000/float64(s.Commits))
			}
		}
		b.WriteString("\n")
	} else {
		fmt.Fprintf(&b, "server          peak RSS unknown: %s\n", r.ServerError)
	}
	if r.ClientCPUSeconds >= 0 {
		fmt.Fprintf(&b, "loadgen         CPU %.2f cores", r.ClientCPUSeconds/r.Elapsed.Seconds())
		if other, ok := r.OtherCPUCores(); ok {
			fmt.Fprintf(&b, "; other processes %.2f cores of %d", other, runtime.NumCPU())
		}
		b.WriteString("\n")
	}
	if r.RateLimited() {
		fmt.Fprintf(&b, "\nHINT: %s of %s requests were rate-limited (429). The server sees the whole load as\n"+
			"one client unless it believes X-Forwarded-For from loadgen: run it with\n"+
			"  foyer serve --trusted-proxy 127.0.0.1/32 …   (or --rate-limit 0)\n",
			group(r.Status[429]), group(r.Requests))
	}
	if r.Accepted == 0 {
		b.WriteString("\nNo event was acknowledged.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// jsonResult is the one-object JSON form of a Result.
type jsonResult struct {
	Target          string           `json:"target"`
	Site            string           `json:"site"`
	Shape           string           `json:"shape"`
	Seed            uint64           `json:"seed"`
	Conns           int              `json:"conns"`
	Visitors        int              `json:"visitors"`
	Pages           int              `json:"pages"`
	IPs             int              `json:"ips"`
	TargetRate      float64          `json:"target_rate"`
	CPUs            int              `json:"cpus"`
	Seconds         float64          `json:"seconds"`
	Requests        int64            `json:"requests"`
	Events          int64            `json:"events_sent"`
	Accepted        int64            `json:"events_acked"`
	EventsPerSecond float64          `json:"events_per_second"`
	RequestsPerSec  float64          `json:"requests_per_second"`
	MixMean         float64          `json:"mix_mean_events_per_batch"`
	MeanBatch       float64          `json:"observed_events_per_batch"`
	Kinds           map[string]int64 `json:"batches_by_kind"`
	Latency         map[string]any   `json:"latency_ms"`
	Status          map[string]int64 `json:"status"`
	Non2xx          map[string]int64 `json:"non_2xx"`
	Errors          int64            `json:"errors"`
	FirstError      string           `json:"first_error,omitempty"`
	Mismatched      int64            `json:"mismatched"`
	PeakRSSMiB      *float64         `json:"server_peak_rss_mib"`
	ServerCPUCores  *float64         `json:"server_cpu_cores,omitempty"`
	Commits         *int64           `json:"server_commits,omitempty"`
	ServerError     string           `json:"server_error,omitempty"`
	ClientCPUCores  *float64         `json:"loadgen_cpu_cores,omitempty"`
	OtherCPUCores   *float64         `json:"other_cpu_cores,omitempty"`
	RateLimitedHint bool             `json:"rate_limited"`
	Interrupted     bool             `json:"interrupted"`
}

// JSON writes the result as one JSON object on one line.
func (r Result) JSON(w io.Writer) error {
	c := r.Config
	secs := r.Elapsed.Seconds()
	j := jsonResult{
		Target: r.Target, Site: c.Site, Shape: c.Shape, Seed: c.Seed, Conns: c.Conns, Visitors: c.Visitors, Pages: c.Pages,
		IPs: c.IPs, TargetRate: c.Rate, CPUs: runtime.NumCPU(), Seconds: secs,
		Requests: r.Requests, Events: r.Events, Accepted: r.Accepted,
		EventsPerSecond: r.EventsPerSecond(), RequestsPerSec: r.RequestsPerSecond(),
		MixMean: MeanEvents(c.Shape), MeanBatch: r.MeanBatch(), Kinds: r.Kinds,
		Latency: map[string]any{
			"p50": msf(r.Latency.P50), "p90": msf(r.Latency.P90), "p99": msf(r.Latency.P99),
			"p999": msf(r.Latency.P999), "max": msf(r.Latency.Max), "mean": msf(r.Latency.Mean),
			"count": r.Latency.Count, "sampled": r.Latency.Sampled,
		},
		Status: map[string]int64{}, Non2xx: map[string]int64{},
		Errors: r.Errors, FirstError: r.FirstError, Mismatched: r.Mismatched,
		ServerError: r.ServerError, RateLimitedHint: r.RateLimited(), Interrupted: r.Interrupted,
	}
	for code, n := range r.Status {
		j.Status[strconv.Itoa(code)] = n
	}
	for _, code := range r.non2xx() {
		j.Non2xx[strconv.Itoa(code)] = r.Status[code]
	}
	if s := r.Server; s != nil {
		mib := float64(s.PeakRSS) / (1 << 20)
		j.PeakRSSMiB = &mib
		if s.Counters && secs > 0 {
			cores := s.CPUSeconds / secs
			j.ServerCPUCores, j.Commits = &cores, &s.Commits
		}
	}
	if r.ClientCPUSeconds >= 0 && secs > 0 {
		cores := r.ClientCPUSeconds / secs
		j.ClientCPUCores = &cores
	}
	if other, ok := r.OtherCPUCores(); ok {
		j.OtherCPUCores = &other
	}
	return json.NewEncoder(w).Encode(j)
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return strconv.FormatFloat(msf(d), 'f', 2, 64) + " ms" }

func round(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

// group writes n with thousands separators: 1,234,567.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
