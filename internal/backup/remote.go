package backup

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
)

// Remote is a place off the machine that keeps copies of the backups, such
// as an S3 bucket (internal/s3's Client). It only ever receives the
// encrypted backup files, by their names.
type Remote interface {
	// Upload stores the file at path as the object name, replacing one
	// of that name.
	Upload(ctx context.Context, name, path string) error
	// Delete removes the object name; a missing one is no error.
	Delete(ctx context.Context, name string) error
	// List returns the names of the objects the Remote holds.
	List(ctx context.Context) ([]string, error)
	// String describes the Remote for a log, without any secret.
	String() string
}

type uploadMetrics struct {
	failing, lastSuccess prometheus.Gauge
	failures             prometheus.Counter
}

func newUploadMetrics(reg prometheus.Registerer) uploadMetrics {
	m := uploadMetrics{
		failing: prometheus.NewGauge(prometheus.GaugeOpts{Name: "foyer_backup_upload_failing",
			Help: "1 when the last copy of the scheduled backups to the S3 bucket failed, else 0."}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "foyer_backup_upload_last_success_timestamp_seconds",
			Help: "When the S3 bucket last held every scheduled backup, and no other (Unix time)."}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "foyer_backup_upload_failures_total",
			Help: "Copies of the scheduled backups to the S3 bucket that failed (each is retried at the next tick)."}),
	}
	if reg != nil {
		reg.MustRegister(m.failing, m.lastSuccess, m.failures)
	}
	return m
}

// isScheduled reports whether name is that of a backup of one of the
// schedule's kinds (any kind, kept or not): the objects the schedule
// owns on the Remote. A manual backup (foyer backup create) is not.
func isScheduled(name string) bool {
	for _, kind := range []string{"hourly", "daily", "weekly"} {
		if _, ok := scheduledName(name, kind); ok {
			return true
		}
	}
	return false
}

// sync brings the Remote to the schedule's backups in Dir: each one it
// lacks is uploaded, newest first, and each scheduled backup it holds
// that Dir no longer does (removed by the retention) is deleted. Other
// objects are left alone. It stops at the first failure, which is
// logged, counted and kept in Status; the next Tick tries again.
func (s *Scheduler) sync(ctx context.Context) error {
	var local []string
	for _, t := range s.tiers {
		files, err := s.files(t.name)
		if err != nil {
			return s.uploadFailed(fmt.Errorf("backup: list %s: %w", s.cfg.Dir, err))
		}
		for _, f := range files {
			local = append(local, f.name)
		}
	}
	slices.Sort(local) // foyer-STAMP-KIND.fbk: by time
	slices.Reverse(local)
	remote, err := s.cfg.Remote.List(ctx)
	if err != nil {
		return s.uploadFailed(err)
	}
	uploaded, deleted := 0, 0
	for _, name := range local {
		if slices.Contains(remote, name) {
			continue
		}
		if err := s.cfg.Remote.Upload(ctx, name, filepath.Join(s.cfg.Dir, name)); err != nil {
			return s.uploadFailed(err)
		}
		uploaded++
	}
	for _, name := range remote {
		if !isScheduled(name) || slices.Contains(local, name) {
			continue
		}
		if err := s.cfg.Remote.Delete(ctx, name); err != nil {
			return s.uploadFailed(err)
		}
		deleted++
	}
	now := s.cfg.Now()
	s.unsynced = false
	s.metrics.upload.failing.Set(0)
	s.metrics.upload.lastSuccess.Set(float64(now.Unix()))
	s.mu.Lock()
	s.status.UploadFailing, s.status.UploadProblem, s.status.LastUpload = false, "", now
	s.mu.Unlock()
	if uploaded+deleted > 0 {
		s.cfg.Log.Info("backups copied to the bucket", "remote", s.cfg.Remote.String(), "uploaded", uploaded, "deleted", deleted)
	}
	return nil
}

// uploadFailed records a failed copy to the Remote.
func (s *Scheduler) uploadFailed(err error) error {
	err = fmt.Errorf("backup: copy to %s: %w", s.cfg.Remote.String(), err)
	s.unsynced = true
	s.metrics.upload.failures.Inc()
	s.metrics.upload.failing.Set(1)
	s.mu.Lock()
	s.status.UploadFailing, s.status.UploadProblem = true, err.Error()
	s.mu.Unlock()
	s.cfg.Log.Error("copy of the backups to the bucket failed; it is retried at the next tick, the local backups stay",
		"remote", s.cfg.Remote.String(), "err", err)
	return err
}
