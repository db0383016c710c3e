package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/foyerhq/foyer/internal/backup"
	"github.com/foyerhq/foyer/internal/s3"
	"github.com/foyerhq/foyer/internal/vault"
	"github.com/prometheus/client_golang/prometheus"
)

// newBackupScheduler returns the schedule of cfg's backups, each verified
// after it is taken (a PostgreSQL backup in a scratch database on the
// same server), with its metrics in reg, and copied to bucket when it is
// not nil.
func newBackupScheduler(cfg Config, master *vault.MasterKey, reg prometheus.Registerer, bucket *s3.Client) *backup.Scheduler {
	key := backup.Key(master)
	opt := backup.VerifyOptions{}
	if !strings.HasPrefix(cfg.DB, "sqlite:") {
		opt.Postgres = cfg.DB
	}
	keep := cfg.BackupKeep
	if keep == (backup.Retention{}) {
		keep = backup.DefaultRetention
	}
	var remote backup.Remote
	copyTo := "none"
	if bucket != nil {
		remote, copyTo = bucket, "S3 bucket "+bucket.String()+" (the encrypted files only)"
	}
	cfg.Log.Info("scheduled backups", "dir", cfg.BackupDir, "hourly", keep.Hourly, "daily", keep.Daily, "weekly", keep.Weekly,
		"copy_to", copyTo)
	return backup.NewScheduler(backup.SchedulerConfig{
		Dir: cfg.BackupDir, Keep: keep, Log: cfg.Log, Registerer: reg, Remote: remote,
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
// last backup, or of its copy to the bucket: when it failed, not why (the
// log says, for the operator). A failed backup comes first.
func backupProblem(s *backup.Scheduler) func() string {
	if s == nil {
		return nil
	}
	return func() string {
		st := s.Status()
		switch {
		case st.Failing && st.LastSuccess.IsZero():
			return "The last scheduled backup failed. No scheduled backup has succeeded since the server started."
		case st.Failing:
			return fmt.Sprintf("The last scheduled backup failed. The last one that succeeded was taken at %s UTC.", stamp(st.LastSuccess))
		case st.UploadFailing && st.LastUpload.IsZero():
			return "The copy of the backups to the S3 bucket failed, and has not succeeded since the server started; " +
				"it is retried every minute. The local backups are taken and verified."
		case st.UploadFailing:
			return fmt.Sprintf("The copy of the backups to the S3 bucket failed; it last succeeded at %s UTC, "+
				"and is retried every minute. The local backups are taken and verified.", stamp(st.LastUpload))
		}
		return ""
	}
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") }
