package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestBackupBanner: a failed scheduled backup is shown to the owners of
// the workspace a page is in, and to nobody else.
func TestBackupBanner(t *testing.T) {
	t.Parallel()
	problem := "the backup due at 10:00 failed"
	s := &Server{cfg: Config{BackupProblem: func() string { return problem }}}
	for _, c := range []struct {
		role foyer.Role
		want bool
	}{{foyer.RoleOwner, true}, {foyer.RoleAdmin, false}, {foyer.RoleViewer, false}, {"", false}} {
		view := activityView{layout: layout{Title: "Activity", User: &foyer.User{Email: "a@example.com"},
			Workspace: foyer.Membership{WorkspaceID: 1, Role: c.role}}}
		w := httptest.NewRecorder()
		s.render(w, 200, "activity", view)
		body := w.Body.String()
		if got := strings.Contains(body, problem); got != c.want || w.Code != 200 {
			t.Errorf("role %q: banner %v (status %d), want %v", c.role, got, w.Code, c.want)
		}
	}
	problem = ""
	w := httptest.NewRecorder()
	s.render(w, 200, "activity", activityView{layout: layout{Title: "Activity", Workspace: foyer.Membership{Role: foyer.RoleOwner}}})
	if strings.Contains(w.Body.String(), "scheduled backup failed") {
		t.Error("a banner without a problem")
	}
}
