package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Retention is how many backups of each kind the schedule keeps; 0 takes
// none of that kind.
type Retention struct {
	Hourly, Daily, Weekly int
}

// DefaultRetention keeps a day of hourly backups, a week of daily ones and
// four weekly ones.
var DefaultRetention = Retention{Hourly: 24, Daily: 7, Weekly: 4}

// tier is one kind of scheduled backup: its name, how many are kept, and
// the period a time falls in (one backup per period).
type tier struct {
	name   string
	keep   int
	period func(time.Time) time.Time
}

func (r Retention) tiers() []tier {
	return []tier{
		{"hourly", r.Hourly, func(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }},
		{"daily", r.Daily, func(t time.Time) time.Time {
			y, m, d := t.UTC().Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}},
		{"weekly", r.Weekly, func(t time.Time) time.Time {
			y, m, d := t.UTC().Date()
			day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // Monday
		}},
	}
}

// SchedulerConfig is what a Scheduler is told.
type SchedulerConfig struct {
	// Dir holds the backups.
	Dir  string
	Keep Retention
	// Create writes a backup at path, taken at now; Verify checks it.
	Create func(ctx context.Context, path string, now time.Time) error
	Verify func(ctx context.Context, path string) error
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Every is how often Start's loop looks for a backup due; a minute when 0.
	Every time.Duration
	// RetryAfter is how long the schedule waits after a failure before it
	// tries again; 10 minutes when 0.
	RetryAfter time.Duration
	Log        *slog.Logger
	// Registerer, when not nil, gets the schedule's metrics.
	Registerer prometheus.Registerer
	// Remote, when not nil, gets a copy of every scheduled backup once it
	// is verified, and loses the copies of those the schedule removes
	// (see Scheduler.Tick).
	Remote Remote
}

// Status is the outcome of the schedule's last backup.
type Status struct {
	// Failing is set when the last scheduled backup, or its verify,
	// failed; Problem says what, for the operator (no personal data).
	Failing     bool
	Problem     string
	LastSuccess time.Time
	// UploadFailing is set when the last copy of the backups to the
	// Remote failed (the local backups are not affected); UploadProblem
	// says what. LastUpload is when a copy last succeeded.
	UploadFailing bool
	UploadProblem string
	LastUpload    time.Time
}

// Scheduler takes the hourly, daily and weekly backups, verifies each, and
// keeps each kind to its number. A backup due for several kinds at once is
// taken once and linked under each kind's name.
type Scheduler struct {
	cfg     SchedulerConfig
	tiers   []tier
	metrics schedulerMetrics

	mu      sync.Mutex
	status  Status
	retryAt time.Time

	// unsynced is set while the Remote may lack a backup or hold one the
	// schedule removed: at the start, after each backup, after a failed
	// copy. Only Tick reads and writes it.
	unsynced bool

	stop context.CancelFunc
	done chan struct{}
}

type schedulerMetrics struct {
	lastSuccess, failing, size, duration prometheus.Gauge
	failures                             prometheus.Counter
	upload                               uploadMetrics
}

// NewScheduler returns a scheduler of cfg; Start runs it.
func NewScheduler(cfg SchedulerConfig) *Scheduler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Minute
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 10 * time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Scheduler{cfg: cfg, tiers: cfg.Keep.tiers(), metrics: schedulerMetrics{
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "foyer_backup_last_success_timestamp_seconds",
			Help: "When the last scheduled backup was taken and verified (Unix time)."}),
		failing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "foyer_backup_failing",
			Help: "1 when the last scheduled backup or its verification failed, else 0."}),
		size: prometheus.NewGauge(prometheus.GaugeOpts{Name: "foyer_backup_size_bytes",
			Help: "Size of the last scheduled backup's file."}),
		duration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "foyer_backup_duration_seconds",
			Help: "Time the last scheduled backup took, with its verification."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "foyer_backup_failures_total",
			Help: "Scheduled backups that failed, or failed their verification."}),
	}}
	if cfg.Registerer != nil {
		m := s.metrics
		cfg.Registerer.MustRegister(m.lastSuccess, m.failing, m.size, m.duration, m.failures)
	}
	if cfg.Remote != nil {
		s.metrics.upload = newUploadMetrics(cfg.Registerer)
		s.unsynced = true
	}
	return s
}

// Status returns the outcome of the last scheduled backup.
func (s *Scheduler) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.status
}

// Start runs the schedule in the background until Stop.
func (s *Scheduler) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(s.cfg.Every)
		defer t.Stop()
		for {
			s.Tick(ctx) // its errors are logged and counted
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// Stop ends the schedule, cancelling a backup in progress, and waits for it.
func (s *Scheduler) Stop() {
	if s.stop != nil {
		s.stop()
		<-s.done
	}
}

// backupFile is a scheduled backup in Dir.
type backupFile struct {
	name string
	at   time.Time
}

// files returns the backups of kind in Dir, oldest first.
func (s *Scheduler) files(kind string) ([]backupFile, error) {
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []backupFile
	for _, e := range entries {
		if at, ok := scheduledName(e.Name(), kind); ok {
			out = append(out, backupFile{e.Name(), at})
		}
	}
	slices.SortFunc(out, func(a, b backupFile) int { return a.at.Compare(b.at) })
	return out, nil
}

// scheduledName reports whether name is that of a scheduled backup of
// kind (foyer-YYYYMMDDTHHMMSSZ-KIND.fbk), and its time.
func scheduledName(name, kind string) (time.Time, bool) {
	stamp, ok := strings.CutPrefix(name, "foyer-")
	if !ok {
		return time.Time{}, false
	}
	if stamp, ok = strings.CutSuffix(stamp, "-"+kind+Ext); !ok {
		return time.Time{}, false
	}
	at, err := time.Parse("20060102T150405Z", stamp)
	return at, err == nil
}

// Tick takes the backup that is due, if one is (the current hour, day or
// week has none of its kind), verifies it, and prunes each kind to its
// number. A failure is logged, counted and kept in Status; the schedule
// then waits RetryAfter before it tries again.
//
// With a Remote, Tick then brings the Remote to the backups of the
// schedule (see sync) whenever it may differ: after a backup, and at
// every tick after a failed copy, until one succeeds. A failed copy is
// logged, counted and kept in Status apart from the backups' own
// failures; the local backups stay whatever happens to the copy.
func (s *Scheduler) Tick(ctx context.Context) error {
	err := s.take(ctx, s.cfg.Now())
	if s.cfg.Remote != nil && s.unsynced {
		err = errors.Join(err, s.sync(ctx))
	}
	return err
}

// take takes and verifies the backup due at now, if any, and prunes.
func (s *Scheduler) take(ctx context.Context, now time.Time) error {
	var due []tier
	for _, t := range s.tiers {
		if t.keep <= 0 {
			continue
		}
		files, err := s.files(t.name)
		if err != nil {
			return s.fail(now, fmt.Errorf("backup: list %s: %w", s.cfg.Dir, err))
		}
		if len(files) == 0 || !t.period(files[len(files)-1].at).Equal(t.period(now)) {
			due = append(due, t)
		}
	}
	if len(due) == 0 {
		return nil
	}
	s.mu.Lock()
	wait := now.Before(s.retryAt)
	s.mu.Unlock()
	if wait {
		return nil
	}
	if err := os.MkdirAll(s.cfg.Dir, 0o700); err != nil {
		return s.fail(now, fmt.Errorf("backup: %w", err))
	}
	path := filepath.Join(s.cfg.Dir, FileName(now, due[0].name))
	start := time.Now()
	err := s.cfg.Create(ctx, path, now)
	if err == nil {
		err = s.cfg.Verify(ctx, path)
		if err != nil {
			os.Rename(path, path+".failed") // kept for a look, out of the schedule
		}
	}
	if err != nil {
		return s.fail(now, err)
	}
	for _, t := range due[1:] {
		if err := linkBackup(path, filepath.Join(s.cfg.Dir, FileName(now, t.name))); err != nil {
			return s.fail(now, err)
		}
	}
	st, _ := os.Stat(path)
	if st != nil {
		s.metrics.size.Set(float64(st.Size()))
	}
	s.metrics.duration.Set(time.Since(start).Seconds())
	s.metrics.lastSuccess.Set(float64(now.Unix()))
	s.metrics.failing.Set(0)
	s.mu.Lock()
	s.status.Failing, s.status.Problem, s.status.LastSuccess = false, "", now
	s.mu.Unlock()
	var kinds []string
	for _, t := range due {
		kinds = append(kinds, t.name)
	}
	s.cfg.Log.Info("backup taken and verified", "path", path, "kinds", strings.Join(kinds, ","), "duration", time.Since(start).Round(time.Millisecond))
	s.unsynced = true
	return s.prune()
}

// fail records a failed backup.
func (s *Scheduler) fail(now time.Time, err error) error {
	s.metrics.failures.Inc()
	s.metrics.failing.Set(1)
	s.mu.Lock()
	s.status.Failing, s.status.Problem = true, err.Error()
	s.retryAt = now.Add(s.cfg.RetryAfter)
	s.mu.Unlock()
	s.cfg.Log.Error("scheduled backup failed", "dir", s.cfg.Dir, "err", err)
	return err
}

// prune removes the oldest backups of each kind beyond its number, and
// the failed ones beyond the three newest.
func (s *Scheduler) prune() error {
	var errs []error
	for _, t := range s.tiers {
		files, err := s.files(t.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for len(files) > max(t.keep, 0) {
			p := filepath.Join(s.cfg.Dir, files[0].name)
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			os.Remove(p + verifiedExt)
			files = files[1:]
		}
	}
	failed, _ := filepath.Glob(filepath.Join(s.cfg.Dir, "foyer-*"+Ext+".failed"))
	slices.Sort(failed)
	for len(failed) > 3 {
		os.Remove(failed[0])
		failed = failed[1:]
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("backup: prune: %w", err)
	}
	return nil
}

// linkBackup gives the backup at from a second name, to, with its
// verification note: a hard link, or a copy where links fail.
func linkBackup(from, to string) error {
	for _, ext := range []string{"", verifiedExt} {
		if err := os.Link(from+ext, to+ext); err == nil {
			continue
		} else if errors.Is(err, fs.ErrNotExist) && ext != "" {
			continue
		}
		if err := copyFile(from+ext, to+ext); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
