package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/foyerhq/foyer"
)

// TestFeedFiltersSummary: the summary of the feed's filter panel counts the
// filters applied; the order is not one, and chosen dates are.
func TestFeedFiltersSummary(t *testing.T) {
	w := newWebTest(t)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleViewer)
	acme := w.site("Acme", "acme")
	ana := w.signIn("ana@example.com")
	for q, want := range map[string]string{
		"":                                   "<summary>Filters</summary>",
		"?sort=score":                        "<summary>Filters</summary>",
		"?country=DE":                        "<summary>Filters (1 active)</summary>",
		"?country=DE&q=acme&min_pages=2":     "<summary>Filters (3 active)</summary>",
		"?from=2026-01-01&to=2026-01-31&q=x": "<summary>Filters (2 active)</summary>",
	} {
		resp := w.do("GET", fmt.Sprintf("/app/w/%d%s", acme.WorkspaceID, q), nil, ana)
		if b := body(resp); resp.StatusCode != 200 || !strings.Contains(b, want) {
			_, got, _ := strings.Cut(b, "<summary>")
			got, _, _ = strings.Cut(got, "</summary>")
			t.Errorf("feed%s: %d, summary %q, want %q", q, resp.StatusCode, got, want)
		}
	}
}
