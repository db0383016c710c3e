//go:build !unix

package loadgen

// processCPU returns -1: the CPU time is not known on this system.
func processCPU() float64 { return -1 }

// machineCPU returns -1: the machine's CPU time is not known on this system.
func machineCPU() float64 { return -1 }
