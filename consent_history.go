package foyer

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"
)

// ConsentEntry is one entry of a workspace's consent history. Entries are
// only appended; each is sealed with a hash over its content and the hash of
// the workspace's previous entry, so that an edit, a deletion, a reordering
// or an insertion is seen by VerifyChain.
type ConsentEntry struct {
	ID          int64
	WorkspaceID int64
	ContactID   int64
	At          time.Time // when the change was received; millisecond precision, UTC
	StatusAt    time.Time // the date the change gave for the answer (ConsentChange.At); zero if none
	Action      ConsentAction
	Source      ConsentSource
	Actor       string
	Reason      string
	Applied     bool
	Why         string   // ApplyConsent's why
	PrevHash    [32]byte // the previous entry's Hash; zero for the first
	Hash        [32]byte // SHA-256 of the canonical encoding, see Seal
}

// consentEncodingVersion is the first byte of an entry's canonical
// encoding. A change of the encoding takes a new version; the old one stays
// verifiable.
const consentEncodingVersion = 1

// NewConsentEntry returns the unsealed history entry of a change that
// ApplyConsent decided on (applied, why) at now, to be given its ID by the
// store and then sealed, in the transaction that stores the new state.
func NewConsentEntry(workspaceID, contactID int64, in ConsentChange, applied bool, why string, now time.Time) ConsentEntry {
	return ConsentEntry{
		WorkspaceID: workspaceID, ContactID: contactID, At: msUTC(now), StatusAt: msUTC(in.At),
		Action: in.Action(), Source: in.Source, Actor: in.Actor, Reason: in.Reason, Applied: applied, Why: why,
	}
}

// Seal sets the entry's PrevHash to prev (the Hash of the workspace's
// previous entry, zero for its first), rounds At and StatusAt to the
// millisecond in UTC as stored, and sets Hash. ID must already be set: it is
// part of the hash.
func (e *ConsentEntry) Seal(prev [32]byte) {
	e.At = msUTC(e.At)
	e.StatusAt = msUTC(e.StatusAt)
	e.PrevHash = prev
	e.Hash = e.sum()
}

// sum returns the SHA-256 of the entry's canonical encoding.
func (e *ConsentEntry) sum() [32]byte { return sha256.Sum256(e.encode()) }

// encode returns the entry's canonical encoding, everything but Hash: a
// version byte, then each field in a fixed order, integers as 8 bytes big
// endian, StatusAt as a byte 0 when zero or 1 and its 8 bytes, strings as a
// 4-byte big-endian length and their bytes, the boolean as one byte, PrevHash
// as its 32 bytes. Dates are milliseconds since 1970. Every field has a known length, so
// two different entries never encode the same.
func (e *ConsentEntry) encode() []byte {
	b := make([]byte, 0, 128+len(e.Actor)+len(e.Reason)+len(e.Why))
	b = append(b, consentEncodingVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(e.ID))
	b = binary.BigEndian.AppendUint64(b, uint64(e.WorkspaceID))
	b = binary.BigEndian.AppendUint64(b, uint64(e.ContactID))
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UnixMilli()))
	if e.StatusAt.IsZero() {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = binary.BigEndian.AppendUint64(b, uint64(e.StatusAt.UnixMilli()))
	}
	for _, s := range []string{string(e.Action), string(e.Source), e.Actor, e.Reason} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	if e.Applied {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Why)))
	b = append(b, e.Why...)
	return append(b, e.PrevHash[:]...)
}

// ChainBreak says where a consent history is broken and how.
type ChainBreak struct {
	ID      int64  // the first entry found broken; 0 when the history is empty
	Problem string // what is wrong, in plain words
}

// String returns the problem.
func (b *ChainBreak) String() string { return b.Problem }

// VerifyChain checks a workspace's whole consent history, entries in ID
// order, and returns nil when it is intact, else the first broken entry and
// what is wrong with it: an edited entry, an ID out of order, an entry of
// another workspace, or an entry that does not follow the one before it (an
// entry was deleted, inserted, or two were reordered).
//
// A chain alone cannot show that its last entries were deleted: what is left
// is still a valid chain. So the store keeps the Hash of each workspace's
// newest entry apart (a consent_heads row, updated in the transaction that
// appends the entry), and passes it as head; VerifyChain then checks that the
// last entry is that head. With head nil, the truncation of the end of the
// history goes unnoticed. An attacker who can rewrite both every later entry
// and the head row is not detected: for that, publish or sign the head
// elsewhere.
func VerifyChain(entries []ConsentEntry, head *[32]byte) *ChainBreak {
	var v ChainVerifier
	for i := range entries {
		if !v.Add(&entries[i]) {
			break
		}
	}
	return v.End(head)
}

// ChainVerifier checks a history one entry at a time, in ID order, as
// VerifyChain does, so that a long history is verified as it is read,
// in bounded memory. It checks any hash chain of the same shape: the
// consent history (Add) and the audit log (AddLink of AuditEntry.Link).
type ChainVerifier struct {
	prev   [32]byte // the last entry's hash
	prevID int64
	ws     int64
	n      int
	broken *ChainBreak
}

// ChainLink is what a ChainVerifier checks of one entry of a chain: its
// ID and workspace, the hash of its content as it is now (Sum), and the
// hashes stored with it.
type ChainLink struct {
	ID, WorkspaceID int64
	Sum             [32]byte // the hash of the entry's content, computed now
	PrevHash, Hash  [32]byte // as stored
}

// StartAfter makes the chain start after an entry of hash anchor (its
// older entries were removed by retention) instead of from zero. Call it
// before the first Add.
func (v *ChainVerifier) StartAfter(anchor [32]byte) { v.prev = anchor }

// Add checks the next entry; it returns false once the chain is broken,
// and End then says where.
func (v *ChainVerifier) Add(e *ConsentEntry) bool {
	return v.AddLink(ChainLink{ID: e.ID, WorkspaceID: e.WorkspaceID, Sum: e.sum(), PrevHash: e.PrevHash, Hash: e.Hash})
}

// AddLink checks the next entry of any chain, as Add does.
func (v *ChainVerifier) AddLink(e ChainLink) bool {
	if v.broken != nil {
		return false
	}
	if v.n > 0 {
		if e.ID <= v.prevID {
			v.broken = &ChainBreak{ID: e.ID, Problem: fmt.Sprintf("entry %d has an ID out of order: it comes after entry %d", e.ID, v.prevID)}
			return false
		}
		if e.WorkspaceID != v.ws {
			v.broken = &ChainBreak{ID: e.ID, Problem: fmt.Sprintf("entry %d belongs to workspace %d, not %d", e.ID, e.WorkspaceID, v.ws)}
			return false
		}
	}
	if e.Sum != e.Hash {
		v.broken = &ChainBreak{ID: e.ID, Problem: fmt.Sprintf("entry %d's content does not match its hash (edited)", e.ID)}
		return false
	}
	if e.PrevHash != v.prev {
		if v.n == 0 {
			v.broken = &ChainBreak{ID: e.ID, Problem: fmt.Sprintf("entry %d is the first but does not start the history (entries before it were deleted)", e.ID)}
		} else {
			v.broken = &ChainBreak{ID: e.ID, Problem: fmt.Sprintf("entry %d does not follow entry %d (an entry between them was deleted or inserted, or they were reordered)", e.ID, v.prevID)}
		}
		return false
	}
	v.prev, v.prevID, v.ws = e.Hash, e.ID, e.WorkspaceID
	v.n++
	return true
}

// Entries is how many entries verified so far.
func (v *ChainVerifier) Entries() int { return v.n }

// End returns nil when every entry added verified and the last one is head
// (not checked when head is nil), else the first break.
func (v *ChainVerifier) End(head *[32]byte) *ChainBreak {
	if v.broken != nil {
		return v.broken
	}
	if head != nil && *head != v.prev {
		if v.n == 0 {
			return &ChainBreak{Problem: "the history is empty, but its recorded head says it had entries (they were deleted)"}
		}
		return &ChainBreak{ID: v.prevID, Problem: fmt.Sprintf("entry %d is the last one, but not the recorded head of the history (entries after it were deleted)", v.prevID)}
	}
	return nil
}
