package importjob

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// A spool is an uploaded file kept on disk while it is previewed and
// imported, encrypted under a key that only this process holds, in
// memory: the file holds personal data, and a copy of it in a temporary
// directory must not outlive the import, nor be readable by whoever finds
// it (a crash leaves the file; its key is gone with the process).
//
// The file is a sequence of chunks, each the 4-byte big-endian length of
// its sealed bytes, then up to chunkSize bytes sealed by AES-256-GCM with
// the chunk's index as its nonce and, as additional data, whether it is
// the last: a chunk moved, dropped, or the file cut after one, does not
// open. Memory: one chunk, whatever the file's size.
type spool struct {
	path string
	aead cipher.AEAD
	size int64 // bytes of the file (plain)
}

const (
	chunkSize = 64 << 10
	spoolExt  = ".spool" // what start-up sweeps from the directory
)

// errTooLarge is what createSpool answers for a file over its limit.
var errTooLarge = errors.New("importjob: the file is over the limit")

// createSpool writes r, encrypted, to a new file in dir; errTooLarge
// (and no file) when r has more than limit bytes.
func createSpool(dir string, r io.Reader, limit int64) (sp *spool, err error) {
	key := make([]byte, 32)
	rand.Read(key)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "upload-*"+spoolExt)
	if err != nil {
		return nil, fmt.Errorf("importjob: spool: %w", err)
	}
	path := f.Name()
	sp = &spool{path: path, aead: aead}
	size := &sp.size
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("importjob: spool: %w", cerr)
		}
		if err != nil {
			os.Remove(path)
			sp = nil
		}
	}()
	buf := make([]byte, chunkSize)
	out := make([]byte, 0, 4+chunkSize+aead.Overhead())
	for index := uint64(0); ; index++ {
		n, rerr := io.ReadFull(r, buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return nil, rerr
		}
		*size += int64(n)
		if *size > limit {
			return nil, errTooLarge
		}
		last := rerr != nil // a short chunk is the last; a full one may be followed by an empty last one
		out = binary.BigEndian.AppendUint32(out[:0], uint32(n+aead.Overhead()))
		out = aead.Seal(out, nonce(index), buf[:n], lastFlag(last))
		if _, err := f.Write(out); err != nil {
			return nil, fmt.Errorf("importjob: spool: %w", err)
		}
		if last {
			return sp, nil
		}
	}
}

func nonce(index uint64) []byte {
	n := make([]byte, 12)
	binary.BigEndian.PutUint64(n, index)
	return n
}

func lastFlag(last bool) []byte {
	if last {
		return []byte{1}
	}
	return []byte{0}
}

// open returns a reader of the plain file.
func (sp *spool) open() (io.ReadCloser, error) {
	f, err := os.Open(sp.path)
	if err != nil {
		return nil, fmt.Errorf("importjob: spool: %w", err)
	}
	return &spoolReader{f: f, aead: sp.aead, sealed: make([]byte, chunkSize+sp.aead.Overhead())}, nil
}

// remove deletes the spool's file.
func (sp *spool) remove() error {
	if err := os.Remove(sp.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// spoolReader decrypts a spool chunk by chunk.
type spoolReader struct {
	f      *os.File
	aead   cipher.AEAD
	index  uint64
	sealed []byte
	plain  []byte // what is left of the current chunk
	done   bool   // the last chunk is read
}

// errCorrupt is what a spool that does not open gives.
var errCorrupt = errors.New("importjob: the uploaded file's temporary copy is damaged")

func (r *spoolReader) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var head [4]byte
		if _, err := io.ReadFull(r.f, head[:]); err != nil {
			return 0, errCorrupt
		}
		n := binary.BigEndian.Uint32(head[:])
		if n < uint32(r.aead.Overhead()) || int(n) > len(r.sealed) {
			return 0, errCorrupt
		}
		if _, err := io.ReadFull(r.f, r.sealed[:n]); err != nil {
			return 0, errCorrupt
		}
		plain, err := r.aead.Open(r.sealed[:0], nonce(r.index), r.sealed[:n], lastFlag(int(n)-r.aead.Overhead() < chunkSize))
		if err != nil {
			return 0, errCorrupt
		}
		r.done = int(n)-r.aead.Overhead() < chunkSize
		r.index++
		r.plain = plain
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

func (r *spoolReader) Close() error { return r.f.Close() }
