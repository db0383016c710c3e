//go:build unix

package loadgen

import (
	"os"
	"strconv"
	"strings"
	"syscall"
)

// processCPU returns the CPU time this process has used, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// machineCPU returns the CPU time all processes on the machine have used,
// in seconds, from /proc/stat (Linux); -1 when it cannot be read.
func machineCPU() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return -1
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return -1
	}
	var busy float64
	for i, s := range f[1:] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		if i >= 7 { // steal, guest…: not this machine's work
			break
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return -1
		}
		busy += v
	}
	return busy / 100 // USER_HZ is 100 on Linux
}
