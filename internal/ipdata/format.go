package ipdata

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// The table file: magic, format version, a JSON header (Info), the string
// table, the records, the IPv4 and the IPv6 stretches, all little-endian,
// and a SHA-256 of everything before it. A reader refuses a file of another
// format version or with a wrong checksum, so a half-written or damaged file
// never replaces a table in service.
const (
	magic         = "FOYERIPD"
	formatVersion = 1
	// FileName is the table's name in the ipdata directory.
	FileName = "foyer-ipdata.bin"
)

const recordSize = 4*8 + 2 + 1 + 1

// WriteTo writes the table in the file format.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.WriteString(magic)
	buf.Write(le.AppendUint32(nil, formatVersion))
	hdr, err := json.Marshal(t.info)
	if err != nil {
		return 0, err
	}
	buf.Write(le.AppendUint32(nil, uint32(len(hdr))))
	buf.Write(hdr)

	u32 := func(v uint32) { buf.Write(le.AppendUint32(nil, v)) }
	u32(uint32(len(t.strs)))
	for _, s := range t.strs {
		u32(uint32(len(s)))
		buf.WriteString(s)
	}
	u32(uint32(len(t.recs)))
	for _, r := range t.recs {
		for _, v := range []uint32{r.asn, r.org, r.domain, r.industry, r.size, r.city, r.region, r.reason} {
			u32(v)
		}
		buf.Write(r.country[:])
		buf.WriteByte(r.typ)
		buf.WriteByte(r.flags)
	}
	u32(uint32(len(t.v4start)))
	for i := range t.v4start {
		u32(t.v4start[i])
		u32(t.v4rec[i])
	}
	u32(uint32(len(t.v6hi)))
	for i := range t.v6hi {
		buf.Write(le.AppendUint64(nil, t.v6hi[i]))
		buf.Write(le.AppendUint64(nil, t.v6lo[i]))
		u32(t.v6rec[i])
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	return buf.WriteTo(w)
}

// WriteFile writes the table to path atomically: readers see the old file
// or the new one, never a part.
func (t *Table) WriteFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".ipdata-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := t.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o640); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// Load reads a table file.
func Load(path string) (*Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ipdata: %w", err)
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("ipdata: %s: %w", path, err)
	}
	return t, nil
}

// ErrFormat is wrapped by every error about a malformed table file.
var ErrFormat = errors.New("not a valid table file")

// Parse reads a table from the bytes of a table file.
func Parse(b []byte) (*Table, error) {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrFormat, what) }
	if len(b) < len(magic)+8+sha256.Size || string(b[:len(magic)]) != magic {
		return nil, bad("it does not start like one")
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, bad("checksum mismatch (damaged or cut short)")
	}
	r := &reader{b: body[len(magic):]}
	if v := r.u32(); v != formatVersion {
		return nil, bad(fmt.Sprintf("format version %d, this Foyer reads %d: run `foyer ipdata import` again", v, formatVersion))
	}
	t := &Table{}
	if err := json.Unmarshal(r.bytes(int(r.u32())), &t.info); err != nil && r.err == nil {
		return nil, bad("header: " + err.Error())
	}
	n := r.count(4)
	t.strs = make([]string, 0, n)
	for range n {
		t.strs = append(t.strs, string(r.bytes(int(r.u32()))))
	}
	n = r.count(recordSize)
	t.recs = make([]record, n)
	for i := range t.recs {
		rec := &t.recs[i]
		for _, p := range []*uint32{&rec.asn, &rec.org, &rec.domain, &rec.industry, &rec.size, &rec.city, &rec.region, &rec.reason} {
			*p = r.u32()
		}
		c := r.bytes(4)
		if len(c) == 4 {
			rec.country, rec.typ, rec.flags = [2]byte{c[0], c[1]}, c[2], c[3]
		}
	}
	n = r.count(8)
	t.v4start, t.v4rec = make([]uint32, n), make([]uint32, n)
	for i := range n {
		t.v4start[i], t.v4rec[i] = r.u32(), r.u32()
	}
	n = r.count(20)
	t.v6hi, t.v6lo, t.v6rec = make([]uint64, n), make([]uint64, n), make([]uint32, n)
	for i := range n {
		t.v6hi[i], t.v6lo[i], t.v6rec[i] = r.u64(), r.u64(), r.u32()
	}
	if r.err != nil {
		return nil, bad(r.err.Error())
	}
	if len(r.b) != 0 {
		return nil, bad("bytes after the last section")
	}
	if err := t.check(); err != nil {
		return nil, bad(err.Error())
	}
	t.index()
	return t, nil
}

// check verifies what lookups rely on: stretches sorted from address zero,
// every index in range, known types and countries.
func (t *Table) check() error {
	if len(t.strs) == 0 || t.strs[0] != "" || len(t.recs) == 0 {
		return errors.New("no string or record table")
	}
	for i, r := range t.recs {
		for _, s := range []uint32{r.org, r.domain, r.industry, r.size, r.city, r.region, r.reason} {
			if int(s) >= len(t.strs) {
				return fmt.Errorf("record %d names string %d of %d", i, s, len(t.strs))
			}
		}
		if int(r.typ) >= len(orgTypes) {
			return fmt.Errorf("record %d has type %d", i, r.typ)
		}
		if r.country != [2]byte{} {
			if _, err := countryCode(string(r.country[:])); err != nil {
				return fmt.Errorf("record %d: %v", i, err)
			}
		}
	}
	for i := range t.v4start {
		if (i == 0 && t.v4start[0] != 0) || (i > 0 && t.v4start[i] <= t.v4start[i-1]) {
			return fmt.Errorf("IPv4 stretch %d is out of order", i)
		}
		if int(t.v4rec[i]) >= len(t.recs) {
			return fmt.Errorf("IPv4 stretch %d names record %d of %d", i, t.v4rec[i], len(t.recs))
		}
	}
	for i := range t.v6hi {
		cur := u128{t.v6hi[i], t.v6lo[i]}
		if (i == 0 && cur != u128{}) || (i > 0 && !(u128{t.v6hi[i-1], t.v6lo[i-1]}).less(cur)) {
			return fmt.Errorf("IPv6 stretch %d is out of order", i)
		}
		if int(t.v6rec[i]) >= len(t.recs) {
			return fmt.Errorf("IPv6 stretch %d names record %d of %d", i, t.v6rec[i], len(t.recs))
		}
	}
	return nil
}

// reader decodes the file's little-endian fields; the first shortfall
// sticks in err and every later read returns zero.
type reader struct {
	b   []byte
	err error
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = errors.New("cut short")
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u32() uint32 {
	if v := r.bytes(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if v := r.bytes(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

// count reads an element count and checks that the rest of the file can
// hold that many elements of at least size bytes.
func (r *reader) count(size int) int {
	n := r.u32()
	if r.err == nil && (uint64(n) > math.MaxInt32 || uint64(n)*uint64(size) > uint64(len(r.b))) {
		r.err = fmt.Errorf("a count of %d does not fit the file", n)
		return 0
	}
	return int(n)
}
