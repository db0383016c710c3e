package queue

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func counter(t testing.TB, c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// histogramMax returns the upper bound of the highest bucket with an
// observation.
func histogramMax(t testing.TB, h prometheus.Histogram) float64 {
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		t.Fatal(err)
	}
	var last uint64
	max := 0.0
	for _, b := range m.GetHistogram().GetBucket() {
		if b.GetCumulativeCount() > last {
			max = b.GetUpperBound()
			last = b.GetCumulativeCount()
		}
	}
	return max
}
