package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/importjob"
	"github.com/foyerhq/foyer/internal/store"
)

// The contact import pages: an upload, the mapping of its unknown
// columns, a preview (a dry run of every row), then the import in the
// background with its progress, each import's record kept. Analysts and
// above; the uploads in flight are their uploader's alone.

// importView is the import page: the upload form and the past imports.
type importView struct {
	layout
	MaxMB int64
	Past  []importRow
	Off   bool // the server runs no imports (no upload directory)
}

type importRow struct {
	*store.ContactImport
	By string // who started it: a member's address, or "the command line"
}

// importStepView is the page of an upload in flight.
type importStepView struct {
	layout
	Upload   *importjob.Status
	Base     string // the upload's address
	Columns  []mappingRow
	Fields   []string // what a column may be mapped to, besides an attribute
	Percent  int64
	Size     string // the file's size, for people
	Contacts string // the contacts page, where a finished import leads
}

// mappingRow is an unknown column and the fields it may be mapped to.
type mappingRow struct {
	Column string
	Attr   string // "attr.NAME" made of the column's name, "" when none can be
	Chosen string
}

// importRecordView is the page of a past import.
type importRecordView struct {
	layout
	Record     importRow
	Rejections []store.ImportRejection
	Kept       int // the rejections a record keeps at most
	Contacts   string
}

// mappingFields are the fields a column may be mapped to, besides a
// custom attribute and "" (ignore it).
var mappingFields = []string{"email", "first_name", "last_name", "role", "phone", "crm_id", "company",
	"tracking_consent", "tracking_consent_at"}

// importPagePolicy is pagePolicy with the page's own script, which polls
// the progress of the running preview or import.
const importPagePolicy = pagePolicy + "; script-src 'self'; connect-src 'self'"

func (s *Server) importsPath(m foyer.Membership) string {
	return fmt.Sprintf("/app/w/%d/contacts/import", m.WorkspaceID)
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	s.renderImports(w, r, u, m, http.StatusOK, "")
}

func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, u *foyer.User, m foyer.Membership, status int, errMsg string) {
	d := importView{layout: layout{Title: "Import contacts", User: u, Workspace: m, Error: errMsg, Notice: noticeOf(r)}}
	if s.cfg.Imports == nil {
		d.Off = true
		s.render(w, status, "contactimport", d)
		return
	}
	d.MaxMB = s.cfg.Imports.MaxBytes() >> 20
	past, err := s.cfg.Imports.Records(r.Context(), m.WorkspaceID, 20)
	if err != nil {
		s.serverError(w, "imports", err)
		return
	}
	by, err := s.memberNames(r, m)
	if err != nil {
		s.serverError(w, "imports", err)
		return
	}
	for _, imp := range past {
		d.Past = append(d.Past, importRow{imp, by(imp.UserID)})
	}
	s.render(w, status, "contactimport", d)
}

// memberNames names the workspace's members by ID, for who started an import.
func (s *Server) memberNames(r *http.Request, m foyer.Membership) (func(int64) string, error) {
	members, err := s.cfg.Store.Members(r.Context(), m.WorkspaceID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, mb := range members {
		names[mb.User.ID] = mb.User.Email
	}
	return func(id int64) string {
		switch {
		case id == 0:
			return "the command line"
		case names[id] != "":
			return names[id]
		}
		return "a former member"
	}, nil
}

// uploadImport takes the file of the import form, streamed into an
// encrypted temporary copy (never parsed into memory or a plain temporary
// file), and sends the browser to its next step.
func (s *Server) uploadImport(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	if s.cfg.Imports == nil {
		s.renderImports(w, r, u, m, http.StatusServiceUnavailable, "This server runs no imports.")
		return
	}
	max := s.cfg.Imports.MaxBytes()
	tooLarge := fmt.Sprintf("The file is over %d MB, the largest this server takes. Split it into smaller files and import each.", max>>20)
	if r.ContentLength > max+1<<20 {
		s.renderImports(w, r, u, m, http.StatusRequestEntityTooLarge, tooLarge)
		return
	}
	// A large file takes longer than the server's usual read timeout.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(uploadTimeout))
	rc.SetWriteDeadline(time.Now().Add(uploadTimeout + time.Minute))
	r.Body = http.MaxBytesReader(w, r.Body, max+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		s.renderImports(w, r, u, m, http.StatusBadRequest, "Choose a CSV or NDJSON file to import.")
		return
	}
	latin1 := false
	var st *importjob.Status
	for st == nil {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderImports(w, r, u, m, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		if err != nil {
			s.renderImports(w, r, u, m, http.StatusBadRequest, "The upload was cut short. Try again.")
			return
		}
		switch part.FormName() {
		case "latin1": // the form puts it before the file
			v, _ := io.ReadAll(io.LimitReader(part, 16))
			latin1 = string(v) != ""
		case "file":
			if part.FileName() == "" {
				break
			}
			st, err = s.cfg.Imports.Upload(r.Context(), m.WorkspaceID, u.ID, part.FileName(), latin1, part)
			switch {
			case errors.Is(err, importjob.ErrTooLarge) || errors.As(err, &mbe):
				s.renderImports(w, r, u, m, http.StatusRequestEntityTooLarge, tooLarge)
				return
			case foyer.ErrorCode(err) == foyer.EINVALID:
				s.renderImports(w, r, u, m, http.StatusBadRequest, "This file cannot be imported: "+foyer.ErrorMessage(err))
				return
			case err != nil:
				s.serverErrorOf(w, "upload", u, err)
				return
			}
		}
		part.Close()
	}
	if st == nil {
		s.renderImports(w, r, u, m, http.StatusBadRequest, "Choose a CSV or NDJSON file to import.")
		return
	}
	http.Redirect(w, r, s.importsPath(m)+"/u/"+st.ID, http.StatusSeeOther)
}

// uploadTimeout is how long an upload may take: 512 MB at 1.2 MB/s.
const uploadTimeout = 7 * time.Minute

// importUpload finds the request's upload; it answers 404 itself.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, u *foyer.User) (foyer.Membership, *importjob.Status, bool) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return m, nil, false
	}
	if s.cfg.Imports == nil {
		s.notFound(w, u)
		return m, nil, false
	}
	st, err := s.cfg.Imports.Status(m.WorkspaceID, u.ID, r.PathValue("upload"))
	if err != nil {
		s.notFound(w, u)
		return m, nil, false
	}
	return m, st, true
}

// importStep shows an upload at its step: its mapping, its preview
// running or done, its import running; a finished import's record.
func (s *Server) importStep(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, st, ok := s.importUpload(w, r, u)
	if !ok {
		return
	}
	if st.Phase == importjob.PhaseFinished {
		if st.Error == "" {
			done(w, r, fmt.Sprintf("%s/records/%d", s.importsPath(m), st.ImportID), "import-done")
		} else {
			http.Redirect(w, r, fmt.Sprintf("%s/records/%d", s.importsPath(m), st.ImportID), http.StatusSeeOther)
		}
		return
	}
	d := importStepView{layout: layout{Title: "Import " + st.FileName, User: u, Workspace: m, Error: problemOf(r)},
		Upload: st, Base: s.importsPath(m) + "/u/" + st.ID, Contacts: fmt.Sprintf("/app/w/%d/contacts", m.WorkspaceID), Fields: mappingFields}
	if st.Error != "" {
		d.Error = st.Error
	}
	for _, c := range st.Unknown {
		d.Columns = append(d.Columns, mappingRow{Column: c, Attr: attrOf(c), Chosen: st.Mapping[c]})
	}
	d.Size = sizeText(st.Size)
	if st.Size > 0 {
		d.Percent = min(100, st.Report.Bytes*100/st.Size)
	}
	w.Header().Set("Content-Security-Policy", importPagePolicy)
	s.render(w, http.StatusOK, "contactimportstep", d)
}

// attrOf is the custom attribute a column's name makes ("attr.plan"), or
// "" when none can: 1 to 64 lower-case letters, digits, _ or -.
func attrOf(column string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(strings.TrimSpace(column)) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '_' || c == '-' || c == ' ' || c == '.':
			if b.Len() > 0 {
				b.WriteByte('_')
			}
		}
		if b.Len() >= 64 {
			break
		}
	}
	name := strings.TrimRight(b.String(), "_")
	if name == "" {
		return ""
	}
	return "attr." + name
}

// previewImport takes the mapping of the upload's unknown columns and
// starts its preview.
func (s *Server) previewImport(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, st, ok := s.importUpload(w, r, u)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad form.", http.StatusBadRequest)
		return
	}
	mapping := map[string]string{}
	for i, c := range st.Unknown {
		to := r.PostFormValue("to." + strconv.Itoa(i))
		switch {
		case to == "ignore" || to == "":
			mapping[c] = ""
		case strings.HasPrefix(to, "attr.") && to == attrOf(c):
			mapping[c] = to
		case validField(to):
			mapping[c] = to
		default:
			http.Error(w, "Bad form.", http.StatusBadRequest)
			return
		}
	}
	s.importStepDone(w, r, u, s.importsPath(m)+"/u/"+st.ID, "preview", s.cfg.Imports.Preview(m.WorkspaceID, u.ID, st.ID, mapping))
}

// importStepDone answers a step of an upload (preview, import) that err
// ended: back to the upload's page, saying what went wrong.
func (s *Server) importStepDone(w http.ResponseWriter, r *http.Request, u *foyer.User, base, step string, err error) {
	switch {
	case errors.Is(err, importjob.ErrBusy):
		failed(w, r, base, "import-busy")
	case err != nil && foyer.ErrorCode(err) != foyer.EINTERNAL:
		failed(w, r, base, "import-step")
	case err != nil:
		s.serverErrorOf(w, step, u, err)
	default:
		http.Redirect(w, r, base, http.StatusSeeOther)
	}
}

func validField(f string) bool { return slices.Contains(mappingFields, f) }

// startImport starts the import of a previewed upload.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, st, ok := s.importUpload(w, r, u)
	if !ok {
		return
	}
	importID, err := s.cfg.Imports.Import(r.Context(), m.WorkspaceID, u.ID, st.ID)
	if err == nil {
		s.audit(r, u, m.WorkspaceID, foyer.AuditContactImport, "import", fmt.Sprint(importID), "file upload started")
	}
	s.importStepDone(w, r, u, s.importsPath(m)+"/u/"+st.ID, "import", err)
}

// cancelImport stops an upload's preview or import and deletes the file:
// to the record of an import, which says how far it got, or back to the
// import page.
func (s *Server) cancelImport(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, st, ok := s.importUpload(w, r, u)
	if !ok {
		return
	}
	id, err := s.cfg.Imports.Cancel(m.WorkspaceID, u.ID, st.ID)
	if err != nil {
		s.notFound(w, u)
		return
	}
	if id != 0 {
		done(w, r, fmt.Sprintf("%s/records/%d", s.importsPath(m), id), "import-cancelled")
		return
	}
	done(w, r, s.importsPath(m), "upload-cancelled")
}

// importProgress answers the progress of an upload's preview or import
// as JSON, for the step page's script.
func (s *Server) importProgress(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	_, st, ok := s.importUpload(w, r, u)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{
		"phase": st.Phase, "bytes": st.Report.Bytes, "total": st.Size, "rows": st.Report.Rows,
		"new": st.Report.New, "updated": st.Report.Updated, "unchanged": st.Report.Unchanged, "rejected": st.Report.Rejected,
	})
}

// importRecord shows a past import's record and the rejections it keeps.
func (s *Server) importRecord(w http.ResponseWriter, r *http.Request, u *foyer.User) {
	m, ok := s.workspaceRole(w, r, u, foyer.RoleAnalyst)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("import"), 10, 64)
	if err != nil || s.cfg.Imports == nil {
		s.notFound(w, u)
		return
	}
	rec, err := s.cfg.Imports.Record(r.Context(), m.WorkspaceID, id)
	if foyer.ErrorCode(err) == foyer.ENOTFOUND {
		s.notFound(w, u)
		return
	}
	if err != nil {
		s.serverError(w, "import", err)
		return
	}
	rej, err := s.cfg.Imports.Rejections(r.Context(), m.WorkspaceID, id, store.MaxImportRejections)
	if err != nil {
		s.serverError(w, "import", err)
		return
	}
	by, err := s.memberNames(r, m)
	if err != nil {
		s.serverError(w, "import", err)
		return
	}
	s.render(w, http.StatusOK, "contactimportrecord", importRecordView{
		layout:     layout{Title: "Import of " + rec.FileName, User: u, Workspace: m, Notice: noticeOf(r)},
		Record:     importRow{rec, by(rec.UserID)},
		Rejections: rej, Kept: store.MaxImportRejections, Contacts: fmt.Sprintf("/app/w/%d/contacts", m.WorkspaceID)})
}

// sizeText writes a number of bytes for people: "812 bytes", "3.4 MB".
func sizeText(n int64) string {
	switch {
	case n < 1000:
		return count(n, "byte", "bytes")
	case n < 1000_000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
