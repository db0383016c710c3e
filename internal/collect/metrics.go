package collect

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the collector's Prometheus metrics. No label ever carries a
// request's address, user agent or URL.
type Metrics struct {
	Accepted     prometheus.Counter
	Rejected     *prometheus.CounterVec
	CommitTime   prometheus.Histogram
	SyncTime     prometheus.Histogram
	CommitEvents prometheus.Histogram
	RequestTime  prometheus.Histogram
	RollupTime   prometheus.Histogram
	// Identified counts identification events by source (via) and
	// outcome; never by anything they carried.
	Identified *prometheus.CounterVec

	// rejected holds Rejected's counter of each known reason, curried
	// once, so that a refused request does not hash its label.
	rejected map[string]prometheus.Counter
}

// rejectedFor returns the counter of Rejected with the reason.
func (m *Metrics) rejectedFor(reason string) prometheus.Counter {
	if c, ok := m.rejected[reason]; ok {
		return c
	}
	return m.Rejected.WithLabelValues(reason)
}

// NewMetrics creates the collector's metrics and registers them with reg
// (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Accepted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_events_accepted_total",
			Help: "Events durably stored and acknowledged.",
		}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "foyer_events_rejected_total",
			Help: "Requests (or their events, where known) not stored, by reason.",
		}, []string{"reason"}),
		CommitTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_commit_duration_seconds",
			Help:    "Time to commit one group of batches; on SQLite with synchronous=full, without the flush to the disk (foyer_commit_sync_duration_seconds).",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		}),
		SyncTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_commit_sync_duration_seconds",
			Help:    "Time of one flush to the disk of the groups committed since the last (SQLite with synchronous=full); batches are acknowledged after it.",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		}),
		CommitEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_commit_events",
			Help:    "Events in one group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}),
		RequestTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_collect_request_duration_seconds",
			Help:    "Time to answer one /collect request.",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		}),
		RollupTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_rollup_duration_seconds",
			Help:    "Time of one roll-up step (folding stored events into visit counters).",
			Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14),
		}),
		Identified: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "foyer_identifications_total",
			Help: "Identification events (Persona Insights) by source and outcome: matched, dropped (no trackable contact, or the source off), hubspot (handed to the HubSpot resolver) and the resolver's hubspot_* outcomes.",
		}, []string{"via", "outcome"}),
	}
	m.rejected = map[string]prometheus.Counter{}
	for _, r := range []string{"invalid", "forbidden", "unknown_site", "too_large", "rate_limited", "bot", "gpc", "consent", "excluded", "unavailable",
		"commit_timeout", "queue_full", "flush_failed"} {
		m.rejected[r] = m.Rejected.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.Accepted, m.Rejected, m.CommitTime, m.SyncTime, m.CommitEvents, m.RequestTime, m.RollupTime, m.Identified)
	}
	return m
}
