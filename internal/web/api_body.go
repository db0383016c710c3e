package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"

	"github.com/foyerhq/foyer"
)

// Request bodies the API reads are bounded: one contact or consent change,
// and a bulk request of at most maxBulkContacts contacts.
const (
	maxBodyBytes     = 1 << 20
	maxBulkBodyBytes = 16 << 20
)

// readBody reads the request's body, at most limit bytes: ETOOLARGE
// beyond, EINVALID when it is empty.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, foyer.Errorf(foyer.ETOOLARGE, "the request body is over %s: send less at once", byteSize(limit))
	case err != nil:
		return nil, foyer.Errorf(foyer.EINVALID, "the request body could not be read")
	case len(bytes.TrimSpace(b)) == 0:
		return nil, foyer.Errorf(foyer.EINVALID, "the request has no body: send a JSON object")
	}
	return b, nil
}

// decodeStrict decodes one JSON value from b into v: EINVALID for
// malformed JSON, a field v does not have, a value of the wrong type, or
// anything after the value.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return foyer.Errorf(foyer.EINVALID, "the body has more after its JSON value: send one JSON object")
	}
	return nil
}

// jsonError says, in words safe to show, what is wrong with a JSON body.
func jsonError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return foyer.Errorf(foyer.EINVALID, "the body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return foyer.Errorf(foyer.EINVALID, "%s: want %s, not a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &typ):
		return foyer.Errorf(foyer.EINVALID, "the body is a JSON %s: want an object", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return foyer.Errorf(foyer.EINVALID, "the body is not valid JSON (it ends too early)")
	}
	// The decoder's own words for an unknown field: json: unknown field "x".
	if msg, ok := bytes.CutPrefix([]byte(err.Error()), []byte("json: unknown field ")); ok {
		return foyer.Errorf(foyer.EINVALID, "unknown field %s", msg)
	}
	return foyer.Errorf(foyer.EINVALID, "the body is not valid JSON")
}

// jsonKind names the JSON kind of values of type t, with its article.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a number"
}

func byteSize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

// requireWrite refuses a token without the write scope.
func requireWrite(t *foyer.APIToken) error {
	if t.Scope != foyer.ScopeWrite {
		return foyer.Errorf(foyer.EFORBIDDEN, "this token has the %s scope, which reads only: changes take a token with the write scope (foyer token create --scope write)", t.Scope)
	}
	return nil
}

// tokenActor names the token in the records of what it changed.
func tokenActor(t *foyer.APIToken) string {
	if t.Name != "" {
		return fmt.Sprintf("token %d (%s)", t.ID, t.Name)
	}
	return fmt.Sprintf("token %d", t.ID)
}

// apiFail answers err: an internal error is logged and answered without
// its detail, another with its code's status and message.
func (s *Server) apiFail(w http.ResponseWriter, what string, err error) {
	if foyer.ErrorCode(err) == foyer.EINTERNAL {
		s.apiServerError(w, what, err)
		return
	}
	apiError(w, err)
}

// apiJSONStatus answers v as JSON with status.
func apiJSONStatus(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeContact checks that the token may change contacts and reads the
// contact ID of the path; else it answers the error and ok is false.
func writeContact(w http.ResponseWriter, r *http.Request, t *foyer.APIToken) (id int64, ok bool) {
	if err := requireWrite(t); err != nil {
		apiError(w, err)
		return 0, false
	}
	id, err := contactID(r)
	if err != nil {
		apiError(w, err)
		return 0, false
	}
	return id, true
}

// writeBody reads the body of a change, for a token with the write scope:
// else, or when the body is not read, it answers the error and ok is
// false.
func writeBody(w http.ResponseWriter, r *http.Request, t *foyer.APIToken, limit int64) (b []byte, ok bool) {
	if err := requireWrite(t); err != nil {
		apiError(w, err)
		return nil, false
	}
	b, err := readBody(w, r, limit)
	if err != nil {
		apiError(w, err)
		return nil, false
	}
	return b, true
}
