package contactimport

import (
	"crypto/sha256"
	"fmt"
	"math"
)

// seen is what Read remembers of the last row emitted for an email:
// 16 bytes, with a 16-byte key.
type seen struct {
	at     int64  // the consent date in Unix nanoseconds, when dated
	line   uint32 // the row's line, at most MaxUint32
	status uint8  // statusNone, statusAccepted or statusRefused
	dated  bool
}

const (
	statusNone uint8 = iota
	statusAccepted
	statusRefused
)

// dedup remembers each email of a file by a 16-byte hash, not its address:
// a 32-byte map slot per distinct email, about 60 MB for a million.
type dedup struct {
	m map[[16]byte]seen
}

func newDedup() *dedup { return &dedup{m: make(map[[16]byte]seen)} }

func statusOf(consent string) uint8 {
	switch consent {
	case "accepted":
		return statusAccepted
	case "refused":
		return statusRefused
	}
	return statusNone
}

// check records a valid row and decides whether it is emitted: it returns ""
// to emit it, or the reason to reject it as a duplicate or a conflict.
func (d *dedup) check(r *Row, sum *Summary) string {
	sum256 := sha256.Sum256([]byte(r.Email))
	key := [16]byte(sum256[:16])
	line := uint32(math.MaxUint32)
	if r.Line < math.MaxUint32 {
		line = uint32(r.Line)
	}
	cur := seen{line: line, status: statusOf(r.Consent), dated: !r.ConsentAt.IsZero()}
	if cur.dated {
		cur.at = r.ConsentAt.UnixNano()
	}
	prev, ok := d.m[key]
	if !ok {
		d.m[key] = cur
		return ""
	}
	sum.Duplicates++
	if wins, reason := decide(prev, cur); !wins {
		if reason == "" {
			reason = fmt.Sprintf("duplicate of line %d (the earlier row is kept)", prev.line)
		} else {
			sum.Conflicts++
		}
		return reason
	}
	d.m[key] = cur
	r.Replaces = int(prev.line)
	return ""
}

// decide says whether a later row cur replaces the earlier prev for the same
// email, and when it does not because of a conflict, why.
func decide(prev, cur seen) (wins bool, conflict string) {
	switch {
	case cur.status == statusNone:
		return false, ""
	case prev.status == statusNone:
		return true, ""
	case prev.dated && cur.dated && cur.at > prev.at:
		return true, ""
	case prev.dated && cur.dated && cur.at < prev.at:
		return false, ""
	case prev.status == cur.status:
		return false, ""
	}
	return false, fmt.Sprintf("conflicts with line %d: the same email with consent %s there and %s here, and no later date to decide",
		prev.line, statusName(prev.status), statusName(cur.status))
}

func statusName(s uint8) string {
	if s == statusAccepted {
		return "accepted"
	}
	return "refused"
}
