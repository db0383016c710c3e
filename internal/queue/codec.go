package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/foyerhq/foyer"
)

// The message format. A message is one batch: a version byte, then the
// batch ID and its hits, every field in a fixed order, integers as
// (zig-zag) varints and strings as a length and their bytes. It holds what
// the store needs of a hit and nothing else: no IP address (the collector
// resolved it to an Origin first), no identifiers of a contact (only the
// contact ID an identification matched).
//
// A new field means a new version; the decoder keeps reading the old ones
// until no stream can hold them any more.
const version1 = 1

// Bounds the decoder enforces beyond the message's own length.
const (
	maxHits   = 10_000
	maxString = 64 << 10
)

// ErrMalformed is wrapped by every decoding error. The errors never quote
// the message's bytes: they may be a visitor's.
var ErrMalformed = errors.New("queue: malformed message")

// Encode returns the message of a batch.
func Encode(b foyer.Batch) []byte {
	n := 16 + len(b.ID)
	for i := range b.Hits {
		n += 64 + hitStrings(&b.Hits[i])
	}
	e := encoder{buf: make([]byte, 0, n)}
	e.buf = append(e.buf, version1)
	e.str(b.ID)
	e.uint(uint64(len(b.Hits)))
	for i := range b.Hits {
		h := &b.Hits[i]
		e.int(h.SiteID)
		e.str(h.VisitorUID)
		e.int(h.Time.UnixNano())
		e.int(int64(h.Kind))
		e.str(h.Host)
		e.str(h.Path)
		e.str(h.Title)
		e.str(h.Referrer)
		e.str(h.UTM.Source)
		e.str(h.UTM.Medium)
		e.str(h.UTM.Campaign)
		e.str(h.UTM.Term)
		e.str(h.UTM.Content)
		e.int(h.EngagedMS)
		e.str(h.Target)
		o := &h.Origin
		e.str(o.Country)
		e.str(o.City)
		e.str(o.Org.Name)
		e.str(o.Org.Domain)
		e.str(o.Org.DomainHint)
		e.uint(uint64(o.Org.ASN))
		e.str(string(o.Org.Type))
		e.str(o.Org.Industry)
		e.str(o.Org.Size)
		e.int(h.ContactID)
		e.int(int64(h.Via))
	}
	return e.buf
}

func hitStrings(h *foyer.Hit) int {
	o := &h.Origin
	return len(h.VisitorUID) + len(h.Host) + len(h.Path) + len(h.Title) + len(h.Referrer) +
		len(h.UTM.Source) + len(h.UTM.Medium) + len(h.UTM.Campaign) + len(h.UTM.Term) + len(h.UTM.Content) +
		len(h.Target) + len(o.Country) + len(o.City) + len(o.Org.Name) + len(o.Org.Domain) + len(o.Org.DomainHint) +
		len(o.Org.Type) + len(o.Org.Industry) + len(o.Org.Size)
}

// Decode returns the batch of a message, or an error wrapping ErrMalformed
// for anything Encode did not make: an unknown version, a truncated or
// overlong message, a field out of range.
func Decode(msg []byte) (foyer.Batch, error) {
	if len(msg) == 0 {
		return foyer.Batch{}, fmt.Errorf("%w: empty", ErrMalformed)
	}
	if msg[0] != version1 {
		return foyer.Batch{}, fmt.Errorf("%w: unknown version %d", ErrMalformed, msg[0])
	}
	d := decoder{buf: msg[1:]}
	var b foyer.Batch
	b.ID = d.str()
	n := d.uint()
	if d.err == nil && (b.ID == "" || len(b.ID) > foyer.MaxBatchID) {
		d.fail("batch ID of %d bytes", len(b.ID))
	}
	// Each hit takes at least one byte per field: a count past what is
	// left is garbage, and is refused before anything is allocated.
	if d.err == nil && (n == 0 || n > maxHits || n > uint64(len(d.buf))/26) {
		d.fail("%d hits", n)
	}
	if d.err != nil {
		return foyer.Batch{}, d.err
	}
	b.Hits = make([]foyer.Hit, n)
	for i := range b.Hits {
		h := &b.Hits[i]
		h.SiteID = d.int()
		h.VisitorUID = d.str()
		h.Time = time.Unix(0, d.int()).UTC()
		h.Kind = foyer.EventKind(d.int8())
		h.Host = d.str()
		h.Path = d.str()
		h.Title = d.str()
		h.Referrer = d.str()
		h.UTM.Source = d.str()
		h.UTM.Medium = d.str()
		h.UTM.Campaign = d.str()
		h.UTM.Term = d.str()
		h.UTM.Content = d.str()
		h.EngagedMS = d.int()
		h.Target = d.str()
		o := &h.Origin
		o.Country = d.str()
		o.City = d.str()
		o.Org.Name = d.str()
		o.Org.Domain = d.str()
		o.Org.DomainHint = d.str()
		asn := d.uint()
		if asn > math.MaxUint32 {
			d.fail("ASN out of range")
		}
		o.Org.ASN = uint32(asn)
		o.Org.Type = foyer.OrgType(d.str())
		o.Org.Industry = d.str()
		o.Org.Size = d.str()
		h.ContactID = d.int()
		h.Via = foyer.IdentifyVia(d.int8())
		if d.err != nil {
			return foyer.Batch{}, d.err
		}
	}
	if len(d.buf) != 0 {
		return foyer.Batch{}, fmt.Errorf("%w: %d bytes after the last hit", ErrMalformed, len(d.buf))
	}
	return b, nil
}

type encoder struct{ buf []byte }

func (e *encoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *encoder) int(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// decoder reads fields until the first error, after which every read
// returns zero.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail("bad or truncated integer")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail("bad or truncated integer")
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) int8() int8 {
	v := d.int()
	if v < math.MinInt8 || v > math.MaxInt8 {
		d.fail("small integer out of range")
		return 0
	}
	return int8(v)
}

func (d *decoder) str() string {
	n := d.uint()
	if d.err != nil {
		return ""
	}
	if n > maxString || n > uint64(len(d.buf)) {
		d.fail("string of %d bytes past the end", n)
		return ""
	}
	s := string(d.buf[:n])
	d.buf = d.buf[n:]
	return s
}
