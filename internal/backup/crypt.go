package backup

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A backup file is a header, the dump in chunks, the manifest, and a
// footer:
//
//	header   magic "FOYERBK1" · chunk size (uint32) · salt (32 bytes) · key check (16 bytes)
//	chunk…   length (uint32) · AES-256-GCM ciphertext of up to chunkSize bytes of the dump
//	manifest length (uint32) · AES-256-GCM ciphertext of the manifest's JSON
//	footer   offset of the manifest record (uint64) · magic "FOYEREND"
//
// The file's key is HKDF of the backup key (the master key's, derived for
// Purpose) with the salt, so no two files share a key. Each chunk's nonce
// is its kind (data, last data, manifest) and its index, and its associated
// data is the header: a chunk moved, dropped, repeated or taken from another
// file fails to open, and a stream cut after any chunk but the one marked
// last is refused. The footer only finds the manifest quickly (for list); a
// forged footer points at something that does not open.

// Purpose is the purpose string of the key that encrypts backups
// (vault.Keyring.Derive).
const Purpose = "backups"

const (
	magic      = "FOYERBK1"
	endMagic   = "FOYEREND"
	headerSize = 8 + 4 + 32 + 16
	footerSize = 8 + 8
	// ChunkSize is how much of the dump one chunk holds.
	ChunkSize = 1 << 20
	// maxManifest bounds the manifest record a reader accepts.
	maxManifest = 16 << 20
)

// Chunk kinds, the nonce's first byte.
const (
	kindData     = 0
	kindLast     = 1
	kindManifest = 2
)

// The errors reading a backup answers, wrapped with detail.
var (
	// ErrWrongKey: the backup was made under another master key.
	ErrWrongKey = errors.New("the backup was made under another master key (or its header is damaged)")
	// ErrCorrupt: a chunk does not open: the file was altered.
	ErrCorrupt = errors.New("the backup is damaged or was altered")
	// ErrTruncated: the file ends before its last chunk or manifest.
	ErrTruncated = errors.New("the backup is truncated")
	// ErrNotBackup: the file is not a Foyer backup.
	ErrNotBackup = errors.New("not a Foyer backup file")
)

// fileKeys derives a file's AEAD and key check from the backup key and salt.
func fileKeys(key, salt []byte) (cipher.AEAD, []byte, error) {
	k, err := hkdf.Key(sha256.New, key, salt, "foyer backup file", 32)
	if err != nil {
		return nil, nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, nil, err
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, nil, err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte("key check"))
	return a, m.Sum(nil)[:16], nil
}

func nonce(kind byte, index uint64) []byte {
	n := make([]byte, 12)
	n[0] = kind
	binary.BigEndian.PutUint64(n[4:], index)
	return n
}

// writer encrypts a dump into a backup file as it is written.
type writer struct {
	w      io.Writer
	aead   cipher.AEAD
	header []byte
	buf    []byte // plaintext of the chunk being filled
	out    []byte // ciphertext scratch
	index  uint64
	off    int64 // bytes written to w
	hash   hashWriter
	size   int64
	closed bool
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

// newWriter writes the header to w and returns a writer of the dump.
func newWriter(w io.Writer, key []byte) (*writer, error) {
	salt := make([]byte, 32)
	rand.Read(salt)
	aead, check, err := fileKeys(key, salt)
	if err != nil {
		return nil, err
	}
	h := make([]byte, 0, headerSize)
	h = append(h, magic...)
	h = binary.BigEndian.AppendUint32(h, ChunkSize)
	h = append(h, salt...)
	h = append(h, check...)
	if _, err := w.Write(h); err != nil {
		return nil, err
	}
	return &writer{w: w, aead: aead, header: h, buf: make([]byte, 0, ChunkSize), off: int64(len(h)), hash: sha256.New()}, nil
}

// Write adds p to the dump.
func (e *writer) Write(p []byte) (int, error) {
	n := len(p)
	e.hash.Write(p)
	e.size += int64(n)
	for len(p) > 0 {
		if len(e.buf) == ChunkSize {
			if err := e.flush(kindData); err != nil {
				return 0, err
			}
		}
		c := copy(e.buf[len(e.buf):ChunkSize], p)
		e.buf = e.buf[:len(e.buf)+c]
		p = p[c:]
	}
	return n, nil
}

func (e *writer) flush(kind byte) error {
	idx := e.index
	if kind == kindManifest {
		idx = 0
	}
	e.out = e.aead.Seal(binary.BigEndian.AppendUint32(e.out[:0], uint32(len(e.buf)+e.aead.Overhead())),
		nonce(kind, idx), e.buf, e.header)
	if _, err := e.w.Write(e.out); err != nil {
		return err
	}
	e.off += int64(len(e.out))
	e.buf = e.buf[:0]
	if kind != kindManifest {
		e.index++
	}
	return nil
}

// finish writes the last chunk of the dump; then sum is the SHA-256 of the
// dump, and chunks how many chunks it took.
func (e *writer) finish() (sum []byte, size int64, chunks uint64, err error) {
	if err := e.flush(kindLast); err != nil {
		return nil, 0, 0, err
	}
	e.closed = true
	return e.hash.Sum(nil), e.size, e.index, nil
}

// writeManifest writes the manifest record and the footer.
func (e *writer) writeManifest(m []byte) error {
	if !e.closed {
		return errors.New("backup: manifest before the dump's end")
	}
	at := e.off
	e.buf = append(e.buf[:0], m...)
	if err := e.flush(kindManifest); err != nil {
		return err
	}
	f := binary.BigEndian.AppendUint64(nil, uint64(at))
	_, err := e.w.Write(append(f, endMagic...))
	return err
}

// readHeader reads and checks a file's header against key.
func readHeader(r io.Reader, key []byte) (cipher.AEAD, []byte, error) {
	h := make([]byte, headerSize)
	if _, err := io.ReadFull(r, h); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%w: no complete header", ErrNotBackup)
		}
		return nil, nil, err
	}
	if string(h[:8]) != magic {
		return nil, nil, ErrNotBackup
	}
	if binary.BigEndian.Uint32(h[8:12]) != ChunkSize {
		return nil, nil, fmt.Errorf("%w: chunk size %d", ErrCorrupt, binary.BigEndian.Uint32(h[8:12]))
	}
	aead, check, err := fileKeys(key, h[12:44])
	if err != nil {
		return nil, nil, err
	}
	if !hmac.Equal(check, h[44:60]) {
		return nil, nil, ErrWrongKey
	}
	return aead, h, nil
}

// readRaw reads one length-prefixed record's ciphertext into buf.
func readRaw(r io.Reader, overhead int, limit uint32, buf []byte) ([]byte, error) {
	var l [4]byte
	if _, err := io.ReadFull(r, l[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrTruncated
		}
		return nil, err
	}
	n := binary.BigEndian.Uint32(l[:])
	if n < uint32(overhead) || n > limit {
		return nil, fmt.Errorf("%w: a record of %d bytes", ErrCorrupt, n)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrTruncated
		}
		return nil, err
	}
	return buf, nil
}

// readManifestRecord reads and opens the manifest record.
func readManifestRecord(r io.Reader, aead cipher.AEAD, header []byte) (*Manifest, error) {
	ct, err := readRaw(r, aead.Overhead(), maxManifest, nil)
	if err != nil {
		if errors.Is(err, ErrTruncated) {
			return nil, fmt.Errorf("%w: the manifest is missing", ErrTruncated)
		}
		return nil, err
	}
	mb, err := aead.Open(nil, nonce(kindManifest, 0), ct, header)
	if err != nil {
		return nil, fmt.Errorf("%w: the manifest does not open", ErrCorrupt)
	}
	return parseManifest(mb)
}

// decrypt reads a whole backup file from r, writes the dump to dump, and
// returns the manifest after checking that the dump's SHA-256, size and
// chunk count are the manifest's.
func decrypt(r io.Reader, key []byte, dump io.Writer) (*Manifest, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	aead, header, err := readHeader(br, key)
	if err != nil {
		return nil, err
	}
	hash := sha256.New()
	var size int64
	var index uint64
	ct := make([]byte, 0, ChunkSize+aead.Overhead())
	plain := make([]byte, 0, ChunkSize)
	for last := false; !last; index++ {
		if ct, err = readRaw(br, aead.Overhead(), uint32(ChunkSize+aead.Overhead()), ct); err != nil {
			return nil, fmt.Errorf("%w (chunk %d)", err, index)
		}
		// A middle chunk, or else the last one.
		p, err := aead.Open(plain[:0], nonce(kindData, index), ct, header)
		if err != nil {
			p, err = aead.Open(plain[:0], nonce(kindLast, index), ct, header)
			last = true
		}
		if err != nil {
			return nil, fmt.Errorf("%w: chunk %d does not open", ErrCorrupt, index)
		}
		hash.Write(p)
		size += int64(len(p))
		if _, err := dump.Write(p); err != nil {
			return nil, err
		}
	}
	m, err := readManifestRecord(br, aead, header)
	if err != nil {
		return nil, err
	}
	if got := fmt.Sprintf("%x", hash.Sum(nil)); got != m.SHA256 || size != m.Size || index != m.Chunks {
		return nil, fmt.Errorf("%w: the dump (%d bytes, %d chunks, SHA-256 %.12s…) is not the manifest's (%d bytes, %d chunks, %.12s…)",
			ErrCorrupt, size, index, got, m.Size, m.Chunks, m.SHA256)
	}
	return m, nil
}

// readManifest reads only the manifest of the backup file r (of the given
// size), through the footer.
func readManifest(r io.ReaderAt, fileSize int64, key []byte) (*Manifest, error) {
	aead, header, err := readHeader(io.NewSectionReader(r, 0, headerSize), key)
	if err != nil {
		return nil, err
	}
	if fileSize < headerSize+footerSize {
		return nil, ErrTruncated
	}
	f := make([]byte, footerSize)
	if _, err := r.ReadAt(f, fileSize-footerSize); err != nil {
		return nil, err
	}
	if string(f[8:]) != endMagic {
		return nil, fmt.Errorf("%w: no footer", ErrTruncated)
	}
	at := int64(binary.BigEndian.Uint64(f[:8]))
	if at < headerSize || at > fileSize-footerSize {
		return nil, fmt.Errorf("%w: the footer points outside the file", ErrCorrupt)
	}
	return readManifestRecord(io.NewSectionReader(r, at, fileSize-footerSize-at), aead, header)
}
