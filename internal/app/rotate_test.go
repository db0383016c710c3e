package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/testutil"
	"github.com/foyerhq/foyer/internal/vault"
)

// The child of TestRotateKeysKilled reads its work from these.
const (
	childDB  = "FOYER_TEST_ROTATE_DB"
	childOld = "FOYER_TEST_ROTATE_OLD"
	childNew = "FOYER_TEST_ROTATE_NEW"
)

// TestRotateKeysChild is the rotation that TestRotateKeysKilled runs in a
// child process and kills; it does nothing in a test run of its own.
func TestRotateKeysChild(t *testing.T) {
	db := os.Getenv(childDB)
	if db == "" {
		t.Skip("the child of TestRotateKeysKilled")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := RotateKeys(ctx, st, os.Getenv(childOld), os.Getenv(childNew), Rotation{Batch: 4, Pause: 5 * time.Millisecond}, os.Stdout); err != nil {
		t.Fatal(err)
	}
}

// openWith opens the database under the key file, as serve does.
func openWith(t *testing.T, db, keyFile string) (*store.Store, error) {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := OpenKeys(context.Background(), st, keyFile, nil)
	if err != nil {
		st.Close()
		return nil, err
	}
	st.UseKeys(keys)
	return st, nil
}

// readAll fails t unless st opens every one of the contacts.
func readAll(t *testing.T, st *store.Store, ws int64, ids []int64, when string) {
	t.Helper()
	for i, id := range ids {
		c, err := st.Contact(context.Background(), ws, id)
		if err != nil || c.Email != fmt.Sprintf("p%d@example.com", i) {
			t.Fatalf("%s: contact %d: %+v, %v", when, id, c, err)
		}
	}
}

// TestRotateKeysKilled: a rotation run by `foyer keys rotate`'s code in a
// child process, killed with SIGKILL at random moments several times, leaves
// every contact readable under the old key each time (as a running server
// holds it), and run once more it ends, with every contact readable under
// the new key alone and the old key refused. On both dialects.
func TestRotateKeysKilled(t *testing.T) {
	t.Parallel()
	for _, d := range testutil.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			testRotateKeysKilled(t, testutil.NewDSN(t, d))
		})
	}
}

func testRotateKeysKilled(t *testing.T, db string) {
	ctx := context.Background()
	dir := t.TempDir()
	oldFile, newFile := filepath.Join(dir, "master.key"), filepath.Join(dir, "master.key.new")
	st, err := openWith(t, db, oldFile)
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows := make([]store.ImportRow, 0, 400)
	for i := range 400 {
		rows = append(rows, store.ImportRow{Line: i + 2, Contact: foyer.Contact{Email: fmt.Sprintf("p%d@example.com", i)}})
	}
	if _, err := st.ImportContacts(ctx, ws.ID, rows, store.ImportBatch{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	for i := range 400 {
		c, err := st.ContactByEmail(ctx, ws.ID, fmt.Sprintf("p%d@example.com", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	st.Close()

	kills := 0
	for try := 0; try < 5; try++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRotateKeysChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childDB+"="+db, childOld+"="+oldFile, childNew+"="+newFile)
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Most kills land in the rewrap, a random moment after the child
		// says it began; one try in four at a random moment of its start.
		var kill <-chan time.Time
		early := try%4 == 3
		if early {
			kill = time.After(time.Duration(rand.IntN(300)) * time.Millisecond)
		}
		tick := time.NewTicker(2 * time.Millisecond)
		stuck := time.After(30 * time.Second)
	wait:
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("the child ended with %v before it was killed:\n%s", err, out.String())
				}
				t.Logf("the child finished the rotation after %d kills", kills)
				break wait
			case <-tick.C:
				if kill == nil && strings.Contains(out.String(), "data keys to rewrap") {
					kill = time.After(time.Duration(rand.IntN(250)) * time.Millisecond)
				}
			case <-kill:
				cmd.Process.Kill() // SIGKILL: kill -9
				<-done
				kills++
				break wait
			case <-stuck:
				cmd.Process.Kill()
				t.Fatalf("the child neither began nor ended:\n%s", out.String())
			}
		}
		tick.Stop()
		if _, err := os.Stat(newFile); err != nil {
			continue // killed before it made the new key
		}
		st, err := openWith(t, db, oldFile)
		if err != nil {
			if foyer.ErrorCode(err) == foyer.EINVALID && try > 0 {
				break // the rotation ended: the old key is refused
			}
			t.Fatalf("after kill %d, the old key: %v", kills, err)
		}
		readAll(t, st, ws.ID, ids, fmt.Sprintf("after kill %d, under the old key", kills))
		r, err := st.KeyRotationState(ctx)
		if err == nil {
			t.Logf("kill %d at %d of %d data keys", kills, r.Rewrapped, r.Rewrapped+r.Left)
		}
		st.Close()
	}
	if kills == 0 {
		t.Fatal("the child was never killed: it rotated too fast to test")
	}
	// The same command again finishes the job.
	st, err = store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	if err := RotateKeys(ctx, st, oldFile, newFile, Rotation{}, &log); err != nil {
		t.Fatalf("the rotation resumed: %v\n%s", err, log.String())
	}
	t.Log(log.String())
	st.Close()
	if err := RotateKeys(ctx, mustOpen(t, db), oldFile, newFile, Rotation{}, &log); err != nil || !strings.Contains(log.String(), "nothing to do") {
		t.Errorf("a rotation run again after its end: %v\n%s", err, log.String())
	}
	st, err = openWith(t, db, newFile)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, st, ws.ID, ids, "after the rotation, under the new key")
	st.Close()
	if _, err := openWith(t, db, oldFile); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("the old key after the rotation: %v", err)
	}
}

func mustOpen(t *testing.T, db string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRotateKeysRefused: a rotation given a wrong old key, or the old key
// as the new one, changes nothing: no new key file, no rotation, and the
// database opens under its key as before. A missing key file for a
// database with contacts is a clear error.
func TestRotateKeysRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "foyer.db")
	keyFile, wrongFile, newFile := filepath.Join(dir, "master.key"), filepath.Join(dir, "wrong.key"), filepath.Join(dir, "new.key")
	st, err := openWith(t, db, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ws := &foyer.Workspace{Name: "Acme"}
	if err := st.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "p0@example.com"}
	if err := st.CreateContact(ctx, c, "test"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := vault.CreateMaster(wrongFile); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	err = RotateKeys(ctx, mustOpen(t, db), wrongFile, newFile, Rotation{}, &log)
	if foyer.ErrorCode(err) != foyer.EINVALID || !strings.Contains(err.Error(), "another master key") {
		t.Errorf("a rotation from a wrong key: %v", err)
	}
	if _, err := os.Stat(newFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused rotation made the new key file: %v", err)
	}
	if err := RotateKeys(ctx, mustOpen(t, db), keyFile, keyFile, Rotation{}, &log); foyer.ErrorCode(err) != foyer.EINVALID {
		t.Errorf("a rotation to the same key: %v", err)
	}
	if _, err := mustOpen(t, db).KeyRotationState(ctx); foyer.ErrorCode(err) != foyer.ENOTFOUND {
		t.Errorf("a refused rotation began: %v", err)
	}
	if _, err := openWith(t, db, filepath.Join(dir, "gone.key")); err == nil || !strings.Contains(err.Error(), "no master key file") {
		t.Errorf("a start without the key file: %v", err)
	}
	st, err = openWith(t, db, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, st, ws.ID, []int64{c.ID}, "after the refused rotations")
	st.Close()
}

// TestServeFollowsRotation: a running app, started with the old key, reads
// every contact during and after a rotation that another process runs, and
// warns that the key file must be replaced before its next start.
func TestServeFollowsRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "foyer.db")
	oldFile, newFile := filepath.Join(dir, "master.key"), filepath.Join(dir, "master.key.new")
	var log syncBuffer
	a, err := New(ctx, Config{Listen: "127.0.0.1:0", DB: db, KeyFile: oldFile, Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ws := &foyer.Workspace{Name: "Acme"}
	if err := a.Store.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 30 {
		c := &foyer.Contact{WorkspaceID: ws.ID, Email: fmt.Sprintf("p%d@example.com", i)}
		if err := a.Store.CreateContact(ctx, c, "test"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go a.watchKeys(wctx, 10*time.Millisecond)
	if err := RotateKeys(ctx, mustOpen(t, db), oldFile, newFile, Rotation{Batch: 4, Pause: 5 * time.Millisecond}, io.Discard); err != nil {
		t.Fatal(err)
	}
	readAll(t, a.Store, ws.ID, ids, "the running app after the rotation")
	c := &foyer.Contact{WorkspaceID: ws.ID, Email: "after@example.com"}
	if err := a.Store.CreateContact(ctx, c, "test"); err != nil {
		t.Fatalf("the running app makes a contact after the rotation: %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(log.String(), "replace the key file"); {
		if time.Now().After(deadline) {
			t.Fatalf("no warning to replace the key file:\n%s", log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
