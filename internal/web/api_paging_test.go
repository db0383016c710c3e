package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
)

// TestAPIPagingToTheEnd: paging /api/v1/companies by next_offset, at the
// smallest, a middle and the largest limit and in both orders, lists every
// company of a workspace with more of them than the largest page exactly
// once, and next_offset is null on the last page only.
func TestAPIPagingToTheEnd(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testAPIPagingToTheEnd(t, d)
		})
	}
}

func testAPIPagingToTheEnd(t *testing.T, d store.Dialect) {
	const companies = 2*foyer.MaxFeedPage + 203
	w := newWebTestOn(t, d)
	w.user("ana@example.com", "correct horse battery", "Acme", foyer.RoleOwner)
	acme := w.site("Acme", "acme")
	at := time.Now().Add(-time.Hour)
	hits := make([]foyer.Hit, 0, companies)
	for i := range companies {
		hits = append(hits, foyer.Hit{SiteID: acme.ID, VisitorUID: fmt.Sprintf("visitor-%016d", i), Time: at.Add(time.Duration(i%7) * time.Second),
			Kind: foyer.KindPageview, Host: "www.example.com", Path: "/pricing",
			Origin: foyer.Origin{Country: "DE", Org: foyer.Org{Name: fmt.Sprintf("Company %04d GmbH", i), Type: foyer.OrgBusiness}}})
	}
	ctx := context.Background()
	if err := w.st.Append(ctx, hits); err != nil {
		t.Fatal(err)
	}
	if _, err := w.st.RollupAll(ctx); err != nil {
		t.Fatal(err)
	}
	tok := w.token("Acme", foyer.ScopeRead)

	for _, c := range []struct {
		limit int
		sort  string
	}{{1, "recent"}, {50, "recent"}, {foyer.MaxFeedPage, "recent"}, {50, "score"}, {foyer.MaxFeedPage, "score"}} {
		seen := map[string]bool{}
		offset, pages := 0, 0
		for {
			path := fmt.Sprintf("/api/v1/companies?sort=%s&limit=%d&offset=%d", c.sort, c.limit, offset)
			code, out := w.api(path, tok)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %v", path, code, out)
			}
			pages++
			data := out["data"].([]any)
			for _, row := range data {
				name := row.(map[string]any)["name"].(string)
				if seen[name] {
					t.Fatalf("%s: %s again", path, name)
				}
				seen[name] = true
			}
			if out["next_offset"] == nil {
				if offset+len(data) != companies {
					t.Errorf("%s: next_offset null after %d of %d companies", path, offset+len(data), companies)
				}
				break
			}
			if len(data) != c.limit || out["next_offset"] != float64(offset+c.limit) {
				t.Fatalf("%s: %d rows, next_offset %v", path, len(data), out["next_offset"])
			}
			offset += c.limit
		}
		if want := (companies + c.limit - 1) / c.limit; len(seen) != companies || pages != want {
			t.Errorf("limit %d by %s: %d companies in %d pages, want %d in %d", c.limit, c.sort, len(seen), pages, companies, want)
		}
	}
	if code, _ := w.api(fmt.Sprintf("/api/v1/companies?limit=%d", foyer.MaxFeedPage+1), tok); code != http.StatusBadRequest {
		t.Errorf("limit %d: %d", foyer.MaxFeedPage+1, code)
	}
}
