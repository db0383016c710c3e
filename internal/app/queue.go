package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
	"github.com/foyerhq/foyer/internal/collect"
	"github.com/foyerhq/foyer/internal/queue"
	"github.com/foyerhq/foyer/internal/store"
	"github.com/foyerhq/foyer/internal/tracker"
	"github.com/foyerhq/foyer/internal/vault"
	"github.com/foyerhq/foyer/internal/web"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Role is what one process of a queued deployment runs.
type Role string

// The roles. Without a queue, only RoleAll.
const (
	// RoleAll runs the web app, the collector, and with a queue a worker
	// too, and the background jobs (retention, segments, alerts,
	// campaigns, automations, backups).
	RoleAll Role = "all"
	// RoleCollector runs only the collector's endpoints (/collect, /t.js,
	// /ti.js) with /healthz, /readyz and /metrics, publishing to the queue.
	RoleCollector Role = "collector"
	// RoleWorker runs only a queue worker, with /healthz, /readyz and
	// /metrics.
	RoleWorker Role = "worker"
)

func (r Role) orAll() Role {
	if r == "" {
		return RoleAll
	}
	return r
}

// checkRole fills in the role and refuses one that needs a queue without
// one: EINVALID.
func (c *Config) checkRole() error {
	c.Role = c.Role.orAll()
	switch c.Role {
	case RoleAll:
	case RoleCollector, RoleWorker:
		if c.Queue.URL == "" {
			return foyer.Errorf(foyer.EINVALID, "role %q needs a queue (--queue nats://HOST:4222); without one, only role all", c.Role)
		}
	default:
		return foyer.Errorf(foyer.EINVALID, "role %q: want all, collector or worker", c.Role)
	}
	return nil
}

// queued is the queue's part of an app: nil fields without a queue.
type queued struct {
	q         *queue.Queue
	publisher *queue.Publisher
	worker    *queue.Worker
	stopWatch context.CancelFunc
	// stopWorker ends the worker's Run, workerEnded is closed when it
	// returned (both nil until startWorker).
	stopWorker  context.CancelFunc
	workerEnded chan struct{}
}

// lagEvery is how often the queue's lag is sampled, for /readyz and the
// metrics.
const lagEvery = 2 * time.Second

// openQueue connects to the queue and makes its publisher, and its worker
// unless the role is collector.
func openQueue(ctx context.Context, cfg Config, st *store.Store, reg prometheus.Registerer, rollupTime prometheus.Observer) (queued, error) {
	qc := cfg.Queue
	qc.Log = cfg.Log
	if qc.Name == "" {
		qc.Name = "foyer " + string(cfg.Role)
	}
	q, err := queue.Open(ctx, qc)
	if err != nil {
		return queued{}, err
	}
	m := queue.NewMetrics(reg)
	wctx, stop := context.WithCancel(context.Background())
	go q.Watch(wctx, lagEvery, m)
	qd := queued{q: q, publisher: queue.NewPublisher(q, cfg.CommitTimeout, m), stopWatch: stop}
	if cfg.Role != RoleCollector {
		lock, err := lockerFor(st, cfg.DB)
		if err != nil {
			stop()
			q.Close()
			return queued{}, err
		}
		qd.worker = queue.NewWorker(q, queue.WorkerConfig{Store: st, Lock: lock, Metrics: m, RollupTime: rollupTime, Log: cfg.Log})
	}
	cfg.Log.Info("queue", "url", qc.URL, "stream", q.Config().Stream, "replicas", q.Config().Replicas, "role", string(cfg.Role))
	return qd, nil
}

// lockerFor returns the database's write lock: an advisory lock on
// PostgreSQL, a lock file beside an SQLite database.
func lockerFor(st *store.Store, dsn string) (queue.Locker, error) {
	if st.Dialect() == store.Postgres {
		return queue.PostgresLocker(st.DB()), nil
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(dsn, "sqlite:"), "?")
	if path == "" || path == ":memory:" {
		return nil, foyer.Errorf(foyer.EINVALID, "a queue needs a database file, not %q", dsn)
	}
	return queue.FileLocker(path + ".writer-lock"), nil
}

// startWorker runs the worker, when there is one, and returns a channel
// that receives its error if it ends by itself (it lost the write lock).
func (a *App) startWorker() <-chan error {
	if a.worker == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	a.stopWorker, a.workerEnded = cancel, make(chan struct{})
	failed := make(chan error, 1)
	go func() {
		defer close(a.workerEnded)
		if err := a.worker.Run(ctx); err != nil {
			a.log.Error("queue worker stopped", "err", err)
			failed <- err
		}
	}()
	return failed
}

// stopSink stops the writer, or the queue's worker (after the transaction
// it is in, whose messages it acknowledges) and connection.
func stopSink(ctx context.Context, w *collect.Writer, qd queued) error {
	if w != nil {
		return w.Stop(ctx)
	}
	if qd.q == nil {
		return nil
	}
	var err error
	if qd.stopWorker != nil {
		qd.stopWorker()
		select {
		case <-qd.workerEnded:
		case <-ctx.Done():
			err = fmt.Errorf("queue worker: %w", ctx.Err())
		}
	}
	qd.stopWatch()
	qd.q.Close()
	return err
}

// closeRole closes a collector's or a worker's app.
func (a *App) closeRole(ctx context.Context) error {
	if a.hubspot != nil {
		a.hubspot.Stop(ctx)
	}
	err := stopSink(ctx, nil, a.queued)
	return errors.Join(err, a.Store.Close())
}

// newCollectorApp is the app of role collector.
func newCollectorApp(cfg Config, st *store.Store, keys *vault.Keyring, reg *prometheus.Registry, qd queued,
	h *collect.Handler, hs *collect.HubSpotResolver, trusted []netip.Prefix) *App {
	mux := http.NewServeMux()
	mux.Handle("GET /t.js", tracker.Handler())
	mux.Handle("GET /ti.js", tracker.IDHandler())
	mux.Handle("/collect", h)
	roleEndpoints(mux, reg, qd.ready(st, true, false))
	return &App{cfg: cfg, Store: st, Keys: keys, Handler: nosniff(mux), log: cfg.Log, trusted: trusted, hubspot: hs,
		stopEnrich: func() {}, queued: qd}
}

// newWorkerApp is the app of role worker.
func newWorkerApp(cfg Config, st *store.Store, keys *vault.Keyring, reg *prometheus.Registry, qd queued) *App {
	mux := http.NewServeMux()
	roleEndpoints(mux, reg, qd.ready(st, false, true))
	return &App{cfg: cfg, Store: st, Keys: keys, Handler: nosniff(mux), log: cfg.Log, stopEnrich: func() {}, queued: qd}
}

func nosniff(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.BaseHeaders(w.Header())
		h.ServeHTTP(w, r)
	})
}

// roleEndpoints mounts /healthz, /readyz and /metrics.
func roleEndpoints(mux *http.ServeMux, reg *prometheus.Registry, ready func(context.Context) (string, bool)) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		body, ok := ready(ctx)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !ok {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		w.Write([]byte(body))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
}

// readyAll is the /readyz of role all with a queue: nil without one (the
// web server's own then).
func (qd queued) readyAll(st *store.Store) func(context.Context) (string, bool) {
	if qd.q == nil {
		return nil
	}
	return qd.ready(st, true, true)
}

// ready returns a /readyz check. A collector is ready while JetStream takes
// batches, whether or not the database answers; a worker while the
// database answers; a process that is both needs both. The body's first
// line says ready or why not; the next ones the queue's lag, whether the
// database answers, and whether the worker holds the write lock.
func (qd queued) ready(st *store.Store, collector, worker bool) func(context.Context) (string, bool) {
	return func(ctx context.Context) (string, bool) {
		var b strings.Builder
		ok := true
		first := "ready"
		dbErr := st.Ping(ctx)
		if collector {
			if err := qd.publisher.Ready(); err != nil {
				ok, first = false, foyer.ErrorMessage(err)
			}
		}
		if worker && dbErr != nil {
			if ok {
				first = "store not reachable"
			}
			ok = false
		}
		b.WriteString(first + "\n")
		if lag, err := qd.q.Lag(); err != nil {
			b.WriteString("queue lag: unknown\n")
		} else {
			fmt.Fprintf(&b, "queue lag: %d batches\n", lag)
		}
		if dbErr != nil {
			b.WriteString("database: does not answer\n")
		} else {
			b.WriteString("database: answers\n")
		}
		if worker {
			if qd.worker.HoldsLock() {
				b.WriteString("write lock: held (this worker writes)\n")
			} else {
				b.WriteString("write lock: standby (another worker writes, or none can reach the database)\n")
			}
		}
		return b.String(), ok
	}
}
