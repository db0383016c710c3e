package retention

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// fakeStore answers each run with a few removals, or fail.
type fakeStore struct {
	mu    sync.Mutex
	calls int
	pause time.Duration
	fail  error
}

func (f *fakeStore) EnforceRetention(ctx context.Context, opt store.RetentionOptions) ([]foyer.RetentionRun, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.pause = opt.Pause
	return []foyer.RetentionRun{
		{WorkspaceID: 1, Kind: foyer.RetentionEvents, Removed: 100},
		{WorkspaceID: 2, Kind: foyer.RetentionEvents, Removed: 20},
		{WorkspaceID: 1, Kind: foyer.RetentionLinks, Removed: 3},
	}, f.fail
}

func (f *fakeStore) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// TestJobRunsAtStartThenEveryInterval: the job runs after its delay, then
// at its interval, counts what it removed and when, and stops.
func TestJobRunsAtStartThenEveryInterval(t *testing.T) {
	t.Parallel()
	st := &fakeStore{}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	j := &Job{Store: st, Metrics: m, Delay: time.Millisecond, Interval: 20 * time.Millisecond}
	j.Start()
	deadline := time.Now().Add(5 * time.Second)
	for st.count() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	j.Stop()
	n := st.count()
	if n < 3 {
		t.Fatalf("%d runs in 5 s, want at least 3", n)
	}
	time.Sleep(50 * time.Millisecond)
	if st.count() != n {
		t.Error("the job ran after Stop")
	}
	if got := value(t, reg, "foyer_retention_removed_total", "events"); got != float64(120*n) {
		t.Errorf("events removed = %v, want %d", got, 120*n)
	}
	if got := value(t, reg, "foyer_retention_removed_total", "links"); got != float64(3*n) {
		t.Errorf("links removed = %v, want %d", got, 3*n)
	}
	if got := value(t, reg, "foyer_retention_last_run_timestamp_seconds", ""); got < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last run = %v", got)
	}
	if st.pause != DefaultPause {
		t.Errorf("pause %v, want %v", st.pause, DefaultPause)
	}
}

// TestJobFailure: a failed run is counted, and the last success stays.
func TestJobFailure(t *testing.T) {
	t.Parallel()
	st := &fakeStore{fail: errors.New("disk on fire")}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	var log strings.Builder
	j := &Job{Store: st, Metrics: m, Log: newTextLogger(&log)}
	if _, err := j.Run(context.Background()); err == nil {
		t.Fatal("no error")
	}
	if value(t, reg, "foyer_retention_failures_total", "") != 1 || value(t, reg, "foyer_retention_last_success_timestamp_seconds", "") != 0 || value(t, reg, "foyer_retention_last_run_timestamp_seconds", "") == 0 {
		t.Errorf("failures %v, last ok %v, last run %v", value(t, reg, "foyer_retention_failures_total", ""), value(t, reg, "foyer_retention_last_success_timestamp_seconds", ""), value(t, reg, "foyer_retention_last_run_timestamp_seconds", ""))
	}
	if !strings.Contains(log.String(), "disk on fire") || !strings.Contains(log.String(), "events=120") {
		t.Errorf("log: %s", log.String())
	}
}

// value reads a metric of reg: its series of the kind label, or its only one.
func value(t *testing.T, reg *prometheus.Registry, name, kind string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if kind != "" && (len(m.GetLabel()) != 1 || m.GetLabel()[0].GetValue() != kind) {
				continue
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s %s", name, kind)
	return 0
}
