package procstat

import (
	"runtime"
	"testing"
)

// TestPeakRSS: on Linux the peak is read, and it is at least what the Go
// runtime has taken from the system for its heap in use.
func TestPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/status is Linux's")
	}
	buf := make([]byte, 32<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	v, ok := PeakRSS()
	if !ok {
		t.Fatal("no peak RSS read")
	}
	if v < float64(len(buf)) {
		t.Errorf("peak RSS %.0f bytes, less than the %d bytes just touched", v, len(buf))
	}
	runtime.KeepAlive(buf)
}
