package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/vault"
	"github.com/prometheus/client_golang/prometheus"
)

// newBackupScheduler returns the schedule of cfg's backups, each verified
// after it is taken (a PostgreSQL backup in a scratch database on the
// same server), with its metrics in reg.
func newBackupScheduler(cfg Config, keys *vault.Keyring, reg prometheus.Registerer) *backup.Scheduler {
	key := backup.Key(keys)
	opt := backup.VerifyOptions{}
	if !strings.HasPrefix(cfg.DB, "sqlite:") {
		opt.Postgres = cfg.DB
	}
	keep := cfg.BackupKeep
	if keep == (backup.Retention{}) {
		keep = backup.DefaultRetention
	}
	cfg.Log.Info("scheduled backups", "dir", cfg.BackupDir, "hourly", keep.Hourly, "daily", keep.Daily, "weekly", keep.Weekly)
	return backup.NewScheduler(backup.SchedulerConfig{
		Dir: cfg.BackupDir, Keep: keep, Log: cfg.Log, Registerer: reg,
		Create: func(ctx context.Context, path string, now time.Time) error {
			_, err := backup.Create(ctx, cfg.DB, path, key, now)
			return err
		},
		Verify: func(ctx context.Context, path string) error {
			_, err := backup.Verify(ctx, path, key, opt)
			return err
		},
	})
}

// backupProblem returns what the owners' banner says of the schedule's
// last backup: when it failed, not why (the log says, for the operator).
func backupProblem(s *backup.Scheduler) func() string {
	if s == nil {
		return nil
	}
	return func() string {
		st := s.Status()
		if !st.Failing {
			return ""
		}
		if st.LastSuccess.IsZero() {
			return "No scheduled backup has succeeded since the server started."
		}
		return fmt.Sprintf("The last one that succeeded was taken at %s UTC.", st.LastSuccess.UTC().Format("2006-01-02 15:04"))
	}
}
