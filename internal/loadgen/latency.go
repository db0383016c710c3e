package loadgen

import (
	"math/rand/v2"
	"slices"
	"time"
)

// maxSamples bounds the latencies kept in memory over all workers (8 bytes
// each). Up to it every latency is kept and percentiles are exact; past it
// each worker keeps a uniform reservoir sample, and Latency.Sampled says so.
const maxSamples = 8 << 20

// recorder keeps one worker's latencies.
type recorder struct {
	limit   int
	samples []time.Duration
	seen    int64
	max     time.Duration
	sum     time.Duration
	rng     *rand.Rand
}

func newRecorder(limit int, rng *rand.Rand) *recorder {
	return &recorder{limit: max(limit, 1), samples: make([]time.Duration, 0, min(limit, 4096)), rng: rng}
}

func (r *recorder) add(d time.Duration) {
	r.seen++
	r.sum += d
	r.max = max(r.max, d)
	if len(r.samples) < r.limit {
		r.samples = append(r.samples, d)
		return
	}
	// Algorithm R: every latency seen stays in the sample with equal chance.
	if j := r.rng.Int64N(r.seen); j < int64(r.limit) {
		r.samples[j] = d
	}
}

// Latency summarises client-side request latencies: from writing the
// request to reading the whole response.
type Latency struct {
	Count                          int64
	Mean, P50, P90, P99, P999, Max time.Duration
	// Sampled is true when percentiles come from a uniform sample of the
	// latencies rather than from all of them.
	Sampled bool
}

// summarise merges the recorders' latencies.
func summarise(recs []*recorder) Latency {
	var l Latency
	var all []time.Duration
	var sum time.Duration
	for _, r := range recs {
		l.Count += r.seen
		sum += r.sum
		l.Max = max(l.Max, r.max)
		all = append(all, r.samples...)
		l.Sampled = l.Sampled || r.seen > int64(len(r.samples))
	}
	if l.Count == 0 {
		return l
	}
	slices.Sort(all)
	l.Mean = sum / time.Duration(l.Count)
	l.P50, l.P90, l.P99, l.P999 = percentile(all, 500), percentile(all, 900), percentile(all, 990), percentile(all, 999)
	return l
}

// percentile returns the nearest-rank percentile of sorted values, given in
// per mille (990 is p99): the smallest value that at least that share of
// them do not exceed.
func percentile(sorted []time.Duration, permille int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (permille*n + 999) / 1000 // ceil(permille/1000 × n)
	return sorted[min(max(rank, 1), n)-1]
}
