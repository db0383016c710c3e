package backup_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/prometheus/client_golang/prometheus"
)

var quiet = slog.New(slog.DiscardHandler)

// fakeBackups is a schedule whose backups are small files, and whose
// verify fails while failing is set.
type fakeBackups struct {
	created int
	failing bool
}

func (f *fakeBackups) config(dir string, clock *testutil.Clock, reg prometheus.Registerer) backup.SchedulerConfig {
	return backup.SchedulerConfig{
		Dir: dir, Keep: backup.DefaultRetention, Now: clock.Now, Registerer: reg, Log: quiet,
		Create: func(_ context.Context, path string, _ time.Time) error {
			f.created++
			return os.WriteFile(path, []byte("backup"), 0o600)
		},
		Verify: func(context.Context, string) error {
			if f.failing {
				return errors.New("the backup does not match its manifest")
			}
			return nil
		},
	}
}

// kinds counts the backups of each kind in dir, and returns the times of
// each kind's, oldest first.
func kinds(t *testing.T, dir string) map[string][]time.Time {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]time.Time{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), backup.Ext)
		if !ok {
			continue
		}
		parts := strings.Split(name, "-")
		at, err := time.Parse("20060102T150405Z", parts[1])
		if err != nil {
			t.Fatal(err)
		}
		out[parts[2]] = append(out[parts[2]], at)
	}
	return out
}

// TestScheduleRetention: six weeks of hourly ticks (and a few between)
// leave exactly 24 hourly, 7 daily and 4 weekly backups, the newest of
// each, one per hour, day and ISO week; a backup due for several kinds is
// taken once.
func TestScheduleRetention(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC))
	f := &fakeBackups{}
	s := backup.NewScheduler(f.config(dir, clock, nil))
	ctx := context.Background()
	const hours = 6 * 7 * 24
	for range hours {
		for range 3 { // ticks within the hour take nothing more
			if err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			clock.Add(20 * time.Minute)
		}
	}
	if f.created != hours {
		t.Errorf("%d backups taken in %d hours", f.created, hours)
	}
	got := kinds(t, dir)
	for kind, want := range map[string]int{"hourly": 24, "daily": 7, "weekly": 4} {
		if len(got[kind]) != want {
			t.Errorf("%d %s backups kept, want %d", len(got[kind]), kind, want)
		}
	}
	last := clock.Now().Add(-20 * time.Minute).Truncate(time.Hour).Add(5 * time.Minute)
	if h := got["hourly"]; len(h) > 0 && (!h[len(h)-1].Equal(last) || !h[0].Equal(last.Add(-23*time.Hour))) {
		t.Errorf("hourly backups from %v to %v; want the last 24 hours to %v", h[0], h[len(h)-1], last)
	}
	for i, d := range got["daily"][1:] {
		if d.Sub(got["daily"][i]) != 24*time.Hour {
			t.Errorf("daily backups %v and %v", got["daily"][i], d)
		}
	}
	for i, w := range got["weekly"] {
		if w.Weekday() != time.Monday || (i > 0 && w.Sub(got["weekly"][i-1]) != 7*24*time.Hour) {
			t.Errorf("weekly backup at %v", w)
		}
	}
}

// TestScheduleFailure: a backup that fails its verify is kept aside as
// .failed, raises the metric and the status, and is retried after the
// wait, not at every tick; a success clears them.
func TestScheduleFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC))
	reg := prometheus.NewRegistry()
	f := &fakeBackups{failing: true}
	s := backup.NewScheduler(f.config(dir, clock, reg))
	ctx := context.Background()
	if err := s.Tick(ctx); err == nil {
		t.Fatal("a failing verify passed")
	}
	if st := s.Status(); !st.Failing || !strings.Contains(st.Problem, "manifest") {
		t.Errorf("status %+v", st)
	}
	if gauge(t, reg, "foyer_backup_failing") != 1 || gauge(t, reg, "foyer_backup_failures_total") != 1 {
		t.Error("the failure metrics are not raised")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.failed")); len(m) != 1 {
		t.Errorf("failed backups kept: %v", m)
	}
	clock.Add(time.Minute)
	s.Tick(ctx)
	if f.created != 1 {
		t.Errorf("retried at once: %d backups", f.created)
	}
	f.failing = false
	clock.Add(10 * time.Minute)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Failing || !st.LastSuccess.Equal(clock.Now()) {
		t.Errorf("status after a success: %+v", st)
	}
	if gauge(t, reg, "foyer_backup_failing") != 0 || gauge(t, reg, "foyer_backup_last_success_timestamp_seconds") != float64(clock.Now().Unix()) {
		t.Error("the metrics are not cleared")
	}
	if k := kinds(t, dir); len(k["hourly"]) != 1 || len(k["daily"]) != 1 || len(k["weekly"]) != 1 {
		t.Errorf("after the success: %v", k)
	}
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if g := m.GetGauge(); g != nil {
			return g.GetValue()
		}
		return m.GetCounter().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestScheduleReal: the schedule's real backups of a SQLite database
// verify and are listed as verified, under each kind's name.
func TestScheduleReal(t *testing.T) {
	t.Parallel()
	dsn, _ := newStore(t, store.SQLite)
	dir := t.TempDir()
	key := testKey(t, 1)
	clock := testutil.NewClock(time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC))
	s := backup.NewScheduler(backup.SchedulerConfig{Dir: dir, Keep: backup.DefaultRetention, Now: clock.Now, Log: quiet,
		Create: func(ctx context.Context, path string, now time.Time) error {
			_, err := backup.Create(ctx, dsn, path, key, now)
			return err
		},
		Verify: func(ctx context.Context, path string) error {
			_, err := backup.Verify(ctx, path, key, backup.VerifyOptions{Now: clock.Now})
			return err
		},
	})
	for range 2 {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Hour)
	}
	list, err := backup.List(dir, key)
	if err != nil || len(list) != 4 {
		t.Fatalf("list: %d backups, %v", len(list), err)
	}
	for _, in := range list {
		if in.Manifest == nil || in.Verified.IsZero() {
			t.Errorf("%s: %+v", in.Path, in)
		}
	}
}
