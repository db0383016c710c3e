package httperr

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestJSON: the status is the code's, the body names the code and a
// message safe to show; an internal error's detail stays out.
func TestJSON(t *testing.T) {
	for _, c := range []struct {
		err     error
		status  int
		code    string
		message string
	}{
		{foyer.Errorf(foyer.EINVALID, "bad site key"), http.StatusBadRequest, foyer.EINVALID, "bad site key"},
		{foyer.Errorf(foyer.EUNAVAILABLE, "try again"), http.StatusServiceUnavailable, foyer.EUNAVAILABLE, "try again"},
		{errors.New("pq: relation users at 10.0.0.5"), http.StatusInternalServerError, foyer.EINTERNAL, "internal error"},
	} {
		rec := httptest.NewRecorder()
		JSON(rec, c.err)
		var b Body
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
			t.Fatal(err)
		}
		if rec.Code != c.status || b.Error.Code != c.code || b.Error.Message != c.message || rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%v: %d %+v", c.err, rec.Code, b)
		}
	}
	rec := httptest.NewRecorder()
	JSONStatus(rec, http.StatusMethodNotAllowed, foyer.Errorf(foyer.EINVALID, "use POST"))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("JSONStatus: %d", rec.Code)
	}
}
