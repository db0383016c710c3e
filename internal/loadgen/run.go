package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/foyerhq/foyer"
)

// requestTimeout bounds one request, from dialling to the end of the body.
const requestTimeout = 30 * time.Second

// Run generates the load cfg describes and returns what it measured. It
// stops issuing requests when cfg.Duration has passed or cfg.Requests were
// sent, and waits for the ones in flight. When ctx ends first, requests in
// flight are abandoned and the result, marked Interrupted, covers what was
// answered until then.
//
// The first request is sent alone: when the server cannot be reached or
// refuses the batch as such (unknown site, forbidden hostname, invalid
// payload), Run returns an error instead of a result. EINVALID for a bad
// Config or a URL that is not on a loopback address.
func Run(ctx context.Context, cfg Config) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	tgt, err := resolveTarget(ctx, cfg.URL)
	if err != nil {
		return Result{}, err
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64() | 1
	}
	transport := newTransport()
	defer transport.CloseIdleConnections()
	client := &http.Client{
		Transport: transport,
		Timeout:   requestTimeout,
		// Never follow a redirect: the load goes to the given URL only.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	r := &runner{cfg: cfg, tgt: tgt, stopped: make(chan struct{})}
	if cfg.Rate > 0 {
		r.pace = &pacer{interval: float64(time.Second) / cfg.Rate}
	}
	ep, err := newEndpoint(tgt.collect)
	if err != nil {
		return Result{}, foyer.Errorf(foyer.EINVALID, "url %q: %v", cfg.URL, err)
	}
	workers := r.newWorkers(ep)
	defer func() {
		for _, w := range workers {
			w.conn.close()
		}
	}()

	before, _ := scrape(ctx, client, tgt.metrics)
	cpu0, machine0 := processCPU(), machineCPU()
	start := time.Now()
	if err := workers[0].probe(ctx); err != nil {
		return Result{}, err
	}
	timer := time.AfterFunc(cfg.Duration-time.Since(start), r.stop)
	defer timer.Stop()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	wg.Wait()
	res := r.result(workers, time.Since(start))
	res.Interrupted = ctx.Err() != nil
	res.ClientCPUSeconds, res.MachineCPUSeconds = -1, -1
	if cpu1 := processCPU(); cpu0 >= 0 && cpu1 >= 0 {
		res.ClientCPUSeconds = cpu1 - cpu0
	}
	if m1 := machineCPU(); machine0 >= 0 && m1 >= 0 {
		res.MachineCPUSeconds = m1 - machine0
	}
	// The run's context may have ended: the metrics are read regardless.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	after, err := scrape(sctx, client, tgt.metrics)
	if err == nil {
		if srv, ok := serverDelta(before, after); ok {
			res.Server = &srv
		} else {
			res.ServerError = metricPeakRSS + " not found in " + tgt.metrics
		}
	} else {
		res.ServerError = err.Error()
	}
	return res, nil
}

// runner is the state the workers of one run share.
type runner struct {
	cfg      Config
	tgt      target
	pace     *pacer // nil: closed loop
	issued   atomic.Int64
	stopOnce sync.Once
	stopped  chan struct{}
}

func (r *runner) stop() { r.stopOnce.Do(func() { close(r.stopped) }) }

// newWorkers deals the visitors out to cfg.Conns workers, each with its own
// random source derived from the seed.
func (r *runner) newWorkers(ep *endpoint) []*worker {
	cfg := r.cfg
	pages := newPages(cfg.Pages)
	ips := ipPool(cfg.IPs)
	workers := make([]*worker, cfg.Conns)
	for i := range workers {
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		workers[i] = &worker{
			r: r, conn: newConn(ep), rng: rng,
			traffic: newShapedTraffic(cfg.Site, cfg.Shape, pages, rng).identifying(cfg.Identify, cfg.IdentifyContacts),
			rec:     newRecorder(maxSamples/cfg.Conns, rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1<<32))),
			status:  map[int]int64{}, ackedTypes: map[string]int64{},
		}
	}
	vrng := rand.New(rand.NewPCG(cfg.Seed, 1<<63))
	for i := range cfg.Visitors {
		w := workers[i%cfg.Conns]
		w.visitors = append(w.visitors, &visitor{
			id: newVisitorID(vrng), ua: pick(vrng, userAgents), ip: ips[vrng.IntN(len(ips))],
			cur: w.traffic.pickPage(),
		})
	}
	return workers
}

// worker sends one request at a time over its connection.
type worker struct {
	r        *runner
	conn     *conn
	rng      *rand.Rand
	traffic  *traffic
	visitors []*visitor
	rec      *recorder
	evs      []event
	body     bytes.Buffer
	enc      *json.Encoder // onto body
	hdrs     []header

	requests, sent, accepted, mismatched, errs int64
	firstErr                                   string
	status                                     map[int]int64
	ackedTypes                                 map[string]int64
	kinds                                      [numKinds]int64
}

// loop sends requests until the run stops.
func (w *worker) loop(ctx context.Context) {
	for {
		select {
		case <-w.r.stopped:
			return
		case <-ctx.Done():
			return
		default:
		}
		if n := w.r.cfg.Requests; n > 0 && w.r.issued.Add(1) > n {
			w.r.stop()
			return
		}
		if _, err := w.send(ctx); err != nil && ctx.Err() == nil {
			// The server is away or overwhelmed: do not spin.
			select {
			case <-time.After(50 * time.Millisecond):
			case <-w.r.stopped:
			}
		}
	}
}

// probe sends the run's first request and fails when it shows the run
// cannot succeed.
func (w *worker) probe(ctx context.Context) error {
	w.r.issued.Add(1)
	resp, err := w.send(ctx)
	if err != nil {
		return foyer.Errorf(foyer.EUNAVAILABLE, "cannot reach %s: %v (is `foyer serve` running?)", w.r.tgt.collect, err)
	}
	switch resp.status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusMethodNotAllowed:
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		json.Unmarshal(resp.body, &e)
		hint := ""
		if resp.status == http.StatusNotFound {
			hint = " (run the server with --demo, or pass the key of a site that allows localhost with --site)"
		}
		return foyer.Errorf(foyer.EINVALID, "the server refused the first batch: %d %s%s",
			resp.status, e.Error.Message, hint)
	}
	return nil
}

// response is what send got back.
type response struct {
	status int
	body   []byte
}

// pickVisitor picks a random visitor of the worker; one on a page when
// onPage is set and one is found in a few tries.
func (w *worker) pickVisitor(onPage bool) *visitor {
	v := w.visitors[w.rng.IntN(len(w.visitors))]
	for try := 0; onPage && v.cur < 0 && try < 32; try++ {
		v = w.visitors[w.rng.IntN(len(w.visitors))]
	}
	return v
}

// send posts one batch of a random visitor of the worker and records the outcome.
func (w *worker) send(ctx context.Context) (response, error) {
	kind := w.traffic.pickKind()
	v := w.pickVisitor(w.traffic.needsPage(kind))
	if v.cur < 0 && w.traffic.needsPage(kind) {
		kind = w.traffic.fallback() // all of this worker's visitors left: one comes back
	}
	w.evs = w.traffic.next(v, kind, w.evs[:0])
	w.kinds[kind]++
	w.body.Reset()
	if w.enc == nil {
		w.enc = json.NewEncoder(&w.body)
	}
	if err := w.enc.Encode(batch{Site: w.r.cfg.Site, Visitor: v.id, Events: w.evs}); err != nil {
		panic(err) // only strings and integers: cannot happen
	}
	if w.r.pace != nil {
		w.r.pace.wait(ctx, len(w.evs), w.r.stopped)
	}
	// What sendBeacon sends from a page on localhost.
	w.hdrs = append(w.hdrs[:0],
		header{"Content-Type", "text/plain;charset=UTF-8"},
		header{"User-Agent", v.ua},
		header{"Origin", pageOrigin},
		header{"Accept", "*/*"},
		header{"Accept-Language", "en-US,en;q=0.9"},
		header{"X-Forwarded-For", v.ip},
	)
	start := time.Now()
	status, body, err := w.conn.post(ctx, w.hdrs, w.body.Bytes())
	elapsed := time.Since(start)
	if err != nil {
		if ctx.Err() == nil { // an abandoned request is no error of the server's
			w.requests++
			w.sent += int64(len(w.evs))
			w.errs++
			if w.firstErr == "" {
				w.firstErr = err.Error()
			}
		}
		return response{}, err
	}
	w.requests++
	w.sent += int64(len(w.evs))
	w.rec.add(elapsed)
	w.status[status]++
	if status == http.StatusAccepted {
		var ack struct{ Accepted int64 }
		if json.Unmarshal(body, &ack) != nil || ack.Accepted != int64(len(w.evs)) {
			w.mismatched++
		} else {
			for _, e := range w.evs {
				w.ackedTypes[e.Type]++
			}
		}
		w.accepted += ack.Accepted
	}
	return response{status: status, body: body}, nil
}

// pacer spaces batches so that events go out at a fixed rate.
type pacer struct {
	interval float64 // nanoseconds per event
	mu       sync.Mutex
	next     time.Time
}

// wait blocks until n more events may be sent. A pacer that fell behind
// does not try to catch up in a burst.
func (p *pacer) wait(ctx context.Context, n int, stopped <-chan struct{}) {
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(time.Duration(float64(n) * p.interval))
	p.mu.Unlock()
	if d := time.Until(at); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		case <-stopped:
		}
	}
}

// newTransport returns the transport of the run's /metrics reads: no proxy,
// no compression, loopback only. Batches go over the workers' own
// connections (conn.go).
func newTransport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		MaxIdleConnsPerHost:   1,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: requestTimeout,
		DisableCompression:    true,
	}
}

// loopbackOnly refuses to connect to an address that is not a loopback one,
// whatever a name resolved to.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("loadgen: dial %s: %w", address, err)
	}
	if !ap.Addr().Unmap().IsLoopback() {
		return errors.New("loadgen: refusing to connect to " + address + ": not a loopback address")
	}
	return nil
}
