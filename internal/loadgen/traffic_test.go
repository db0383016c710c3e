package loadgen

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/collect"
)

func TestMixMean(t *testing.T) {
	t.Parallel()
	total := 0
	for _, k := range Mix {
		total += k.Weight
		if k.MinEvents < 1 || k.MaxEvents > 10 || k.MinEvents > k.MaxEvents {
			t.Errorf("%s: %d to %d events, want within 1 to 10", k.Name, k.MinEvents, k.MaxEvents)
		}
	}
	if total != 100 {
		t.Errorf("weights add up to %d%%", total)
	}
	if got := MixMean(); math.Abs(got-2.10) > 1e-9 {
		t.Errorf("MixMean() = %v, want 2.10", got)
	}
}

// TestTrafficIsValid generates many batches and feeds each to the real
// collector's parser and validator: every one must be accepted whole, with
// the documented mix and a mean near MixMean.
func TestTrafficIsValid(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	tr := newTraffic("demo", newPages(50), rng)
	visitors := make([]*visitor, 40)
	for i := range visitors {
		visitors[i] = &visitor{id: newVisitorID(rng), cur: tr.pickPage()}
	}
	w := &worker{rng: rng, traffic: tr, visitors: visitors}
	site := &foyer.Site{ID: 1, Key: "demo", Hostnames: []string{"localhost"}}
	const n = 20_000
	var events int
	var kinds [numKinds]int
	var utm, referred int
	for range n {
		kind := tr.pickKind()
		v := w.pickVisitor(tr.needsPage(kind))
		if v.cur < 0 && tr.needsPage(kind) {
			t.Fatalf("no visitor on a page for a %s batch", Mix[kind].Name)
		}
		evs := tr.next(v, kind, nil)
		kinds[kind]++
		if len(evs) < Mix[kind].MinEvents || len(evs) > Mix[kind].MaxEvents {
			t.Fatalf("%s batch of %d events", Mix[kind].Name, len(evs))
		}
		events += len(evs)
		body, err := json.Marshal(batch{Site: "demo", Visitor: v.id, Events: evs})
		if err != nil {
			t.Fatal(err)
		}
		p, err := collect.ParsePayload(body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		hits, err := collect.BuildHits(site, p, foyer.Origin{}, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if len(hits) != len(evs) {
			t.Fatalf("%d hits of %d events", len(hits), len(evs))
		}
		if kind == kindLanding {
			if !hits[0].UTM.IsZero() {
				utm++
			}
			if hits[0].Referrer != "" {
				referred++
			}
		}
		for _, h := range hits {
			if h.Host != "localhost" || h.Kind == foyer.KindPageview && h.Title == "" {
				t.Fatalf("hit %+v from %s", h, body)
			}
		}
	}
	for i, k := range Mix {
		if share := float64(kinds[i]) / n * 100; math.Abs(share-float64(k.Weight)) > 1.5 {
			t.Errorf("%s: %.1f%% of batches, want %d%%", k.Name, share, k.Weight)
		}
	}
	if mean := float64(events) / n; math.Abs(mean-MixMean()) > 0.05 {
		t.Errorf("mean %.3f events per batch, want %.2f", mean, MixMean())
	}
	landings := float64(kinds[kindLanding])
	if share := float64(utm) / landings; share < 0.25 || share > 0.35 {
		t.Errorf("%.2f of landings with UTM parameters, want 0.3", share)
	}
	if share := float64(referred) / landings; share < 0.35 || share > 0.45 {
		t.Errorf("%.2f of landings with an external referrer, want 0.4", share)
	}
}

// TestSingleShape checks the one-event shape: every batch one valid event,
// pageviews and engagements in about equal shares, landings among the
// pageviews.
func TestSingleShape(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	tr := newShapedTraffic("demo", ShapeSingle, newPages(50), rng)
	visitors := make([]*visitor, 40)
	for i := range visitors {
		visitors[i] = &visitor{id: newVisitorID(rng), cur: -1}
	}
	w := &worker{rng: rng, traffic: tr, visitors: visitors}
	site := &foyer.Site{ID: 1, Key: "demo", Hostnames: []string{"localhost"}}
	const n = 10_000
	var kinds [2]int
	var utm int
	for range n {
		kind := tr.pickKind()
		v := w.pickVisitor(tr.needsPage(kind))
		if v.cur < 0 && tr.needsPage(kind) {
			kind = tr.fallback()
		}
		evs := tr.next(v, kind, nil)
		if len(evs) != 1 {
			t.Fatalf("%s batch of %d events", Singles[kind].Name, len(evs))
		}
		if want := Singles[kind].Name; evs[0].Type != want {
			t.Fatalf("%s batch with a %s event", want, evs[0].Type)
		}
		kinds[kind]++
		body, err := json.Marshal(batch{Site: "demo", Visitor: v.id, Events: evs})
		if err != nil {
			t.Fatal(err)
		}
		p, err := collect.ParsePayload(body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		hits, err := collect.BuildHits(site, p, foyer.Origin{}, time.Now())
		if err != nil || len(hits) != 1 {
			t.Fatalf("%s: %d hits, %v", body, len(hits), err)
		}
		if !hits[0].UTM.IsZero() {
			utm++
		}
	}
	for i, k := range Singles {
		if share := float64(kinds[i]) / n * 100; math.Abs(share-float64(k.Weight)) > 2 {
			t.Errorf("%s: %.1f%% of batches, want %d%%", k.Name, share, k.Weight)
		}
	}
	if utm == 0 {
		t.Error("no landing with UTM parameters")
	}
}

func TestNewPagesDistinct(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 14, 200, 5000} {
		pages := newPages(n)
		seen := map[string]bool{}
		for _, p := range pages {
			if seen[p.url] || !strings.HasPrefix(p.url, "http://localhost/") || p.title == "" {
				t.Fatalf("page %+v (duplicate: %v)", p, seen[p.url])
			}
			seen[p.url] = true
		}
		if len(pages) != n {
			t.Errorf("newPages(%d) made %d", n, len(pages))
		}
	}
}

func TestIPPoolUsesDocumentationRanges(t *testing.T) {
	t.Parallel()
	allowed := []netip.Prefix{
		netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
	}
	for _, n := range []int{1, 700, 5000, 100_000} {
		pool := ipPool(n)
		if len(pool) != n {
			t.Fatalf("ipPool(%d) has %d addresses", n, len(pool))
		}
		seen := map[netip.Addr]bool{}
		for _, s := range pool {
			a, err := netip.ParseAddr(s)
			if err != nil || seen[a] {
				t.Fatalf("address %q: %v (duplicate: %v)", s, err, seen[a])
			}
			seen[a] = true
			ok := false
			for _, p := range allowed {
				ok = ok || p.Contains(a)
			}
			if !ok {
				t.Fatalf("address %s is outside the documentation ranges", a)
			}
		}
	}
}

func TestVisitorID(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	seen := map[string]bool{}
	for range 1000 {
		id := newVisitorID(rng)
		if len(id) != 22 || strings.Trim(id, idAlphabet) != "" || seen[id] {
			t.Fatalf("visitor ID %q", id)
		}
		seen[id] = true
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var d []time.Duration
	for i := 1; i <= 1000; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tc := range []struct {
		permille int
		want     time.Duration
	}{{500, 500}, {900, 900}, {990, 990}, {999, 999}, {1000, 1000}, {1, 1}} {
		if got := percentile(d, tc.permille); got != tc.want {
			t.Errorf("percentile(1..1000, %d‰) = %d, want %d", tc.permille, got, tc.want)
		}
	}
	if got := percentile(d[:3], 500); got != 2 {
		t.Errorf("median of 1,2,3 = %d", got)
	}
	if got := percentile(d[:1], 990); got != 1 {
		t.Errorf("p99 of one value = %d", got)
	}
}

// TestRecorderSamples checks that a full recorder keeps a uniform sample
// and exact counts.
func TestRecorderSamples(t *testing.T) {
	t.Parallel()
	r := newRecorder(1000, rand.New(rand.NewPCG(5, 6)))
	for i := 1; i <= 100_000; i++ {
		r.add(time.Duration(i))
	}
	l := summarise([]*recorder{r})
	if l.Count != 100_000 || l.Max != 100_000 || !l.Sampled || l.Mean != 50_000 {
		t.Errorf("summary %+v", l)
	}
	if l.P50 < 45_000 || l.P50 > 55_000 || l.P90 < 87_000 || l.P90 > 93_000 {
		t.Errorf("sampled p50 %d, p90 %d: want about 50,000 and 90,000", l.P50, l.P90)
	}
	exact := newRecorder(1000, nil)
	for i := 10; i >= 1; i-- {
		exact.add(time.Duration(i))
	}
	if l := summarise([]*recorder{exact}); l.Sampled || l.P50 != 5 || l.P90 != 9 || l.Max != 10 {
		t.Errorf("exact summary %+v", l)
	}
}

func TestParseMetrics(t *testing.T) {
	t.Parallel()
	m, err := parseMetrics(strings.NewReader(`# HELP foyer_process_peak_resident_memory_bytes Peak.
# TYPE foyer_process_peak_resident_memory_bytes gauge
foyer_process_peak_resident_memory_bytes 4.5662208e+07
foyer_events_rejected_total{reason="bot"} 3
process_cpu_seconds_total 12.5
foyer_commit_events_count 17
garbage
`))
	if err != nil {
		t.Fatal(err)
	}
	if m[metricPeakRSS] != 45662208 || m[metricCPU] != 12.5 || m[metricCommits] != 17 || len(m) != 3 {
		t.Errorf("parsed %v", m)
	}
	s, ok := serverDelta(map[string]float64{metricCPU: 10.5, metricCommits: 7}, m)
	if !ok || s.PeakRSS != 45662208 || s.CPUSeconds != 2 || s.Commits != 10 || !s.Counters {
		t.Errorf("delta %+v, %v", s, ok)
	}
	if s, ok := serverDelta(nil, m); !ok || s.Counters || s.PeakRSS != 45662208 {
		t.Errorf("delta without before: %+v, %v", s, ok)
	}
	if _, ok := serverDelta(nil, map[string]float64{}); ok {
		t.Error("delta without the peak RSS is ok")
	}
}
