package foyer

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// TestErrorStatus: every code has its own status, and what is not an
// application error is a 500.
func TestErrorStatus(t *testing.T) {
	want := map[string]int{
		EINVALID: 400, EUNAUTHORIZED: 401, EFORBIDDEN: 403, ENOTFOUND: 404, ECONFLICT: 409,
		ETOOLARGE: 413, ERATELIMIT: 429, EINTERNAL: 500, EUNAVAILABLE: 503, "no such code": 500,
	}
	for code, status := range want {
		if got := ErrorStatus(code); got != status {
			t.Errorf("ErrorStatus(%q) = %d, want %d", code, got, status)
		}
	}
	wrapped := fmt.Errorf("store: x: %w", Errorf(ECONFLICT, "taken"))
	if got := ErrorStatus(ErrorCode(wrapped)); got != http.StatusConflict {
		t.Errorf("a wrapped conflict: %d", got)
	}
	if got := ErrorStatus(ErrorCode(errors.New("disk on fire"))); got != http.StatusInternalServerError {
		t.Errorf("an internal error: %d", got)
	}
}
