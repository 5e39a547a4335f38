package web

import (
	"time"

	"github.com/gwsync/gwsync/engine"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the figures /metrics exports. Each Server has its own
// registry, so two servers in one process (tests) do not collide.
type metrics struct {
	registry *prometheus.Registry
	runs     *prometheus.CounterVec
	items    *prometheus.CounterVec
	errors   *prometheus.CounterVec
	duration *prometheus.HistogramVec
	running  prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gwsync_runs_total",
			Help: "Sync runs by trigger (manual, automatic) and status (ok, partial, failed)."},
			[]string{"trigger", "status"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gwsync_items_total",
			Help: "Items handled by runs, by action (create, update-crm, ...), activity type and outcome (ok, failed, skipped)."},
			[]string{"action", "type", "outcome"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gwsync_errors_total",
			Help: "Errors: failed items by action, and runs that failed as a whole (action=\"run\")."},
			[]string{"action"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gwsync_run_duration_seconds",
			Help: "Duration of sync runs (planning and execution), by trigger.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)},
			[]string{"trigger"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{Name: "gwsync_runs_in_progress",
			Help: "Sync runs executing now."}),
	}
	m.registry.MustRegister(m.runs, m.items, m.errors, m.duration, m.running,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one finished run. The done actions come from the
// result's counts by kind and type (it lists no plain success, see
// engine.Result.Items), the failed and skipped ones from its items; res is
// nil when the run failed before executing.
func (m *metrics) observe(trigger string, res *engine.Result, err error, took time.Duration) {
	status := "failed"
	if res != nil && err == nil {
		status = res.Status
	}
	m.runs.WithLabelValues(trigger, status).Inc()
	m.duration.WithLabelValues(trigger).Observe(took.Seconds())
	if err != nil {
		m.errors.WithLabelValues("run").Inc()
	}
	if res == nil {
		return
	}
	for kind, byType := range res.Done {
		for typ, n := range byType {
			m.items.WithLabelValues(string(kind), string(typ), engine.OutcomeOK).Add(float64(n))
		}
	}
	for _, it := range res.Items {
		if it.Outcome == engine.OutcomeOK {
			continue // counted in Done
		}
		m.items.WithLabelValues(string(it.Kind), string(it.Type), it.Outcome).Inc()
		if it.Outcome == engine.OutcomeFailed {
			m.errors.WithLabelValues(string(it.Kind)).Inc()
		}
	}
}
