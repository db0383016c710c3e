package foyer

import (
	"context"
	"time"
)

// RequestKind is what a data subject asks of a workspace about the data
// it holds on them.
type RequestKind string

// The kinds of data-subject request (GDPR articles 15, 16, 17 and 21).
const (
	RequestAccess        RequestKind = "access"        // a copy of everything held on the person
	RequestRectification RequestKind = "rectification" // a correction of their data
	RequestErasure       RequestKind = "erasure"       // the erasure of their data
	RequestObjection     RequestKind = "objection"     // no more tracking of their behaviour
)

// RequestKinds lists the kinds in the order the pages offer them.
var RequestKinds = []RequestKind{RequestAccess, RequestRectification, RequestErasure, RequestObjection}

// Valid reports whether k is one of RequestKinds.
func (k RequestKind) Valid() bool {
	switch k {
	case RequestAccess, RequestRectification, RequestErasure, RequestObjection:
		return true
	}
	return false
}

// Label is the kind as the pages name it.
func (k RequestKind) Label() string {
	switch k {
	case RequestAccess:
		return "Access"
	case RequestRectification:
		return "Rectification"
	case RequestErasure:
		return "Erasure"
	case RequestObjection:
		return "Objection to tracking"
	}
	return string(k)
}

// RequestStatus is where a request stands.
type RequestStatus string

// The statuses of a request: open until handled, then done or rejected.
const (
	RequestOpen     RequestStatus = "open"
	RequestDone     RequestStatus = "done"
	RequestRejected RequestStatus = "rejected"
)

// DefaultRequestDays is how many days a workspace has to answer a request
// unless it says otherwise: the GDPR's one month, rounded down.
const DefaultRequestDays = 30

// MaxRequestDays bounds a workspace's answer time: the GDPR allows one
// month, and two more for complex requests when the person is told.
const MaxRequestDays = 90

// SubjectRequest is a data-subject request about a contact of a workspace,
// with when it came, when it is due, and who handled it. It outlives the
// contact (an erasure request erases it); it holds no personal field.
type SubjectRequest struct {
	ID          int64
	WorkspaceID int64
	ContactID   int64
	Kind        RequestKind
	Status      RequestStatus
	// Reference is the requester's or the ticket's reference, as typed;
	// never personal data.
	Reference  string
	ReceivedAt time.Time
	DueAt      time.Time
	OpenedBy   string
	ClosedAt   time.Time // zero while open
	ClosedBy   string
	Outcome    string // what handling it did, in a sentence
}

// DaysLeft is how many whole days are left before the request is due at
// now; negative when it is overdue.
func (r SubjectRequest) DaysLeft(now time.Time) int {
	d := r.DueAt.Sub(now)
	if d < 0 {
		return -int((-d + 24*time.Hour - 1) / (24 * time.Hour))
	}
	return int(d / (24 * time.Hour))
}

// DueSoon reports whether an open request is due within a week of now, or
// overdue: the pages warn of it.
func (r SubjectRequest) DueSoon(now time.Time) bool {
	return r.Status == RequestOpen && r.DueAt.Sub(now) < 7*24*time.Hour
}

// RequestQuery selects a workspace's requests.
type RequestQuery struct {
	ContactID int64 // 0: every contact's
	OpenOnly  bool
	Limit     int // 100 when 0
}

// RequestService keeps a workspace's data-subject requests. What handling a
// request does (the access package, the erasure, the objection) is the
// caller's; the store records it. Every method is scoped by the workspace.
type RequestService interface {
	// OpenRequest records r, received at r.ReceivedAt (now when zero),
	// due the workspace's RequestDays later; it fills in r's ID, status
	// and due date. ENOTFOUND for a contact that is not the workspace's,
	// EINVALID for an unknown kind.
	OpenRequest(ctx context.Context, r *SubjectRequest) error
	// SubjectRequests lists requests, the open ones by due date first,
	// then the closed ones newest first.
	SubjectRequests(ctx context.Context, workspaceID int64, q RequestQuery) ([]SubjectRequest, error)
	SubjectRequest(ctx context.Context, workspaceID, id int64) (*SubjectRequest, error)
	// CloseRequest records that an open request was handled (done) or
	// rejected, by actor, with its outcome. ECONFLICT when it is closed
	// already, EINVALID for status open.
	CloseRequest(ctx context.Context, workspaceID, id int64, status RequestStatus, outcome, actor string) (*SubjectRequest, error)
	// RequestDays is how many days the workspace gives itself to answer.
	RequestDays(ctx context.Context, workspaceID int64) (int, error)
	// SetRequestDays sets it: 1 to MaxRequestDays, else EINVALID. Open
	// requests keep their due dates.
	SetRequestDays(ctx context.Context, workspaceID int64, days int) error
}
