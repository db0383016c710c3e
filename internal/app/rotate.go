package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/vault"
)

// Rotation tunes RotateKeys. The zero value is the default.
type Rotation struct {
	// Batch is how many data keys one transaction rewraps; 500 when 0.
	Batch int
	// Pause is how long to wait between batches, to leave the database to
	// a running server; none when 0.
	Pause time.Duration
	// Every is how often progress is printed; 2 s when 0.
	Every time.Duration
}

// RotateKeys rotates the database's master key from the key file oldPath
// to newPath (created when missing): it rewraps every contact's data key
// under the new key in batches, printing progress to out, and then binds
// the database to the new key. It may run while a server holding the old
// key keeps running, and again after a crash, to finish. Nothing changes
// when the old key is not the database's (EINVALID).
func RotateKeys(ctx context.Context, st *store.Store, oldPath, newPath string, opt Rotation, out io.Writer) error {
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	if opt.Every <= 0 {
		opt.Every = 2 * time.Second
	}
	if filepath.Clean(oldPath) == filepath.Clean(newPath) {
		return foyer.Errorf(foyer.EINVALID, "the new key file is the old one: give another path (a missing file is created)")
	}
	check, err := st.MasterKeyCheck(ctx)
	if err != nil {
		return err
	}
	if check == "" {
		return foyer.Errorf(foyer.EINVALID, "this database is bound to no master key yet: there is nothing to rotate")
	}
	// Finished already (by a run that crashed before it said so)?
	if nm, err := vault.LoadMaster(newPath); err == nil && nm.Check() == check {
		if _, err := st.KeyRotationState(ctx); foyer.ErrorCode(err) == foyer.ENOTFOUND {
			fmt.Fprintf(out, "The database is bound to the new master key (check %.8s…) already: nothing to do.\n", check)
			return nil
		}
	}
	old, err := vault.LoadMaster(oldPath)
	if err != nil {
		return foyer.Errorf(foyer.EINVALID, "the old master key: %v", err)
	}
	keys, err := st.OpenKeyring(ctx, old)
	if err != nil {
		return err
	}
	st.UseKeys(keys)
	nm, err := vault.LoadMaster(newPath)
	if errors.Is(err, vault.ErrNoKeyFile) {
		if nm, err = vault.CreateMaster(newPath); err == nil {
			fmt.Fprintf(out, "Created the new master key at %s (check %.8s…): BACK IT UP NOW, apart from the database.\n", newPath, nm.Check())
		}
	}
	if err != nil {
		return foyer.Errorf(foyer.EINVALID, "the new master key: %v", err)
	}
	if nm.Check() == old.Check() {
		return foyer.Errorf(foyer.EINVALID, "the new key file holds the old master key: give a new one (a missing file is created)")
	}
	r, err := st.BeginKeyRotation(ctx, nm)
	if err != nil {
		return err
	}
	total := r.Rewrapped + r.Left
	verb := "Rotating"
	if r.LastID > 0 {
		verb = "Resuming the rotation of"
	}
	fmt.Fprintf(out, "%s the master key %.8s… → %.8s…: %d data keys to rewrap.\n", verb, old.Check(), nm.Check(), r.Left)
	start, last := time.Now(), time.Now()
	var done int64
	for more := true; more; {
		var n *store.KeyRotation
		if n, more, err = st.RewrapKeys(ctx, opt.Batch); err != nil {
			return err
		}
		done += n.Rewrapped - r.Rewrapped
		r = n
		if time.Since(last) >= opt.Every || !more {
			last = time.Now()
			fmt.Fprintf(out, "rewrapped %d of about %d data keys (%.0f%%), %.0f keys/s\n",
				r.Rewrapped, total, 100*float64(r.Rewrapped)/float64(max(total, 1)), float64(done)/max(time.Since(start).Seconds(), 1e-3))
		}
		if opt.Pause > 0 && more {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(opt.Pause):
			}
		}
	}
	late, err := st.FinishKeyRotation(ctx)
	if err != nil {
		return err
	}
	if late > 0 {
		fmt.Fprintf(out, "rewrapped %d data keys of contacts made during the rotation\n", late)
	}
	fmt.Fprintf(out, "Done: the database is bound to the master key in %s (check %.8s…).\n"+
		"Replace the old key file with it (mv %s %s) and keep a backup of it; a running server goes on without a restart.\n"+
		"Backups taken before now still need the old key.\n", newPath, nm.Check(), newPath, oldPath)
	return nil
}
