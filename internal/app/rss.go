package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/foyerhq/foyer/internal/procstat"
)

// peakRSSCollector exports the process's peak resident set size (VmHWM),
// which the load generator reports.
type peakRSSCollector struct{ desc *prometheus.Desc }

func newPeakRSSCollector() prometheus.Collector {
	return peakRSSCollector{prometheus.NewDesc("foyer_process_peak_resident_memory_bytes",
		"Peak resident set size of the process (VmHWM).", nil, nil)}
}

func (c peakRSSCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c peakRSSCollector) Collect(ch chan<- prometheus.Metric) {
	if v, ok := procstat.PeakRSS(); ok {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
	}
}
