// Package contactexport writes a workspace's contacts and its consent
// history as CSV or NDJSON, streaming: it reads the store a page at a time
// and writes each page before it reads the next, so an export of any size
// runs in bounded memory.
//
// Both formats carry every field. In CSV the custom attributes are one
// column holding a JSON object, and every cell a spreadsheet would evaluate
// as a formula is neutralised (csvsafe.Cell) as in the feed export; NDJSON
// holds the values as they are. The consent status is written as the API
// shows it: accepted, refused or unanswered.
package contactexport

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/csvsafe"
)

// Format is an export's file format.
type Format string

// The formats.
const (
	CSV    Format = "csv"
	NDJSON Format = "ndjson"
)

// ParseFormat reads a format's name; "" is CSV. EINVALID for another.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "", "csv":
		return CSV, nil
	case "ndjson", "jsonl":
		return NDJSON, nil
	}
	return "", foyer.Errorf(foyer.EINVALID, "format %q: want csv or ndjson", s)
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == NDJSON {
		return "application/x-ndjson"
	}
	return "text/csv; charset=utf-8"
}

// pageSize is how many contacts or entries an export reads at once.
const pageSize = 500

// timeFormat writes dates in UTC at the millisecond, as stored.
const timeFormat = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// optTime is a date for NDJSON: null when zero.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatTime(t)
	return &s
}

// StatusName is a consent status as exports and the API write it.
func StatusName(s foyer.ConsentStatus) string {
	if s == foyer.ConsentUnanswered {
		return "unanswered"
	}
	return string(s)
}

// record writes one row to a CSV or an NDJSON stream.
type record struct {
	f   Format
	bw  *bufio.Writer // NDJSON's
	cw  *csv.Writer   // CSV's
	enc *json.Encoder
}

func newRecord(w io.Writer, f Format, header []string) (*record, error) {
	r := &record{f: f}
	if f == NDJSON {
		r.bw = bufio.NewWriterSize(w, 32<<10)
		r.enc = json.NewEncoder(r.bw)
		return r, nil
	}
	r.cw = csv.NewWriter(w) // buffered itself
	return r, r.cw.Write(header)
}

// write writes cells (CSV, neutralised) or v (NDJSON).
func (r *record) write(cells []string, v any) error {
	if r.f == NDJSON {
		return r.enc.Encode(v)
	}
	return r.cw.Write(csvsafe.Row(cells...))
}

// flush writes out what is buffered.
func (r *record) flush() error {
	if r.cw != nil {
		r.cw.Flush()
		return r.cw.Error()
	}
	return r.bw.Flush()
}

// contactHeader names the CSV columns of a contact.
var contactHeader = []string{"id", "email", "first_name", "last_name", "role", "phone", "company", "language", "crm_id",
	"company_id", "attrs", "tracking_consent", "tracking_consent_at", "may_track", "created_at", "updated_at"}

// contactJSON is a contact's NDJSON line.
type contactJSON struct {
	ID        int64             `json:"id"`
	Email     string            `json:"email"`
	FirstName string            `json:"first_name"`
	LastName  string            `json:"last_name"`
	Role      string            `json:"role"`
	Phone     string            `json:"phone"`
	Company   string            `json:"company"`
	Language  string            `json:"language"`
	CRMID     string            `json:"crm_id"`
	CompanyID *int64            `json:"company_id"`
	Attrs     map[string]string `json:"attrs"`
	Consent   string            `json:"tracking_consent"`
	ConsentAt *string           `json:"tracking_consent_at"`
	MayTrack  bool              `json:"may_track"`
	CreatedAt string            `json:"created_at"`
	UpdatedAt string            `json:"updated_at"`
}

// ContactWriter writes contacts, one a row or a line.
type ContactWriter struct {
	rec  *record
	mode foyer.TrackingMode
}

// NewContactWriter starts an export of contacts to w (a CSV one with its
// header); mode, the workspace's, decides each contact's may_track.
func NewContactWriter(w io.Writer, f Format, mode foyer.TrackingMode) (*ContactWriter, error) {
	rec, err := newRecord(w, f, contactHeader)
	return &ContactWriter{rec: rec, mode: mode}, err
}

// Write writes one contact.
func (cw *ContactWriter) Write(c *foyer.Contact) error {
	attrs := c.Attrs
	if attrs == nil {
		attrs = map[string]string{}
	}
	may := foyer.MayTrack(cw.mode, c.Consent)
	if cw.rec.f == NDJSON {
		v := contactJSON{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Role: c.Role, Phone: c.Phone,
			Company: c.Company, Language: c.Language, CRMID: c.CRMID, Attrs: attrs, Consent: StatusName(c.Consent.Status),
			ConsentAt: optTime(c.Consent.At), MayTrack: may, CreatedAt: formatTime(c.CreatedAt), UpdatedAt: formatTime(c.UpdatedAt)}
		if c.CompanyID != 0 {
			v.CompanyID = &c.CompanyID
		}
		return cw.rec.write(nil, v)
	}
	a, err := json.Marshal(attrs) // keys sorted: the same contact exports the same
	if err != nil {
		return err
	}
	company := ""
	if c.CompanyID != 0 {
		company = strconv.FormatInt(c.CompanyID, 10)
	}
	return cw.rec.write([]string{strconv.FormatInt(c.ID, 10), c.Email, c.FirstName, c.LastName, c.Role, c.Phone, c.Company,
		c.Language, c.CRMID, company, string(a), StatusName(c.Consent.Status), formatTime(c.Consent.At),
		strconv.FormatBool(may), formatTime(c.CreatedAt), formatTime(c.UpdatedAt)}, nil)
}

// Flush writes out what is buffered; call it at the end.
func (cw *ContactWriter) Flush() error { return cw.rec.flush() }

// historyHeader names the CSV columns of a consent-history entry.
var historyHeader = []string{"id", "contact_id", "at", "status_at", "action", "source", "actor", "reason", "applied", "why",
	"prev_hash", "hash"}

// entryJSON is an entry's NDJSON line.
type entryJSON struct {
	ID        int64   `json:"id"`
	ContactID *int64  `json:"contact_id"`
	At        string  `json:"at"`
	StatusAt  *string `json:"status_at"`
	Action    string  `json:"action"`
	Source    string  `json:"source"`
	Actor     string  `json:"actor"`
	Reason    string  `json:"reason"`
	Applied   bool    `json:"applied"`
	Why       string  `json:"why"`
	PrevHash  string  `json:"prev_hash"`
	Hash      string  `json:"hash"`
}

// entryOf is an entry as JSON writes it.
func entryOf(e foyer.ConsentEntry) entryJSON {
	v := entryJSON{ID: e.ID, At: formatTime(e.At), StatusAt: optTime(e.StatusAt), Action: string(e.Action),
		Source: string(e.Source), Actor: e.Actor, Reason: e.Reason, Applied: e.Applied, Why: e.Why,
		PrevHash: hex.EncodeToString(e.PrevHash[:]), Hash: hex.EncodeToString(e.Hash[:])}
	if e.ContactID != 0 {
		v.ContactID = &e.ContactID
	}
	return v
}

// HistoryWriter writes consent-history entries, with their hashes, so that
// a reader can check the chain of an exported workspace history.
type HistoryWriter struct{ rec *record }

// NewHistoryWriter starts an export of history entries to w.
func NewHistoryWriter(w io.Writer, f Format) (*HistoryWriter, error) {
	rec, err := newRecord(w, f, historyHeader)
	return &HistoryWriter{rec: rec}, err
}

// Write writes one entry.
func (hw *HistoryWriter) Write(e foyer.ConsentEntry) error {
	if hw.rec.f == NDJSON {
		return hw.rec.write(nil, entryOf(e))
	}
	contact := ""
	if e.ContactID != 0 {
		contact = strconv.FormatInt(e.ContactID, 10)
	}
	return hw.rec.write([]string{strconv.FormatInt(e.ID, 10), contact, formatTime(e.At), formatTime(e.StatusAt),
		string(e.Action), string(e.Source), e.Actor, e.Reason, strconv.FormatBool(e.Applied), e.Why,
		hex.EncodeToString(e.PrevHash[:]), hex.EncodeToString(e.Hash[:])}, nil)
}

// Flush writes out what is buffered; call it at the end.
func (hw *HistoryWriter) Flush() error { return hw.rec.flush() }

// Store is what the exports read.
type Store interface {
	SearchContacts(ctx context.Context, workspaceID int64, q foyer.ContactQuery) ([]*foyer.Contact, error)
	TrackingMode(ctx context.Context, workspaceID int64) (foyer.TrackingMode, error)
	WorkspaceConsentHistory(ctx context.Context, workspaceID, afterID int64, limit int) ([]foyer.ConsentEntry, error)
}

// Contacts writes every contact of the workspace to w, newest first, a
// page at a time, and returns how many it wrote. Each page starts below
// the last ID written, so a contact created or deleted during the export
// neither shifts a page nor is written twice; one created during it is
// left out.
func Contacts(ctx context.Context, st Store, workspaceID int64, w io.Writer, f Format) (int, error) {
	mode, err := st.TrackingMode(ctx, workspaceID)
	if err != nil {
		return 0, err
	}
	cw, err := NewContactWriter(w, f, mode)
	if err != nil {
		return 0, err
	}
	n := 0
	var before int64 // the smallest ID written: pages go down in ID
	for {
		page, err := st.SearchContacts(ctx, workspaceID, foyer.ContactQuery{Limit: pageSize, BeforeID: before})
		if err != nil {
			return n, fmt.Errorf("contact export: %w", err)
		}
		for _, c := range page {
			if err := cw.Write(c); err != nil {
				return n, err
			}
			before = c.ID
			n++
		}
		if len(page) < pageSize {
			break
		}
		if err := cw.Flush(); err != nil { // each page reaches the reader before the next is read
			return n, err
		}
	}
	return n, cw.Flush()
}

// History writes the workspace's whole consent history to w, oldest first,
// with the switches of its tracking mode, and returns how many entries it
// wrote.
func History(ctx context.Context, st Store, workspaceID int64, w io.Writer, f Format) (int, error) {
	hw, err := NewHistoryWriter(w, f)
	if err != nil {
		return 0, err
	}
	n := 0
	for after := int64(0); ; {
		page, err := st.WorkspaceConsentHistory(ctx, workspaceID, after, pageSize)
		if err != nil {
			return n, fmt.Errorf("consent history export: %w", err)
		}
		for _, e := range page {
			if err := hw.Write(e); err != nil {
				return n, err
			}
			after = e.ID
			n++
		}
		if len(page) < pageSize {
			break
		}
	}
	return n, hw.Flush()
}
