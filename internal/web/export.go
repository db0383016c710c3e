package web

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/csvsafe"
)

// exportLimit bounds one CSV export.
const exportLimit = 10_000

// utf8BOM starts an export so that Excel reads it as UTF-8 (and shows
// accents) rather than in the system's code page.
const utf8BOM = "\ufeff"

// feedExport writes the feed of the period and filter as CSV, for analysts
// and above: viewers read the feed but export nothing. The file starts with
// a UTF-8 byte-order mark unless the query says bom=0, for tools that
// would read the mark as part of the first column's name.
func (s *Server) feedExport(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	p, err := periodOf(r)
	if err != nil {
		http.Error(w, foyer.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	f, problems := filterOf(r)
	if len(problems) > 0 {
		http.Error(w, strings.Join(problems, " "), http.StatusBadRequest)
		return
	}
	q := forUser(f, u.ID)
	q.WorkspaceID, q.From, q.To = m.WorkspaceID, p.From, p.To
	if !s.auditRead(w, r, u, m.WorkspaceID, foyer.AuditExport, "export", "feed",
		fmt.Sprintf("company feed CSV, %s to %s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))) {
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/csv; charset=utf-8")
	hdr.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="companies-%s-%s.csv"`,
		p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)))
	hdr.Set("Cache-Control", "no-store")
	if r.URL.Query().Get("bom") != "0" {
		io.WriteString(w, utf8BOM)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"company", "domain", "country", "industry", "size", "type", "visits", "pages", "engaged_seconds", "last_visit_utc", "score", "top_source", "tags",
		"display_name", "website", "linkedin"})
	for written := 0; written < exportLimit; {
		q.Limit, q.Offset = foyer.MaxFeedPage, written
		rows, err := s.cfg.Store.Feed(r.Context(), q)
		if err != nil {
			s.cfg.Log.Error("export", "err", err)
			return // the header is out: the cut file shows the failure
		}
		for _, c := range rows {
			var website string
			if c.Profile != nil {
				website = c.Profile.Website
			}
			cw.Write([]string{csvsafe.Cell(c.Name), csvsafe.Cell(c.Domain), csvsafe.Cell(c.Country), csvsafe.Cell(c.DisplayIndustry()),
				csvsafe.Cell(c.DisplaySize()), string(c.Type),
				strconv.FormatInt(c.Visits, 10), strconv.FormatInt(c.Pageviews, 10), strconv.FormatInt(c.EngagedMS/1000, 10),
				c.LastAt.UTC().Format(time.RFC3339), strconv.Itoa(c.Score), csvsafe.Cell(c.TopSource), csvsafe.Cell(strings.Join(c.Tags, ", ")),
				csvsafe.Cell(c.DisplayName()), csvsafe.Cell(website), c.Profile.LinkedInURL()})
		}
		written += len(rows)
		if len(rows) < q.Limit {
			break
		}
	}
	cw.Flush()
}
