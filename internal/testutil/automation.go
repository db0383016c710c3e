package testutil

import (
	"database/sql"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Rows writes rows with plain SQL into a test's database, as code outside
// the package under test would (the segments and scores that automations
// act on, and their automation events).
type Rows struct {
	DB *sql.DB
	pg bool
}

// NewRows opens a handle on the database of dsn (as NewDSN returns it).
func NewRows(t testing.TB, dsn string) *Rows {
	return &Rows{DB: OpenDB(t, dsn), pg: !strings.HasPrefix(dsn, "sqlite:")}
}

// bind turns the ? placeholders of q into PostgreSQL's $n when needed.
func (r *Rows) bind(q string) string {
	if !r.pg {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Exec runs a statement.
func (r *Rows) Exec(t testing.TB, q string, args ...any) {
	t.Helper()
	if _, err := r.DB.Exec(r.bind(q), args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// Int returns the integer the query reads.
func (r *Rows) Int(t testing.TB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := r.DB.QueryRow(r.bind(q), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Segment adds a segment to the workspace: static when definition is "".
func (r *Rows) Segment(t testing.TB, workspaceID int64, name, definition string) int64 {
	t.Helper()
	now := time.Now().UnixMilli()
	return r.Int(t, `INSERT INTO segments (workspace_id, name, definition, created_by, created_at, updated_at)
		VALUES (?, ?, ?, 'test', ?, ?) RETURNING id`, workspaceID, name, definition, now, now)
}

// Company adds a company to the workspace.
func (r *Rows) Company(t testing.TB, workspaceID int64, name, domain string) int64 {
	t.Helper()
	return r.Int(t, `INSERT INTO companies (workspace_id, org_key, name, domain, type, created_at)
		VALUES (?, ?, ?, ?, 'business', ?) RETURNING id`, workspaceID, domain, name, domain, time.Now().UnixMilli())
}

// AutomationEvent is a row of automation_events.
type AutomationEvent struct {
	WorkspaceID                     int64
	Kind                            string // segment-entered, segment-left, score-changed
	SegmentID, ContactID, CompanyID int64
	OldMilli, NewMilli              int64
	Behavioural                     bool
}

// Event writes an automation event, as the segments and scoring code
// does, and returns its ID.
func (r *Rows) Event(t testing.TB, e AutomationEvent) int64 {
	t.Helper()
	return r.Int(t, `INSERT INTO automation_events (workspace_id, kind, segment_id, contact_id, company_id, old_milli,
		new_milli, behavioural, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.WorkspaceID, e.Kind, e.SegmentID, e.ContactID, e.CompanyID, e.OldMilli, e.NewMilli, e.Behavioural, time.Now().UnixMilli())
}
