package automation

import "github.com/prometheus/client_golang/prometheus"

// Metrics count what the worker does, for Prometheus.
type Metrics struct {
	Events   prometheus.Counter     // automation events read
	Skipped  prometheus.Counter     // contacts skipped because they may not be tracked
	Attempts *prometheus.CounterVec // attempts of deliveries, by outcome
}

// Outcomes of an attempt, the label of foyer_automation_attempts_total.
const (
	outcomeDelivered = "delivered" // it succeeded
	outcomeRetry     = "retry"     // it failed and is tried again later
	outcomeFailed    = "failed"    // it failed for good
)

// NewMetrics registers the worker's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Events: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_automation_events_total",
			Help: "Automation events (segments entered and left, scores changed) the automation worker read.",
		}),
		Skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "foyer_automation_skipped_untracked_total",
			Help: "Times a rule skipped a contact who may not be tracked.",
		}),
		Attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "foyer_automation_attempts_total",
			Help: "Attempts of automation deliveries, by outcome: delivered, retry (failed, tried again later), failed (for good).",
		}, []string{"outcome"}),
	}
	for _, o := range []string{outcomeDelivered, outcomeRetry, outcomeFailed} {
		m.Attempts.WithLabelValues(o) // shown at 0 from the start
	}
	reg.MustRegister(m.Events, m.Skipped, m.Attempts)
	return m
}
