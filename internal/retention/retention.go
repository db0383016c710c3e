// Package retention runs the retention job in the background of serve:
// once shortly after the start, then every day, it applies each
// workspace's retention (store.EnforceRetention: old raw events deleted,
// old identification links expired, inactive contacts flagged for
// review), counts what it did in Prometheus metrics and logs it.
package retention

import (
	"cmp"
	"context"
	"log/slog"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/periodic"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Store is what the job runs: *store.Store.
type Store interface {
	EnforceRetention(ctx context.Context, opt store.RetentionOptions) ([]foyer.RetentionRun, error)
}

// BatchPruner forgets the IDs of stored queue batches
// (foyer.EventService).
type BatchPruner interface {
	PruneBatchIDs(ctx context.Context, before time.Time) (int64, error)
}

// AuditPruner deletes the audit log's old entries (foyer.AuditService).
type AuditPruner interface {
	PruneAudit(ctx context.Context, before time.Time, batch int) (int, error)
}

// auditPruneBatch is how many audit entries a transaction deletes, so that
// PostgreSQL holds no long lock.
const auditPruneBatch = 1000

// Metrics are the job's Prometheus metrics.
type Metrics struct {
	Removed  *prometheus.CounterVec
	LastRun  prometheus.Gauge
	LastOK   prometheus.Gauge
	Failures prometheus.Counter
	Duration prometheus.Gauge
}

// NewMetrics creates the job's metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Removed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "foyer_retention_removed_total",
			Help: "Rows the retention job removed or changed, by kind: events (deleted), links (deleted), visits (unlinked from their contact), review (contacts flagged).",
		}, []string{"kind"}),
		LastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "foyer_retention_last_run_timestamp_seconds",
			Help: "When the retention job last ended, successfully or not (Unix time; 0: not yet).",
		}),
		LastOK: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "foyer_retention_last_success_timestamp_seconds",
			Help: "When the retention job last ended successfully (Unix time; 0: not yet).",
		}),
		Failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_retention_failures_total",
			Help: "Runs of the retention job that stopped on an error.",
		}),
		Duration: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "foyer_retention_last_run_duration_seconds",
			Help: "How long the retention job's last run took.",
		}),
	}
	for _, k := range []foyer.RetentionKind{foyer.RetentionEvents, foyer.RetentionLinks, foyer.RetentionVisits, foyer.RetentionReview} {
		m.Removed.WithLabelValues(string(k)) // shown at 0 from the start
	}
	reg.MustRegister(m.Removed, m.LastRun, m.LastOK, m.Failures, m.Duration)
	return m
}

// Default timing of the job.
const (
	DefaultDelay    = time.Minute
	DefaultInterval = 24 * time.Hour
	// DefaultPause is the wait between two of its transactions.
	DefaultPause = 20 * time.Millisecond
)

// Job runs the retention in the background: Start, then Stop.
type Job struct {
	Store   Store
	Metrics *Metrics     // nil: none
	Log     *slog.Logger // slog.Default() when nil
	// Delay is the wait before the first run (DefaultDelay when 0), and
	// Interval between runs (DefaultInterval when 0).
	Delay, Interval time.Duration
	// Options tune each run; their Pause is DefaultPause when 0.
	Options store.RetentionOptions
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Audit, when not nil, has each run also delete the audit entries
	// older than AuditKeep (foyer.AuditRetention when 0), the log's own
	// retention.
	Audit     AuditPruner
	AuditKeep time.Duration
	// Batches, when not nil, has each run also forget the queue batch IDs
	// recorded more than foyer.BatchIDKeep ago.
	Batches BatchPruner

	loop periodic.Loop
}

// Start runs the job in a goroutine until Stop: the first run after
// Delay, then one every Interval.
func (j *Job) Start() {
	j.loop.Start(cmp.Or(j.Delay, DefaultDelay), cmp.Or(j.Interval, DefaultInterval), func(ctx context.Context) { j.Run(ctx) })
}

// Stop ends the job, interrupting a run between two transactions, and
// waits for it.
func (j *Job) Stop() { j.loop.Stop() }

// Run applies the retention once, and returns what it did.
func (j *Job) Run(ctx context.Context) ([]foyer.RetentionRun, error) {
	log := j.Log
	if log == nil {
		log = slog.Default()
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	opt := j.Options
	if opt.Pause == 0 {
		opt.Pause = DefaultPause
	}
	start := now()
	runs, err := j.Store.EnforceRetention(ctx, opt)
	end := now()
	totals := map[foyer.RetentionKind]int64{}
	for _, r := range runs {
		totals[r.Kind] += r.Removed
	}
	if m := j.Metrics; m != nil {
		for k, n := range totals {
			m.Removed.WithLabelValues(string(k)).Add(float64(n))
		}
		m.LastRun.Set(float64(end.Unix()))
		m.Duration.Set(end.Sub(start).Seconds())
		if err != nil {
			m.Failures.Inc()
		} else {
			m.LastOK.Set(float64(end.Unix()))
		}
	}
	attrs := []any{"events", totals[foyer.RetentionEvents], "links", totals[foyer.RetentionLinks],
		"visits_unlinked", totals[foyer.RetentionVisits], "contacts_flagged", totals[foyer.RetentionReview],
		"took", end.Sub(start).Round(time.Millisecond)}
	switch {
	case err != nil && ctx.Err() != nil:
		log.Info("retention: interrupted by the shutdown; the next start goes on", attrs...)
	case err != nil:
		log.Error("retention: the run stopped; what it did stays done, and the next run goes on", append(attrs, "err", err)...)
	default:
		log.Info("retention: done", attrs...)
	}
	if j.Audit != nil && ctx.Err() == nil {
		j.pruneAudit(ctx, now(), log)
	}
	if j.Batches != nil && ctx.Err() == nil {
		if n, err := j.Batches.PruneBatchIDs(ctx, now().Add(-foyer.BatchIDKeep)); err != nil {
			log.Error("retention: forgetting old queue batch IDs", "err", err)
		} else if n > 0 {
			log.Info("retention: forgot old queue batch IDs", "forgotten", n)
		}
	}
	return runs, err
}

// pruneAudit deletes the audit entries older than the job's AuditKeep
// before now, and logs how many it deleted, or why it could not.
func (j *Job) pruneAudit(ctx context.Context, now time.Time, log *slog.Logger) int {
	keep := j.AuditKeep
	if keep <= 0 {
		keep = foyer.AuditRetention
	}
	n, err := j.Audit.PruneAudit(ctx, now.Add(-keep), auditPruneBatch)
	if err != nil {
		log.Error("audit log retention", "deleted", n, "err", err)
		return n
	}
	if n > 0 {
		log.Info("audit log retention: deleted old entries", "deleted", n, "older_than", now.Add(-keep).UTC().Format(time.DateOnly))
	}
	return n
}
