package app

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
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
	if v, ok := peakRSS(); ok {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, v)
	}
}

// peakRSS reads VmHWM from /proc/self/status, in bytes.
func peakRSS() (float64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}
