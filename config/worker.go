package config

import (
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults of the `worker:` block (the same as package worker's, which
// config does not import).
const (
	DefaultWorkerConcurrency   = 8
	DefaultWorkerRescueAfter   = 2 * time.Minute
	DefaultWorkerLeaseTTL      = 30 * time.Second
	DefaultWorkerShutdownGrace = 30 * time.Second
)

var workerKeys = []string{"concurrency", "rescue_after", "lease_ttl", "shutdown_grace"}

// decodeWorker reads `worker:`; absent keys keep their defaults. How often
// automatic users are synced stays serve.interval, whether the web
// client's scheduler or the workers' periodic job syncs them.
func (d *decoder) decodeWorker(n *yaml.Node) Worker {
	w := Worker{Concurrency: DefaultWorkerConcurrency, RescueAfter: DefaultWorkerRescueAfter,
		LeaseTTL: DefaultWorkerLeaseTTL, ShutdownGrace: DefaultWorkerShutdownGrace}
	if n == nil || isNull(resolve(n)) {
		return w
	}
	f, ok := d.fields(n, "worker", workerKeys...)
	if !ok {
		return w
	}
	if n := resolve(f["concurrency"]); !isNull(n) {
		v, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil || v < 1 || v > 1000 {
			d.errs.add(n.Line, "worker.concurrency", "must be a whole number from 1 to 1000, got %q", n.Value)
		} else {
			w.Concurrency = v
		}
	}
	w.RescueAfter = d.workerDuration(f["rescue_after"], "worker.rescue_after", w.RescueAfter)
	w.LeaseTTL = d.workerDuration(f["lease_ttl"], "worker.lease_ttl", w.LeaseTTL)
	w.ShutdownGrace = d.workerDuration(f["shutdown_grace"], "worker.shutdown_grace", w.ShutdownGrace)
	return w
}

// workerDuration reads a duration of at least one second, else keeps def.
func (d *decoder) workerDuration(n *yaml.Node, path string, def time.Duration) time.Duration {
	v, ok := d.duration(n, path)
	if !ok {
		return def
	}
	if v < time.Second {
		d.errs.add(resolve(n).Line, path, "must be at least 1s")
		return def
	}
	return v
}
