package importjob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/importjob"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

type fixture struct {
	st  *store.Store
	ws  *foyer.Workspace
	dir string
	m   *importjob.Manager
	mu  sync.Mutex
	t   time.Time
}

func newFixture(t *testing.T, cfg importjob.Config) *fixture {
	t.Helper()
	fx := &fixture{st: testutil.NewStore(t, store.SQLite, store.Options{}), dir: t.TempDir(), t: time.Now()}
	keys, err := vault.New(bytes.Repeat([]byte{7}, vault.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	fx.st.UseKeys(keys)
	fx.ws, _ = testutil.NewSite(t, fx.st, "Acme", "acme", "www.example.com")
	if err := fx.st.CreateUser(context.Background(), &foyer.User{Email: "ann@example.com"}); err != nil { // user 1
		t.Fatal(err)
	}
	// What a previous run left: an upload's copy and a running import.
	if err := os.WriteFile(filepath.Join(fx.dir, "upload-1.spool"), []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fx.st.StartContactImport(context.Background(), &store.ContactImport{WorkspaceID: fx.ws.ID, FileName: "old.csv", Format: "csv"}); err != nil {
		t.Fatal(err)
	}
	cfg.Store, cfg.Dir = fx.st, fx.dir
	cfg.Now = func() time.Time { fx.mu.Lock(); defer fx.mu.Unlock(); return fx.t }
	fx.m, err = importjob.NewManager(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.m.Close)
	return fx
}

func (fx *fixture) files() int {
	left, _ := filepath.Glob(filepath.Join(fx.dir, "*"))
	return len(left)
}

// wait waits for the upload to reach phase, or to be gone ("").
func (fx *fixture) wait(t *testing.T, id, phase string) *importjob.Status {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		st, err := fx.m.Status(fx.ws.ID, 1, id)
		if phase == "" && errors.Is(err, importjob.ErrNoUpload) {
			return nil
		}
		if err != nil {
			t.Fatal(err)
		}
		if st.Phase == phase {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("upload %s never reached %q", id, phase)
	return nil
}

func generated(n int) string {
	var b strings.Builder
	b.WriteString("E-mail,Plan,tracking_consent,tracking_consent_at\n")
	for i := range n {
		fmt.Fprintf(&b, "p%d@example.com,gold,accepted,2025-01-%02d\n", i, 1+i%28)
	}
	return b.String()
}

// TestManager: start-up sweeps what a previous run left; an upload with
// unknown columns is mapped, previewed (nothing written), imported (its
// record done, its copy deleted); another user or workspace does not see
// it; a file over the limit leaves nothing.
func TestManager(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, importjob.Config{MaxBytes: 1 << 20})
	ctx := context.Background()
	if fx.files() != 0 {
		t.Errorf("the previous run's upload is still there")
	}
	if list, _ := fx.st.ContactImports(ctx, fx.ws.ID, 5); len(list) != 1 || list[0].State != store.ImportFailed {
		t.Errorf("the previous run's import: %+v", list[0])
	}
	file := generated(30) + "bad-address,gold,,\n"
	up, err := fx.m.Upload(ctx, fx.ws.ID, 1, "../people.csv", false, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if up.Phase != importjob.PhaseMapping || up.FileName != "people.csv" || strings.Join(up.Unknown, ",") != "E-mail,Plan" || fx.files() != 1 {
		t.Errorf("upload: %+v", up)
	}
	if _, err := fx.m.Status(fx.ws.ID, 2, up.ID); !errors.Is(err, importjob.ErrNoUpload) {
		t.Errorf("another user sees the upload: %v", err)
	}
	if _, err := fx.m.Status(fx.ws.ID+1, 1, up.ID); !errors.Is(err, importjob.ErrNoUpload) {
		t.Errorf("another workspace sees the upload: %v", err)
	}
	if _, err := fx.m.Import(ctx, fx.ws.ID, 1, up.ID); !errors.Is(err, importjob.ErrState) {
		t.Errorf("an import before the preview: %v", err)
	}
	if err := fx.m.Preview(fx.ws.ID, 1, up.ID, map[string]string{"E-mail": "email", "Plan": "attr.plan"}); err != nil {
		t.Fatal(err)
	}
	st := fx.wait(t, up.ID, importjob.PhasePreviewed)
	if st.Report.New != 30 || st.Report.Rejected != 1 || len(st.Report.Errors) != 1 || st.Report.Errors[0].Line != 32 {
		t.Errorf("preview: %+v", st.Report)
	}
	if hits, _ := fx.st.SearchContacts(ctx, fx.ws.ID, store.ContactQuery{}); len(hits) != 0 {
		t.Errorf("the preview wrote %d contacts", len(hits))
	}
	id, err := fx.m.Import(ctx, fx.ws.ID, 1, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	fx.wait(t, up.ID, importjob.PhaseFinished)
	rec, err := fx.m.Record(ctx, fx.ws.ID, id)
	if err != nil || rec.State != store.ImportDone || rec.New != 30 || rec.Rejected != 1 || rec.UserID != 1 || rec.BytesRead != int64(len(file)) {
		t.Errorf("record: %+v, %v", rec, err)
	}
	if c, err := fx.st.ContactByEmail(ctx, fx.ws.ID, "p3@example.com"); err != nil || c.Attrs["plan"] != "gold" || c.Consent.Status != foyer.ConsentAccepted {
		t.Errorf("a contact: %+v, %v", c, err)
	}
	if fx.files() != 0 {
		t.Errorf("the upload's copy outlived its import")
	}

	if _, err := fx.m.Upload(ctx, fx.ws.ID, 1, "big.csv", false, bytes.NewReader(make([]byte, 2<<20))); !errors.Is(err, importjob.ErrTooLarge) {
		t.Errorf("a file over the limit: %v", err)
	}
	if _, err := fx.m.Upload(ctx, fx.ws.ID, 1, "empty.csv", false, strings.NewReader("")); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("an empty file: %v", err)
	}
	if fx.files() != 0 {
		t.Errorf("a refused upload left its copy")
	}
}

// TestManagerCancel: an import cancelled part way ends its record as
// cancelled, with exactly the contacts written counted; the copy is
// deleted; an upload left unused is abandoned; Close deletes the rest.
func TestManagerCancel(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, importjob.Config{Idle: 40 * time.Millisecond})
	ctx := context.Background()
	up, err := fx.m.Upload(ctx, fx.ws.ID, 1, "people.csv", false, strings.NewReader(generated(3000)))
	if err != nil {
		t.Fatal(err)
	}
	mapping := map[string]string{"E-mail": "email", "Plan": ""}
	if err := fx.m.Preview(fx.ws.ID, 1, up.ID, mapping); err != nil {
		t.Fatal(err)
	}
	fx.wait(t, up.ID, importjob.PhasePreviewed)
	id, err := fx.m.Import(ctx, fx.ws.ID, 1, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	for {
		st, err := fx.m.Status(fx.ws.ID, 1, up.ID)
		if err != nil || st.Report.Rows > 0 || st.Phase != importjob.PhaseImporting {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got, err := fx.m.Cancel(fx.ws.ID, 1, up.ID); err != nil || got != id {
		t.Fatalf("cancel: %d, %v", got, err)
	}
	rec, _ := fx.m.Record(ctx, fx.ws.ID, id)
	var n int64
	fx.st.DB().QueryRow(`SELECT count(*) FROM contacts`).Scan(&n)
	if rec.State == store.ImportCancelled {
		if rec.New != n || rec.RowsRead >= 3000 {
			t.Errorf("cancelled: record %+v, %d contacts", rec, n)
		}
	} else if rec.State != store.ImportDone || rec.New != 3000 || n != 3000 { // it ended before the cancel
		t.Errorf("record %+v, %d contacts", rec, n)
	}
	if fx.files() != 0 {
		t.Errorf("the cancelled import's copy is still there")
	}

	// Unused for longer than Idle: abandoned, its copy deleted.
	// (A look at its status is a use: the page polls it.)
	idle, err := fx.m.Upload(ctx, fx.ws.ID, 1, "idle.csv", false, strings.NewReader(generated(3)))
	if err != nil {
		t.Fatal(err)
	}
	fx.mu.Lock()
	fx.t = fx.t.Add(time.Hour)
	fx.mu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); fx.files() != 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the abandoned upload's copy is still there")
		}
	}
	fx.wait(t, idle.ID, "")
}
