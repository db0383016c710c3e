package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/foyerhq/foyer"
)

// The audit log's retention: serve deletes the entries older than
// Config.AuditRetention a minute after it starts, then every day, in
// batches of auditPruneBatch a transaction (PruneAudit), so that
// PostgreSQL holds no long lock.
const (
	auditPruneEvery = 24 * time.Hour
	auditPruneFirst = time.Minute
	auditPruneBatch = 1000
)

// runAuditRetention prunes the audit log at start and then daily, until
// ctx ends.
func runAuditRetention(ctx context.Context, st foyer.AuditService, keep time.Duration, log *slog.Logger) {
	t := time.NewTimer(auditPruneFirst)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pruneAudit(ctx, st, keep, time.Now(), log)
		t.Reset(auditPruneEvery)
	}
}

// pruneAudit deletes the audit entries older than keep before now, and
// logs how many it deleted, or why it could not.
func pruneAudit(ctx context.Context, st foyer.AuditService, keep time.Duration, now time.Time, log *slog.Logger) int {
	n, err := st.PruneAudit(ctx, now.Add(-keep), auditPruneBatch)
	if err != nil {
		log.Error("audit log retention", "deleted", n, "err", err)
		return n
	}
	if n > 0 {
		log.Info("audit log retention: deleted old entries", "deleted", n, "older_than", now.Add(-keep).UTC().Format(time.DateOnly))
	}
	return n
}
