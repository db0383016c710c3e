package store

import (
	"os"
	"syscall"
)

// datasync flushes the file's data, and what of its metadata reading the
// data needs (its size), to the disk.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
