package queue

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the queue's Prometheus metrics. No label carries anything of
// a message's content.
type Metrics struct {
	PublishTime   prometheus.Histogram
	PublishFailed prometheus.Counter
	Lag           prometheus.Gauge
	Redelivered   prometheus.Counter
	Terminated    *prometheus.CounterVec
	Duplicates    prometheus.Counter
	CommitTime    prometheus.Histogram
	CommitBatches prometheus.Histogram
	CommitEvents  prometheus.Histogram
	LockHeld      prometheus.Gauge
}

// NewMetrics creates the queue's metrics and registers them with reg (nil:
// not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		PublishTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_queue_publish_duration_seconds",
			Help:    "Time from publishing a batch to JetStream's acknowledgement, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 2, 16),
		}),
		PublishFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_queue_publish_failures_total",
			Help: "Batches JetStream did not acknowledge in time (answered 503).",
		}),
		Lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "foyer_queue_lag_messages",
			Help: "Batches in the stream not yet stored and acknowledged by a worker (the consumer's pending plus ack pending), sampled; -1 when unknown.",
		}),
		Redelivered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_queue_redeliveries_total",
			Help: "Messages a worker received more than once (a lost acknowledgement, a failed commit, a worker that died).",
		}),
		Terminated: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "foyer_queue_terminated_total",
			Help: "Messages a worker gave up on, by reason: malformed (does not decode) or failed (its commit failed at every delivery).",
		}, []string{"reason"}),
		Duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_queue_duplicate_batches_total",
			Help: "Batches delivered again after they were stored, and not stored twice.",
		}),
		CommitTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_queue_commit_duration_seconds",
			Help:    "Time of one worker transaction.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 15),
		}),
		CommitBatches: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_queue_commit_batches",
			Help:    "Batches (messages) in one worker transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 12),
		}),
		CommitEvents: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "foyer_queue_commit_events",
			Help:    "Events in one worker transaction.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 15),
		}),
		LockHeld: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "foyer_queue_write_lock_held",
			Help: "1 while this worker holds the database's write lock (it is the one writing), 0 on standby.",
		}),
	}
	m.Lag.Set(-1)
	for _, r := range []string{"malformed", "failed"} {
		m.Terminated.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(m.PublishTime, m.PublishFailed, m.Lag, m.Redelivered, m.Terminated, m.Duplicates,
			m.CommitTime, m.CommitBatches, m.CommitEvents, m.LockHeld)
	}
	return m
}
