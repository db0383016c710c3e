package web

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/foyerhq/foyer"
)

// maxBulkContacts bounds a bulk request.
const maxBulkContacts = 1000

// bulkResult is what became of one contact of a bulk request.
type bulkResult struct {
	Index   int             `json:"index"`
	Outcome string          `json:"outcome"` // created, updated, unchanged or error
	ID      int64           `json:"id,omitempty"`
	Error   *bulkError      `json:"error,omitempty"`
	Consent *consentOutcome `json:"consent,omitempty"` // when the row gave a consent status
}

// bulkError is a row's error, in the shape of the API's errors.
type bulkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiBulkContacts: POST /api/v1/contacts/bulk {"contacts":[…]} — creates
// or updates up to maxBulkContacts contacts, found by email: a new email
// is created, an existing contact gets the fields present (as PATCH) and
// the consent status by the precedence rules. Each contact is done on its
// own; one that fails is reported in its result and the others go on.
// More than maxBulkContacts, or a body that is not an object with a list
// of contacts, is refused (400) with nothing written.
func (s *Server) apiBulkContacts(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) {
	b, ok := writeBody(w, r, t, maxBulkBodyBytes)
	if !ok {
		return
	}
	var in struct {
		Contacts []json.RawMessage `json:"contacts"`
	}
	if err := decodeStrict(b, &in); err != nil {
		apiError(w, err)
		return
	}
	switch {
	case in.Contacts == nil:
		apiError(w, foyer.Errorf(foyer.EINVALID, `contacts: required, a list of contacts: {"contacts": [{"email": …}, …]}`))
		return
	case len(in.Contacts) > maxBulkContacts:
		apiError(w, foyer.Errorf(foyer.EINVALID, "%d contacts: at most %d a request; nothing was written", len(in.Contacts), maxBulkContacts))
		return
	}
	out := struct {
		Created   int          `json:"created"`
		Updated   int          `json:"updated"`
		Unchanged int          `json:"unchanged"`
		Errors    int          `json:"errors"`
		Results   []bulkResult `json:"results"`
	}{Results: make([]bulkResult, 0, len(in.Contacts))}
	logged := false
	for i, raw := range in.Contacts {
		res, err := s.upsert(r, t, raw)
		if err != nil {
			if foyer.ErrorCode(err) == foyer.EINTERNAL && !logged {
				s.cfg.Log.Error("api bulk contacts", "err", err)
				logged = true // once: a database that is down fails every row
			}
			res = bulkResult{Outcome: "error", ID: res.ID, Error: &bulkError{foyer.ErrorCode(err), foyer.ErrorMessage(err)}}
		}
		res.Index = i
		switch res.Outcome {
		case "created":
			out.Created++
		case "updated":
			out.Updated++
		case "unchanged":
			out.Unchanged++
		default:
			out.Errors++
		}
		out.Results = append(out.Results, res)
	}
	s.auditToken(r, t, foyer.AuditContactImport, "", "", fmt.Sprintf("API bulk: %d created, %d updated, %d unchanged, %d errors",
		out.Created, out.Updated, out.Unchanged, out.Errors))
	apiJSON(w, out)
}

// upsert creates or updates the contact of one bulk row; the result's ID
// is set when the contact exists, also with an error.
func (s *Server) upsert(r *http.Request, t *foyer.APIToken, raw json.RawMessage) (bulkResult, error) {
	in, err := parseContactInput(raw, tokenActor(t))
	if err != nil {
		return bulkResult{}, err
	}
	email := in.text["email"]
	if email == "" {
		return bulkResult{}, foyer.Errorf(foyer.EINVALID, "a contact needs an email, by which it is found")
	}
	for range 2 { // twice: a contact created meanwhile by another request is then updated
		c, err := s.cfg.Store.ContactByEmail(r.Context(), t.WorkspaceID, email)
		switch foyer.ErrorCode(err) {
		case foyer.ENOTFOUND:
			c, consent, err := s.createAPIContact(r, t, in)
			if foyer.ErrorCode(err) == foyer.ECONFLICT {
				continue
			}
			if err != nil {
				var id int64
				if c != nil {
					id = c.ID
				}
				return bulkResult{ID: id}, err
			}
			return bulkResult{Outcome: "created", ID: c.ID, Consent: consent}, nil
		case "":
			changed, consent, err := s.updateAPIContact(r, t, c, in)
			if err != nil {
				return bulkResult{ID: c.ID}, err
			}
			outcome := "unchanged"
			if changed {
				outcome = "updated"
			}
			return bulkResult{Outcome: outcome, ID: c.ID, Consent: consent}, nil
		default:
			return bulkResult{}, err
		}
	}
	return bulkResult{}, foyer.Errorf(foyer.ECONFLICT, "the contact %s was created and changed by other requests meanwhile: send it again", email)
}
