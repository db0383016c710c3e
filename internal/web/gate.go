package web

import (
	"context"
	"fmt"
	"hash/maphash"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/auth"
)

// The one gate every check of a password or a second factor goes through:
// the client's sign-in limit (throttled, allowSignIn), the account's lock,
// the growing delay after a failure, and the account's count of failures
// in a row, which only a whole sign-in clears. An address without an
// account passes the same gate, with its count kept in memory (ghosts),
// so that neither the answers nor their timing tell which addresses have
// accounts.

// verdict is how a checked password or code fared, for the form.
type verdict struct {
	ok     bool
	status int    // the answer's status when not ok
	msg    string // what the form says when not ok
}

// checkSecret checks a password or code of u with check, unless the
// account is locked; a failure counts toward the lock and waits the
// growing delay. check returns "" for a right one, and what the form says
// of a wrong one.
func (s *Server) checkSecret(ctx context.Context, u *foyer.User, check func() (wrong string)) (verdict, error) {
	if u.LockedUntil.After(s.now()) {
		return verdict{status: http.StatusTooManyRequests, msg: lockedMessage(u.LockedUntil)}, nil
	}
	wrong := check()
	if wrong == "" {
		return verdict{ok: true}, nil
	}
	n, until, err := s.failedSignIn(ctx, u)
	if err != nil {
		return verdict{}, err
	}
	return s.failure(n, until, wrong), nil
}

// checkNobody is checkSecret for an address without an account: the same
// work, delays and answers, from a count kept in memory.
func (s *Server) checkNobody(ctx context.Context, email, password string) verdict {
	if until := s.ghosts.lockedUntil(email, s.now()); !until.IsZero() {
		return verdict{status: http.StatusTooManyRequests, msg: lockedMessage(until)}
	}
	auth.VerifyPassword(password, dummyHash) // as long as a real check
	n, until := s.ghosts.fail(email, s.now())
	sleep(ctx, s.cfg.FailureDelay(n))
	return s.failure(n, until, errWrongLogin)
}

// failure is the answer to the n-th failure in a row, which locked the
// account until until (zero when it did not).
func (s *Server) failure(n int, until time.Time, wrong string) verdict {
	if until.After(s.now()) {
		return verdict{status: http.StatusTooManyRequests, msg: lockedMessage(until)}
	}
	if left := lockAfter - n; left <= 3 {
		wrong += fmt.Sprintf(" After %d more failed attempts the account is locked for %d minutes.", left, int(lockFor.Minutes()))
	}
	return verdict{status: http.StatusUnauthorized, msg: wrong}
}

// failedSignIn counts a failed sign-in of u, a password or a code, and
// waits the growing delay before the answer. It returns how many failed in
// a row and until when the account is locked (zero when it is not).
func (s *Server) failedSignIn(ctx context.Context, u *foyer.User) (int, time.Time, error) {
	n, until, err := s.cfg.Store.LoginFailed(ctx, u.ID, lockAfter, lockFor)
	if err != nil {
		return 0, time.Time{}, err
	}
	sleep(ctx, s.cfg.FailureDelay(n))
	return n, until, nil
}

// lockedMessage tells a locked-out user until when.
func lockedMessage(until time.Time) string {
	return fmt.Sprintf("Too many failed sign-ins: this account is locked until %s UTC. "+
		"Try again then, or choose a new password (“Forgot your password?” on the sign-in page).",
		until.UTC().Format("15:04"))
}

// ghosts counts the failed sign-ins of addresses that have no account, as
// the store counts those of accounts, so that both get the same answers.
// Addresses are keyed by a keyed hash whose seed lives only in this
// process's memory; the count is lost at a restart, where a real account's
// is not, which tells nothing a guesser can time.
type ghosts struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]*ghost
}

type ghost struct {
	failures int
	locked   time.Time
	last     time.Time
}

// Bounds of the ghosts' memory: an entry is forgotten a day after its
// last failure, and at most maxGhosts are kept.
const (
	ghostLife = 24 * time.Hour
	maxGhosts = 100_000
)

func newGhosts() *ghosts { return &ghosts{seed: maphash.MakeSeed(), m: map[uint64]*ghost{}} }

func (g *ghosts) key(email string) uint64 {
	return maphash.String(g.seed, strings.ToLower(strings.TrimSpace(email)))
}

// lockedUntil returns until when the address is locked, or zero.
func (g *ghosts) lockedUntil(email string, now time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.m[g.key(email)]; e != nil && e.locked.After(now) {
		return e.locked
	}
	return time.Time{}
}

// fail counts a failure of the address and returns the count in a row
// and until when it is locked (zero when it is not), as LoginFailed does.
func (g *ghosts) fail(email string, now time.Time) (int, time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := g.key(email)
	e := g.m[k]
	if e == nil {
		if len(g.m) >= maxGhosts {
			g.sweep(now)
		}
		e = &ghost{}
		g.m[k] = e
	}
	e.failures++
	e.last = now
	if e.failures >= lockAfter {
		e.locked = now.Add(lockFor)
	}
	var until time.Time
	if !e.locked.IsZero() {
		until = e.locked
	}
	return e.failures, until
}

// sweep forgets entries older than ghostLife and, when that is not
// enough, any others until a tenth of the room is free.
func (g *ghosts) sweep(now time.Time) {
	for k, e := range g.m {
		if now.Sub(e.last) > ghostLife {
			delete(g.m, k)
		}
	}
	for k := range g.m {
		if len(g.m) < maxGhosts*9/10 {
			break
		}
		delete(g.m, k)
	}
}
