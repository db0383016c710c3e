package app

import (
	"context"
	"time"

	"github.com/foyerhq/foyer/internal/vault"
)

// keysEvery is how often a running server looks for a rotation of the
// master key.
const keysEvery = 5 * time.Second

// watchKeys follows rotations of the master key until ctx ends: it adds a
// rotation's new key to the keyring as soon as one begins (the store also
// does when it meets a data key under it), and warns once, when the
// database is bound to a key that the key file does not hold, that the
// file must be replaced before the next start.
func (a *App) watchKeys(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	warned := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		bound, err := a.Store.RefreshKeys(ctx)
		if err != nil || bound == "" || bound == warned {
			continue
		}
		if m, err := vault.LoadMaster(a.cfg.KeyFile); err == nil && m.Check() == bound {
			continue
		}
		warned = bound
		a.log.Warn("the master key was rotated: this server goes on, but replace the key file with the new key's before its next start",
			"key_file", a.cfg.KeyFile, "key_check", bound[:min(8, len(bound))])
	}
}
