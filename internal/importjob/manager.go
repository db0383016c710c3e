package importjob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/contactimport"
	"github.com/foyerhq/foyer/internal/store"
)

// Records is what the Manager needs of the store beyond Store: the
// imports' own records.
type Records interface {
	Store
	StartContactImport(ctx context.Context, imp *store.ContactImport) error
	FinishContactImport(ctx context.Context, workspaceID, id int64, state, why string) (*store.ContactImport, error)
	FailRunningImports(ctx context.Context, why string) (int, error)
	ContactImports(ctx context.Context, workspaceID int64, limit int) ([]*store.ContactImport, error)
	ContactImport(ctx context.Context, workspaceID, id int64) (*store.ContactImport, error)
	ImportRejections(ctx context.Context, workspaceID, id int64, limit int) ([]store.ImportRejection, error)
}

// Config sets up a Manager.
type Config struct {
	Store Records
	// Dir holds the uploads' encrypted copies; created (0700) when
	// missing, and swept of any left by a previous run at start.
	Dir string
	// MaxBytes bounds an upload; DefaultMaxBytes when 0.
	MaxBytes int64
	// Idle is how long an upload that runs nothing is kept after its
	// last use before it is abandoned and deleted; 1 hour when 0.
	Idle time.Duration
	// MaxRunning bounds the previews and imports running at once on the
	// server (each holds about 60 MB per million rows); 2 when 0.
	MaxRunning int
	Log        *slog.Logger
	Now        func() time.Time
}

// DefaultMaxBytes is the largest upload by default: 512 MiB, more than a
// million contacts with every column.
const DefaultMaxBytes = 512 << 20

// MaxPreviewErrors is how many rejected rows a preview lists.
const MaxPreviewErrors = 200

// Errors a Manager answers, each a *foyer.Error.
var (
	ErrTooLarge = foyer.Errorf(foyer.EINVALID, "the file is too large")
	ErrBusy     = foyer.Errorf(foyer.ECONFLICT, "other imports are running on this server: try again when one has ended")
	ErrNoUpload = foyer.Errorf(foyer.ENOTFOUND, "no such upload: it was imported, cancelled, or abandoned after an hour unused")
	ErrState    = foyer.Errorf(foyer.ECONFLICT, "the upload is not at that step")
)

// The phases of an upload.
const (
	PhaseMapping    = "mapping"    // it has columns to map before a preview
	PhasePreviewing = "previewing" // its preview runs
	PhasePreviewed  = "previewed"  // its preview is shown, waiting for Import
	PhaseImporting  = "importing"
	PhaseFinished   = "finished" // imported, cancelled or failed: see Status.ImportID's record
)

// Manager holds the uploads of the web app's import pages and runs their
// previews and imports in the background.
type Manager struct {
	cfg    Config
	mu     sync.Mutex
	byID   map[string]*upload
	wg     sync.WaitGroup
	stop   chan struct{}
	closed bool
}

// upload is an uploaded file and what is being done with it, under the
// Manager's mu.
type upload struct {
	id          string
	workspaceID int64
	userID      int64
	fileName    string
	format      contactimport.Format
	latin1      bool
	spool       *spool
	unknown     []string
	mapping     map[string]string
	phase       string
	used        time.Time
	cancel      context.CancelFunc // of the running job
	report      Report             // of the preview, then of the import (copied at each batch)
	importID    int64
	err         string
}

// Status is what the import pages show of an upload.
type Status struct {
	ID       string
	FileName string
	Format   string // csv or ndjson
	Latin1   bool
	Size     int64
	Unknown  []string          // columns neither known nor mapped
	Mapping  map[string]string // as chosen
	Phase    string
	Report   Report // of the preview (PhasePreviewed) or of the import so far
	ImportID int64  // the import's record, once started
	Error    string // why the preview or the import failed, safe to show
}

// NewManager makes the upload directory, deletes the uploads a previous
// run left there (their keys are gone with it), and ends the imports a
// previous run left running as failed.
func NewManager(ctx context.Context, cfg Config) (*Manager, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Idle == 0 {
		cfg.Idle = time.Hour
	}
	if cfg.MaxRunning == 0 {
		cfg.MaxRunning = 2
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("importjob: %w", err)
	}
	left, _ := filepath.Glob(filepath.Join(cfg.Dir, "*"+spoolExt))
	for _, f := range left {
		if err := os.Remove(f); err != nil {
			return nil, fmt.Errorf("importjob: remove a left-over upload: %w", err)
		}
	}
	if len(left) > 0 {
		cfg.Log.Info("deleted the uploads of imports a previous run left", "files", len(left))
	}
	n, err := cfg.Store.FailRunningImports(ctx, "the server stopped during the import")
	if err != nil {
		return nil, err
	}
	if n > 0 {
		cfg.Log.Warn("imports were running when the server stopped: their records say how far each got", "imports", n)
	}
	m := &Manager{cfg: cfg, byID: map[string]*upload{}, stop: make(chan struct{})}
	m.wg.Add(1)
	go m.sweep()
	return m, nil
}

// MaxBytes is the largest file Upload takes.
func (m *Manager) MaxBytes() int64 { return m.cfg.MaxBytes }

// Close cancels what runs, waits for it to end (each import's record
// then says cancelled), and deletes every upload.
func (m *Manager) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	close(m.stop)
	for _, u := range m.byID {
		if u.cancel != nil {
			u.cancel()
		}
	}
	m.mu.Unlock()
	m.wg.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, u := range m.byID {
		m.drop(id, u)
	}
}

// sweep abandons the uploads unused for longer than Idle.
func (m *Manager) sweep() {
	defer m.wg.Done()
	t := time.NewTicker(min(m.cfg.Idle/4, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
		}
		m.mu.Lock()
		now := m.cfg.Now()
		for id, u := range m.byID {
			if u.cancel == nil && now.Sub(u.used) > m.cfg.Idle {
				m.drop(id, u)
			}
		}
		m.mu.Unlock()
	}
}

// drop deletes an upload's file and forgets it; under mu.
func (m *Manager) drop(id string, u *upload) {
	if u.spool != nil {
		if err := u.spool.remove(); err != nil {
			m.cfg.Log.Error("delete an upload", "err", err)
		}
		u.spool = nil
	}
	delete(m.byID, id)
}

// Upload keeps the file r, named name, of the user for the workspace,
// encrypted, and finds its columns that need mapping. NDJSON when the
// name ends in .ndjson or .jsonl, else CSV. ErrTooLarge over MaxBytes;
// EINVALID for a file contactimport refuses outright (empty, no email
// column).
func (m *Manager) Upload(ctx context.Context, workspaceID, userID int64, name string, latin1 bool, r io.Reader) (*Status, error) {
	sp, err := createSpool(m.cfg.Dir, r, m.cfg.MaxBytes)
	if errors.Is(err, errTooLarge) {
		return nil, ErrTooLarge
	}
	if err != nil {
		return nil, err
	}
	id := make([]byte, 16)
	rand.Read(id)
	u := &upload{id: hex.EncodeToString(id), workspaceID: workspaceID, userID: userID, fileName: filepath.Base(name),
		latin1: latin1, spool: sp, mapping: map[string]string{}, used: m.cfg.Now()}
	if ext := strings.ToLower(filepath.Ext(name)); ext == ".ndjson" || ext == ".jsonl" {
		u.format = contactimport.NDJSON
	}
	if u.unknown, err = m.columns(ctx, u); err != nil {
		sp.remove()
		return nil, err
	}
	u.phase = PhaseMapping
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		sp.remove()
		return nil, ErrNoUpload
	}
	m.byID[u.id] = u
	return m.status(u), nil
}

// errEnough stops the reading of a file's first records.
var errEnough = errors.New("enough")

// columns reads an upload's first 1,000 records and returns the unknown
// columns (in NDJSON, keys) seen in them.
func (m *Manager) columns(ctx context.Context, u *upload) ([]string, error) {
	f, err := u.spool.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n := 0
	stop := func() error {
		if n++; n >= 1000 {
			return errEnough
		}
		return nil
	}
	sum, err := contactimport.Read(ctx, f, contactimport.Options{Format: u.format, Latin1: u.latin1, Preview: true},
		func(contactimport.Row) error { return stop() }, func(contactimport.Rejection) error { return stop() })
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return sum.UnknownColumns, nil
}

// Status returns the upload id of the user in the workspace, or
// ErrNoUpload (also for another user's or workspace's).
func (m *Manager) Status(workspaceID, userID int64, id string) (*Status, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.find(workspaceID, userID, id)
	if err != nil {
		return nil, err
	}
	return m.status(u), nil
}

func (m *Manager) find(workspaceID, userID int64, id string) (*upload, error) {
	u, ok := m.byID[id]
	if !ok || u.workspaceID != workspaceID || u.userID != userID {
		return nil, ErrNoUpload
	}
	u.used = m.cfg.Now()
	return u, nil
}

// status is u's Status; under mu.
func (m *Manager) status(u *upload) *Status {
	st := &Status{ID: u.id, FileName: u.fileName, Format: "csv", Latin1: u.latin1, Unknown: u.unknown,
		Mapping: maps.Clone(u.mapping), Phase: u.phase, Report: u.report, ImportID: u.importID, Error: u.err}
	st.Report.Errors = slices.Clone(u.report.Errors)
	if u.format == contactimport.NDJSON {
		st.Format = "ndjson"
	}
	if u.spool != nil {
		st.Size = u.spool.size
	}
	return st
}

// running counts the jobs that run; under mu.
func (m *Manager) running() int {
	n := 0
	for _, u := range m.byID {
		if u.cancel != nil {
			n++
		}
	}
	return n
}

// Preview starts the preview of the upload with mapping (a column's name
// to a field, or "" to ignore it): every row read and checked against
// the stored contacts in a dry run, nothing written. ErrBusy when
// MaxRunning jobs run; ErrState when the upload is being imported or was.
func (m *Manager) Preview(workspaceID, userID int64, id string, mapping map[string]string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.find(workspaceID, userID, id)
	if err != nil {
		return err
	}
	switch {
	case u.phase != PhaseMapping && u.phase != PhasePreviewed:
		return ErrState
	case m.running() >= m.cfg.MaxRunning:
		return ErrBusy
	}
	u.mapping = maps.Clone(mapping)
	u.phase, u.err, u.report = PhasePreviewing, "", Report{}
	m.run(u, 0)
	return nil
}

// Import starts the import of the previewed upload, recorded as started
// by the user, and returns its record's ID. ErrBusy when MaxRunning jobs
// run; ErrState unless the upload's preview is done.
func (m *Manager) Import(ctx context.Context, workspaceID, userID int64, id string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.find(workspaceID, userID, id)
	if err != nil {
		return 0, err
	}
	switch {
	case u.phase != PhasePreviewed:
		return 0, ErrState
	case m.running() >= m.cfg.MaxRunning:
		return 0, ErrBusy
	}
	imp := &store.ContactImport{WorkspaceID: workspaceID, UserID: userID, FileName: u.fileName, Format: "csv",
		BytesTotal: u.spool.size}
	if u.format == contactimport.NDJSON {
		imp.Format = "ndjson"
	}
	if err := m.cfg.Store.StartContactImport(ctx, imp); err != nil {
		return 0, err
	}
	u.importID, u.phase, u.err, u.report = imp.ID, PhaseImporting, "", Report{}
	m.run(u, imp.ID)
	return imp.ID, nil
}

// Cancel stops the upload's preview or import and deletes the upload; an
// import's record then says how far it got. It returns the import's
// record ID, 0 when none started.
func (m *Manager) Cancel(workspaceID, userID int64, id string) (int64, error) {
	m.mu.Lock()
	u, err := m.find(workspaceID, userID, id)
	if err != nil {
		m.mu.Unlock()
		return 0, err
	}
	importID := u.importID
	if u.cancel == nil {
		m.drop(id, u)
		m.mu.Unlock()
		return importID, nil
	}
	u.cancel()
	m.mu.Unlock()
	// The job ends its record and drops the upload; wait for it, briefly,
	// so that the next page shows the record ended.
	for range 100 {
		m.mu.Lock()
		_, still := m.byID[id]
		m.mu.Unlock()
		if !still {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	return importID, nil
}

// run starts u's preview (importID 0) or import in the background; under mu.
func (m *Manager) run(u *upload, importID int64) {
	ctx, cancel := context.WithCancel(context.Background())
	u.cancel = cancel
	in := Input{WorkspaceID: u.workspaceID, DryRun: importID == 0, ImportID: importID, MaxErrors: MaxPreviewErrors,
		Actor:   fmt.Sprintf("import %d", importID),
		Options: contactimport.Options{Format: u.format, Latin1: u.latin1, Mapping: u.mapping}}
	in.Progress = func(r *Report) {
		m.mu.Lock()
		u.report = *r
		u.report.Errors = slices.Clone(r.Errors)
		m.mu.Unlock()
	}
	in.Options.Progress = func(n int64) {
		m.mu.Lock()
		u.report.Bytes = n
		m.mu.Unlock()
	}
	sp := u.spool
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		rep, err := m.runFile(ctx, sp, in)
		m.end(u, importID, rep, err, ctx.Err() != nil)
	}()
}

func (m *Manager) runFile(ctx context.Context, sp *spool, in Input) (*Report, error) {
	f, err := sp.open()
	if err != nil {
		return &Report{}, err
	}
	defer f.Close()
	return Run(ctx, m.cfg.Store, f, in)
}

// end records how u's job ended.
func (m *Manager) end(u *upload, importID int64, rep *Report, err error, cancelled bool) {
	why := ""
	if err != nil && !cancelled {
		why = foyer.ErrorMessage(err)
		if foyer.ErrorCode(err) == foyer.EINTERNAL {
			m.cfg.Log.Error("contact import", "import", importID, "err", err)
			why = "Something went wrong on our side; the server's log says what."
		}
	}
	if importID != 0 {
		state := store.ImportDone
		switch {
		case cancelled:
			state = store.ImportCancelled
		case err != nil:
			state = store.ImportFailed
		}
		if _, ferr := m.cfg.Store.FinishContactImport(context.Background(), u.workspaceID, importID, state, why); ferr != nil {
			m.cfg.Log.Error("contact import: end its record", "import", importID, "err", ferr)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u.cancel = nil
	u.report = *rep
	u.err = why
	switch {
	case cancelled || importID != 0:
		// An import (or anything cancelled) is over: the file goes, the
		// record stays. The page finds the record by its ID.
		u.phase = PhaseFinished
		if u.spool != nil {
			if rerr := u.spool.remove(); rerr != nil {
				m.cfg.Log.Error("delete an upload", "err", rerr)
			}
			u.spool = nil
		}
		if cancelled {
			delete(m.byID, u.id)
		}
	case err != nil:
		u.phase = PhaseMapping // the preview failed: map again, or cancel
	default:
		u.phase = PhasePreviewed
	}
}

// Records returns the workspace's latest imports' records, newest first.
func (m *Manager) Records(ctx context.Context, workspaceID int64, limit int) ([]*store.ContactImport, error) {
	return m.cfg.Store.ContactImports(ctx, workspaceID, limit)
}

// Record returns the record of the workspace's import, or ENOTFOUND.
func (m *Manager) Record(ctx context.Context, workspaceID, id int64) (*store.ContactImport, error) {
	return m.cfg.Store.ContactImport(ctx, workspaceID, id)
}

// Rejections returns the rejections the import's record keeps, by line.
func (m *Manager) Rejections(ctx context.Context, workspaceID, id int64, limit int) ([]store.ImportRejection, error) {
	return m.cfg.Store.ImportRejections(ctx, workspaceID, id, limit)
}
