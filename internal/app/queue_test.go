package app

import (
	"testing"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/queue"
)

func TestCheckRole(t *testing.T) {
	t.Parallel()
	nats := queue.Config{URL: "nats://127.0.0.1:4222"}
	for _, c := range []struct {
		role  Role
		queue queue.Config
		want  Role // "": EINVALID
	}{
		{"", queue.Config{}, RoleAll},
		{"all", queue.Config{}, RoleAll},
		{"all", nats, RoleAll},
		{"collector", nats, RoleCollector},
		{"worker", nats, RoleWorker},
		{"collector", queue.Config{}, ""},
		{"worker", queue.Config{}, ""},
		{"web", nats, ""},
	} {
		cfg := Config{Role: c.role, Queue: c.queue}
		err := cfg.checkRole()
		switch {
		case c.want == "" && foyer.ErrorCode(err) != foyer.EINVALID:
			t.Errorf("role %q, queue %q: %v, want EINVALID", c.role, c.queue.URL, err)
		case c.want != "" && (err != nil || cfg.Role != c.want):
			t.Errorf("role %q, queue %q: %q, %v; want %q", c.role, c.queue.URL, cfg.Role, err, c.want)
		}
	}
}
