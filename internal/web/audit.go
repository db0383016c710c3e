package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/foyerhq/foyer"
)

// Recording the audit log (foyer.AuditService). A change records its entry
// after it succeeded (audit): a failure to record is logged at error level
// and the change stands, since it is done. A read of personal data (a
// contact's profile, an export) records its entry first (auditRead), and
// is refused when the entry cannot be stored: nobody reads unrecorded.
//
// No IP address is passed to the store: an entry's network is a keyed
// hash (Config.AuditKey) of the client's /24 or /48, and a failed sign-in
// for an address without an account keeps a keyed hash of the address.

// auditEntry is an entry of the workspace by u (nil: system) for the
// request r: its user agent and its network's keyed hash.
func (s *Server) auditEntry(r *http.Request, u *foyer.User, ws int64, action foyer.AuditAction, objType, objID, detail string) foyer.AuditEntry {
	e := foyer.AuditEntry{WorkspaceID: ws, ActorKind: foyer.ActorSystem, Actor: "system", Action: action,
		ObjectType: objType, ObjectID: objID, Detail: detail}
	if u != nil {
		e.ActorKind, e.ActorID, e.Actor = foyer.ActorUser, u.ID, userLabel(u)
	}
	if r != nil {
		e.UserAgent = r.UserAgent()
		e.Network = s.networkOf(r)
	}
	return e
}

// userLabel is how an entry names a user: name and email, as they are now.
func userLabel(u *foyer.User) string {
	if u.Name == "" {
		return u.Email
	}
	return u.Name + " <" + u.Email + ">"
}

// networkOf is the keyed hash of the request's client network: its /24
// (IPv4) or /48 (IPv6), never the address itself; "" when unknown.
func (s *Server) networkOf(r *http.Request) string {
	a := s.cfg.ClientIP.From(r)
	if !a.IsValid() {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return s.auditHash("network", p.Masked().String())
}

// auditHash is a keyed hash of v for purpose, short and in hex.
func (s *Server) auditHash(purpose, v string) string {
	m := hmac.New(sha256.New, s.cfg.AuditKey)
	m.Write([]byte(purpose + "\x00" + v))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// audit records a change by u (nil: the system) in the workspace's log,
// after the change succeeded; a failure is logged.
func (s *Server) audit(r *http.Request, u *foyer.User, ws int64, action foyer.AuditAction, objType, objID, detail string) {
	e := s.auditEntry(r, u, ws, action, objType, objID, detail)
	s.recordAudit(r, &e)
}

func (s *Server) recordAudit(r *http.Request, e *foyer.AuditEntry) {
	if err := s.cfg.Store.RecordAudit(r.Context(), e); err != nil {
		s.cfg.Log.Error("audit: could not record an entry", "action", string(e.Action), "workspace", e.WorkspaceID,
			"object_type", e.ObjectType, "object_id", e.ObjectID, "err", err)
	}
}

// auditRead records a read of personal data by u before it is shown, and
// answers a server error and reports false when it cannot.
func (s *Server) auditRead(w http.ResponseWriter, r *http.Request, u *foyer.User, ws int64, action foyer.AuditAction, objType, objID, detail string) bool {
	e := s.auditEntry(r, u, ws, action, objType, objID, detail)
	if err := s.cfg.Store.RecordAudit(r.Context(), &e); err != nil {
		s.serverErrorOf(w, "audit", u, err)
		return false
	}
	return true
}

// auditUser records what u did to their own account (a sign-in, a failed
// one, a change of their second factor) in the log of every workspace u
// belongs to: it is tied to none of them.
func (s *Server) auditUser(r *http.Request, u *foyer.User, action foyer.AuditAction, detail string) {
	ms, err := s.cfg.Store.Memberships(r.Context(), u.ID)
	if err != nil {
		s.cfg.Log.Error("audit: could not record an account's action", "user", u.ID, "err", err)
		return
	}
	for _, m := range ms {
		s.audit(r, u, m.WorkspaceID, action, "user", strconv.FormatInt(u.ID, 10), detail)
	}
}

// auditNobody records a failed sign-in for an address without an account
// in the installation's log, under a keyed hash of the address.
func (s *Server) auditNobody(r *http.Request, email string) {
	e := s.auditEntry(r, nil, 0, foyer.AuditSignInFailed, "", "", "no such account")
	e.ActorKind, e.Actor = foyer.ActorNobody, "address "+s.auditHash("email", strings.ToLower(strings.TrimSpace(email)))
	s.recordAudit(r, &e)
}

// auditTokenUse records, in the background, a use of the API token, at
// most once a minute per token from this process; the store keeps one an
// hour (RecordTokenUse).
func (s *Server) auditTokenUse(r *http.Request, t *foyer.APIToken, hash []byte) {
	e := foyer.AuditEntry{WorkspaceID: t.WorkspaceID, ActorKind: foyer.ActorToken, ActorID: t.ID, Actor: t.Name,
		ObjectType: "token", ObjectID: strconv.FormatInt(t.ID, 10), UserAgent: r.UserAgent(), Network: s.networkOf(r)}
	s.lastUsed.recordAudit(hash, func(ctx context.Context) error {
		_, err := s.cfg.Store.RecordTokenUse(ctx, &e)
		return err
	})
}

// idOf is n in decimal, for an entry's object ID.
func idOf(n int64) string { return strconv.FormatInt(n, 10) }

// auditObjectTypes are the object types the audit page filters by.
var auditObjectTypes = []string{"contact", "user", "invitation", "token", "site", "workspace", "company", "organisation", "export", "import", "automation"}

// auditPath is the address of the workspace's audit log.
func auditPath(ws int64) string { return fmt.Sprintf("/app/w/%d/audit", ws) }

// AuditKeyPurpose is the purpose the audit log's hash key is derived for
// from the master key (vault.Keyring.Derive).
const AuditKeyPurpose = "audit log hashes"

// failedDetail says how a sign-in with a secret (a password or a code)
// failed: a wrong one, or an attempt on a locked account.
func failedDetail(secret string, v verdict) string {
	if v.status == http.StatusTooManyRequests {
		return "account locked"
	}
	return "wrong " + secret
}

// tokenEntry is an entry of the token's workspace by the token, for r.
func (s *Server) tokenEntry(r *http.Request, t *foyer.APIToken, action foyer.AuditAction, objType, objID, detail string) foyer.AuditEntry {
	e := s.auditEntry(r, nil, t.WorkspaceID, action, objType, objID, detail)
	e.ActorKind, e.ActorID, e.Actor = foyer.ActorToken, t.ID, "API token "+t.Name
	return e
}

// auditToken is audit for a change through the API.
func (s *Server) auditToken(r *http.Request, t *foyer.APIToken, action foyer.AuditAction, objType, objID, detail string) {
	e := s.tokenEntry(r, t, action, objType, objID, detail)
	s.recordAudit(r, &e)
}

// auditTokenRead is auditRead for a read through the API.
func (s *Server) auditTokenRead(w http.ResponseWriter, r *http.Request, t *foyer.APIToken, action foyer.AuditAction, objType, objID, detail string) bool {
	e := s.tokenEntry(r, t, action, objType, objID, detail)
	if err := s.cfg.Store.RecordAudit(r.Context(), &e); err != nil {
		s.apiServerError(w, "audit", err)
		return false
	}
	return true
}

// shortHash is the first 8 characters of a hash, enough to tell networks
// apart on the audit page (the title and the CSV have it whole).
func shortHash(s string) string {
	if len(s) > 8 {
		return s[:8] + "…"
	}
	return s
}

// auditContact records what a contact did itself through a hosted form,
// after it succeeded: the actor is the contact, by its ID only.
func (s *Server) auditContact(r *http.Request, ws, contactID int64, action foyer.AuditAction, detail string) {
	e := s.auditEntry(r, nil, ws, action, "contact", idOf(contactID), detail)
	e.ActorKind, e.ActorID, e.Actor = foyer.ActorContact, contactID, "the contact"
	s.recordAudit(r, &e)
}
