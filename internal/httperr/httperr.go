// Package httperr writes Foyer's errors as JSON answers, the same for the
// collector and the API: the status of the error's code
// (foyer.ErrorStatus) and one body, {"error": {"code": …, "message": …}},
// whose message is safe to show (foyer.ErrorMessage).
package httperr

import (
	"encoding/json"
	"net/http"

	"github.com/foyerhq/foyer"
)

// Body is the JSON body of an error answer.
type Body struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// JSON answers err with its code's status.
func JSON(w http.ResponseWriter, err error) {
	JSONStatus(w, foyer.ErrorStatus(foyer.ErrorCode(err)), err)
}

// JSONStatus answers err with another status than its code's, such as 405
// for a method a route does not take.
func JSONStatus(w http.ResponseWriter, status int, err error) {
	var b Body
	b.Error.Code, b.Error.Message = foyer.ErrorCode(err), foyer.ErrorMessage(err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(b)
}
