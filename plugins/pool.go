package plugins

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gwsync/gwsync/adapters"
	pb "github.com/gwsync/gwsync/plugins/proto/pluginv1"
	"github.com/gwsync/gwsync/sdk/wire"
)

// Pool keeps plugin processes alive and puts many adapter instances into
// each, so that a worker syncing thousands of users does not start two or
// more processes (~40 ms each) per run. Opens of interchangeable launches
// (same command, adapter, checksum pin and environment) share processes;
// Close on a pooled adapter releases its instance and leaves the process
// for the next Open. A process that dies fails only the calls in flight to
// it (with CodeTemporary) and is replaced on the next Open; a process that
// serves nobody for IdleTimeout is stopped.
//
// A Pool is safe for concurrent use. Its zero value is not usable: make one
// with NewPool.
type Pool struct {
	opts PoolOptions

	mu      sync.Mutex
	closed  bool
	groups  map[string][]*pooledProcess // by poolKey
	changed chan struct{}               // closed (and replaced) when a slot frees up
	started int64                       // processes started, ever
}

// PoolOptions tune a Pool; zero values take the defaults.
type PoolOptions struct {
	// MaxInstancesPerProcess is how many adapter instances one process
	// serves at once. Default 32.
	MaxInstancesPerProcess int
	// MaxProcessesPerPlugin is how many processes one kind of launch may
	// run at once; an Open finding them all full waits for a slot (or its
	// ctx). Default 4.
	MaxProcessesPerPlugin int
	// IdleTimeout stops a process that has served no instance for this
	// long. Default one minute; negative keeps idle processes until Close.
	IdleTimeout time.Duration
	// Logger receives the plugins' log lines (each adapter names its
	// instance in them); nil uses the first Launch's logger.
	Logger hclog.Logger
}

// Defaults of PoolOptions.
const (
	DefaultMaxInstancesPerProcess = 32
	DefaultMaxProcessesPerPlugin  = 4
	DefaultPoolIdleTimeout        = time.Minute
)

// releaseTimeout bounds the Release call of a closing instance: a plugin
// that does not answer is retired rather than waited for.
const releaseTimeout = 10 * time.Second

// ErrPoolClosed is returned by an Open on a closed Pool.
var ErrPoolClosed = errors.New("plugin pool is closed")

// NewPool returns an empty pool; processes start on the first Open.
func NewPool(o PoolOptions) *Pool {
	if o.MaxInstancesPerProcess <= 0 {
		o.MaxInstancesPerProcess = DefaultMaxInstancesPerProcess
	}
	if o.MaxProcessesPerPlugin <= 0 {
		o.MaxProcessesPerPlugin = DefaultMaxProcessesPerPlugin
	}
	if o.IdleTimeout == 0 {
		o.IdleTimeout = DefaultPoolIdleTimeout
	}
	return &Pool{opts: o}
}

// PoolStats is a snapshot of a Pool, for metrics and tests.
type PoolStats struct {
	Processes int   // running or starting now
	Instances int   // adapter instances open now
	Started   int64 // processes started since NewPool
}

// Stats says how many processes and instances the pool holds.
func (p *Pool) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := PoolStats{Started: p.started}
	for _, g := range p.groups {
		s.Processes += len(g)
		for _, pp := range g {
			s.Instances += pp.inUse
		}
	}
	return s
}

// OpenSource is OpenSource in a pooled process: same errors, same
// capability reflection from the remote Info. Close on the result releases
// the instance; the process stays. A call that fails because the process
// died has CodeTemporary. Errors also: ErrPoolClosed, ctx's error while
// waiting for a free slot.
func (p *Pool) OpenSource(ctx context.Context, l Launch) (adapters.Source, error) {
	pp, r, err := p.reserve(ctx, l, roleSource)
	if err != nil {
		return nil, err
	}
	src, err := configureSource(ctx, pp.clients.source, r, l.Adapter, l.Config, !l.NoFirstInfo)
	if err != nil {
		_ = r.Close()
		return nil, err
	}
	p.checkAnnounced(pp, r)
	return src, nil
}

// OpenSink is OpenSource for a CRM sink.
func (p *Pool) OpenSink(ctx context.Context, l Launch) (adapters.Sink, error) {
	pp, r, err := p.reserve(ctx, l, roleSink)
	if err != nil {
		return nil, err
	}
	sink, err := configureSink(ctx, pp.clients.sink, r, l.Adapter, l.Config)
	if err != nil {
		_ = r.Close()
		return nil, err
	}
	p.checkAnnounced(pp, r)
	return sink, nil
}

// Close stops every process and makes later Opens fail. Adapters still
// open fail their next call; their Close is harmless. It returns nil; the
// error result satisfies io.Closer.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	var all []*pooledProcess
	for _, g := range p.groups {
		all = append(all, g...)
	}
	for _, pp := range all {
		pp.removed = true
	}
	p.groups = nil
	p.signalLocked()
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, pp := range all {
		wg.Go(func() {
			<-pp.ready // a starting process is stopped by its starter
			if pp.proc != nil {
				pp.proc.kill()
			}
		})
	}
	wg.Wait()
	return nil
}

type role int

const (
	roleSource role = iota
	roleSink
)

// pooledProcess is one plugin process of the pool and the instances it
// serves. Fields after ready are set once ready is closed; the counters
// are guarded by Pool.mu.
type pooledProcess struct {
	key   string
	ready chan struct{}
	err   error // the start's error; the process is not in the pool then

	proc    *process
	clients *wireClients
	// single is set for a plugin without named instances (built before
	// them): it serves one instance and is stopped when that is closed,
	// as a process of its own would be.
	single bool

	removed bool   // no longer in the pool: closed, idle, dead
	inUse   int    // instances open or being opened
	next    uint64 // the last instance name given out
	retired bool   // takes no new instance; stopped when inUse reaches 0
	idleGen uint64 // invalidates idle timers armed before the last use
}

// capacity is how many instances pp may serve at once.
func (pp *pooledProcess) capacity(max int) int {
	if pp.single {
		return 1
	}
	return max
}

// usable reports whether pp may take another instance; a started process
// that exited may not.
func (pp *pooledProcess) usable(max int) bool {
	if pp.retired || pp.inUse >= pp.capacity(max) {
		return false
	}
	select {
	case <-pp.ready:
		return pp.proc != nil && !pp.proc.client.Exited()
	default:
		return true // starting: the Opens waiting for it share its fate
	}
}

// reserve finds or starts a process for l with a free slot, takes the slot
// and returns it with the remote of the new instance (not configured yet).
func (p *Pool) reserve(ctx context.Context, l Launch, r role) (*pooledProcess, *remote, error) {
	if l.Adapter == "" {
		return nil, nil, adapters.Errorf(adapters.CodeInvalidConfig, "plugin launch without an adapter name")
	}
	key, err := poolKey(l)
	if err != nil {
		return nil, nil, err
	}
	for {
		pp, name, fresh, wait, err := p.take(key)
		if err != nil {
			return nil, nil, err
		}
		if pp == nil {
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		if fresh {
			p.start(ctx, pp, l, r)
		}
		select {
		case <-pp.ready:
		case <-ctx.Done():
			p.giveBack(pp)
			return nil, nil, ctx.Err()
		}
		if pp.err != nil {
			p.giveBack(pp)
			return nil, nil, pp.err
		}
		rem := &remote{
			name:      wire.InstanceLabel(l.Adapter, l.Config.Name),
			proc:      pp.proc,
			instance:  name,
			crashCode: adapters.CodeTemporary,
		}
		rem.close = func() error { return p.release(pp, rem, r) }
		return pp, rem, nil
	}
}

// take reserves a slot in a usable process of key, or in a new process it
// adds to the pool (fresh: the caller starts it). When every process is
// full and no new one may start, it returns a nil process and a channel
// that is closed when a slot frees up.
func (p *Pool) take(key string) (pp *pooledProcess, name string, fresh bool, wait <-chan struct{}, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, "", false, nil, ErrPoolClosed
	}
	p.dropExitedLocked(key)
	max := p.opts.MaxInstancesPerProcess
	// The fullest usable process: it keeps the others idle, so the
	// IdleTimeout can stop them when load drops.
	for _, c := range p.groups[key] {
		if c.usable(max) && (pp == nil || c.inUse > pp.inUse) {
			pp = c
		}
	}
	if pp == nil {
		if len(p.groups[key]) >= p.opts.MaxProcessesPerPlugin {
			if p.changed == nil {
				p.changed = make(chan struct{})
			}
			return nil, "", false, p.changed, nil
		}
		pp = &pooledProcess{key: key, ready: make(chan struct{})}
		if p.groups == nil {
			p.groups = make(map[string][]*pooledProcess)
		}
		p.groups[key] = append(p.groups[key], pp)
		p.started++
		fresh = true
	}
	pp.inUse++
	pp.idleGen++
	pp.next++
	return pp, fmt.Sprint(pp.next), fresh, nil, nil
}

// dropExitedLocked forgets the processes of key that have exited (killed,
// crashed). Their open instances fail their calls and release into nothing.
func (p *Pool) dropExitedLocked(key string) {
	g, ok := p.groups[key]
	if !ok {
		return
	}
	kept := g[:0]
	for _, pp := range g {
		select {
		case <-pp.ready:
			if pp.proc == nil || pp.proc.client.Exited() {
				continue
			}
		default:
		}
		kept = append(kept, pp)
	}
	clear(g[len(kept):])
	if len(kept) == 0 {
		delete(p.groups, key)
		return
	}
	p.groups[key] = kept
}

// start launches pp's process and learns whether it keeps named instances
// apart, then closes pp.ready. The start does not end with ctx: the Opens
// waiting for it have their own ctx, and an abandoned process is stopped
// when idle. go-plugin bounds it with StartTimeout.
func (p *Pool) start(ctx context.Context, pp *pooledProcess, l Launch, ro role) {
	defer close(pp.ready)
	lc := l
	lc.Config = adapters.Config{Name: l.Adapter} // the process serves many instances
	if p.opts.Logger != nil {
		lc.Logger = p.opts.Logger
	}
	ctx = context.WithoutCancel(ctx)
	var clients *wireClients
	var single bool
	proc, cp, err := start(ctx, lc)
	if err == nil {
		clients, err = dispense(cp)
		if err == nil {
			single, err = probeSingle(ctx, clients, ro)
		}
		if err != nil {
			proc.kill()
			err = proc.startError(fmt.Errorf("plugin %s: %w", l.Adapter, err))
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil && (p.closed || pp.removed) {
		// Nobody will stop it: Close and the idle timer saw no process.
		proc.kill()
		err = ErrPoolClosed
	}
	if err != nil {
		pp.err = err
		p.removeLocked(pp)
		return
	}
	pp.proc, pp.clients, pp.single = proc, clients, single
}

// probeSingle asks a fresh process to release an instance it never had,
// through the service of the role it was started for: a plugin with named
// instances answers OK, an older one Unimplemented. (A plugin that serves
// only a sink, as one written in another language does, has no
// SourceService at all: probing that would take every such plugin for an
// old one and give it a process per instance.)
func probeSingle(ctx context.Context, clients *wireClients, ro role) (bool, error) {
	ctx, cancel := context.WithTimeout(wire.WithInstance(ctx, "probe"), StartTimeout)
	defer cancel()
	var err error
	if ro == roleSink {
		_, err = clients.sink.Release(ctx, &pb.SinkServiceReleaseRequest{})
	} else {
		_, err = clients.source.Release(ctx, &pb.SourceServiceReleaseRequest{})
	}
	if status.Code(err) == codes.Unimplemented {
		return true, nil
	}
	return false, err
}

// checkAnnounced retires a process whose plugin answered the Release probe
// but did not announce named instances on Configure: it cannot be trusted
// to keep them apart.
func (p *Pool) checkAnnounced(pp *pooledProcess, r *remote) {
	if pp.single || r.instances {
		return
	}
	p.mu.Lock()
	pp.retired = true
	p.mu.Unlock()
}

// release ends instance r of pp: the plugin closes the adapter and forgets
// it, and the slot is free again. It returns the adapter's Close error;
// nil when the process is gone (its runs have failed already). A process
// that does not answer Release is retired: its state is unknown.
func (p *Pool) release(pp *pooledProcess, r *remote, ro role) error {
	var err error
	if !pp.single && !pp.proc.client.Exited() {
		ctx, cancel := context.WithTimeout(wire.WithInstance(context.Background(), r.instance), releaseTimeout)
		defer cancel() // after the error is read: a done ctx reads as "the host gave up"
		if ro == roleSource {
			_, err = pp.clients.source.Release(ctx, &pb.SourceServiceReleaseRequest{})
		} else {
			_, err = pp.clients.sink.Release(ctx, &pb.SinkServiceReleaseRequest{})
		}
		if err != nil {
			if wire.HasStatusDetail(err) {
				err = wire.CallErrorFromWire(ctx, err) // the adapter's Close failed
			} else {
				p.mu.Lock()
				pp.retired = true
				p.mu.Unlock()
				err = r.callError(ctx, err)
				if pp.proc.client.Exited() {
					err = nil
				}
			}
		}
	}
	p.giveBack(pp)
	return err
}

// giveBack frees a slot of pp: a single-instance or retired process is
// stopped when it serves nobody; another one is stopped after IdleTimeout.
func (p *Pool) giveBack(pp *pooledProcess) {
	p.mu.Lock()
	pp.inUse--
	pp.idleGen++
	stop := false
	if pp.inUse == 0 {
		if pp.single || pp.retired || p.closed {
			stop = p.removeLocked(pp)
		} else if p.opts.IdleTimeout > 0 {
			gen := pp.idleGen
			time.AfterFunc(p.opts.IdleTimeout, func() { p.stopIdle(pp, gen) })
		}
	}
	proc := pp.proc // nil while starting: start stops it, seeing removed
	p.signalLocked()
	p.mu.Unlock()
	if stop && proc != nil {
		proc.kill()
	}
}

// stopIdle stops pp when nothing used it since the timer of gen was armed.
func (p *Pool) stopIdle(pp *pooledProcess, gen uint64) {
	p.mu.Lock()
	stop := pp.idleGen == gen && pp.inUse == 0 && p.removeLocked(pp)
	proc := pp.proc // nil while starting: start stops it, seeing removed
	p.mu.Unlock()
	if stop && proc != nil {
		proc.kill()
	}
}

// removeLocked takes pp out of the pool; false when it was not in it
// (dropped as exited, or the pool closed and stops it itself).
func (p *Pool) removeLocked(pp *pooledProcess) bool {
	g := p.groups[pp.key]
	for i, c := range g {
		if c == pp {
			pp.removed = true
			p.groups[pp.key] = append(g[:i:i], g[i+1:]...)
			if len(p.groups[pp.key]) == 0 {
				delete(p.groups, pp.key)
			}
			p.signalLocked() // a process less: another may start
			return true
		}
	}
	return false
}

// signalLocked wakes the Opens waiting for a slot.
func (p *Pool) signalLocked() {
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
}

// poolKey is what makes two launches' processes interchangeable: the
// command line, directory and environment, the adapter, and the checksum
// pin. The instance's config is not part of it: it goes to Configure.
func poolKey(l Launch) (string, error) {
	cmd, err := l.command()
	if err != nil {
		return "", err
	}
	parts := []string{l.Adapter, l.SHA256, cmd.Path, cmd.Dir}
	parts = append(parts, cmd.Args...)
	parts = append(parts, "\x01")
	parts = append(parts, cmd.Env...)
	return strings.Join(parts, "\x00"), nil
}
