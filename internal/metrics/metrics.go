package metrics

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric name.
const namespace = "provisio"

// Options configures New.
type Options struct {
	// TenantLabel adds the SCIM tenant as a label of the SCIM request
	// metrics (one series set per tenant: off by default to bound
	// cardinality).
	TenantLabel bool
	// Jobs is read on every scrape for the jobs' state; nil: no job state
	// metrics (the Observer's counters still work).
	Jobs   Jobs
	Logger *slog.Logger // nil: slog.Default()
}

// Metrics is the registry and its collectors. It is safe for concurrent
// use.
type Metrics struct {
	reg         *prometheus.Registry
	log         *slog.Logger
	tenantLabel bool

	scimRequests  *prometheus.CounterVec
	scimDuration  *prometheus.HistogramVec
	scimCache     sync.Map // scimKey → scimSeries
	adminRequests *prometheus.CounterVec
	adminDuration *prometheus.HistogramVec

	cycles        *prometheus.CounterVec
	cycleDuration *prometheus.HistogramVec
	actions       *prometheus.CounterVec
	jobEvents     *prometheus.CounterVec
	success       *lastSuccess
}

// New builds the registry with the Go and process collectors and
// Provisio's own.
func New(o Options) *Metrics {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	scimLabels := []string{"method", "resource"}
	if o.TenantLabel {
		scimLabels = append(scimLabels, "tenant")
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(), log: log, tenantLabel: o.TenantLabel,
		scimRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "scim",
			Name: "requests_total", Help: "SCIM service requests by method, resource type and status class (2xx, 4xx, 5xx)."},
			append(scimLabels[:len(scimLabels):len(scimLabels)], "code")),
		scimDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "scim",
			Name: "request_duration_seconds", Help: "SCIM service request latency by method and resource type.",
			Buckets: prometheus.DefBuckets}, scimLabels),
		adminRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "admin",
			Name: "requests_total", Help: "Admin API requests by method, route pattern and status class."},
			[]string{"method", "route", "code"}),
		adminDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "admin",
			Name: "request_duration_seconds", Help: "Admin API request latency by method and route pattern.",
			Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
		cycles: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "job",
			Name: "cycles_total", Help: "Provisioning cycles by application, kind (initial, incremental) and result (success, error)."},
			[]string{"app", "kind", "result"}),
		cycleDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "job",
			Name: "cycle_duration_seconds", Help: "Provisioning cycle duration by application and kind.",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200}}, []string{"app", "kind"}),
		actions: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "job",
			Name: "actions_total", Help: "Logged object actions by application, object type, action and status (staged: a disable or delete held by the deletion threshold)."},
			[]string{"app", "object", "action", "status"}),
		jobEvents: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "job",
			Name: "events_total", Help: "Job state changes by application and kind (quarantined, recovered, deletions-staged, …)."},
			[]string{"app", "kind"}),
		success: &lastSuccess{at: map[string]float64{}},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.scimRequests, m.scimDuration, m.adminRequests, m.adminDuration,
		m.cycles, m.cycleDuration, m.actions, m.jobEvents,
	)
	if o.Jobs != nil {
		m.reg.MustRegister(&jobCollector{jobs: o.Jobs, log: log, success: m.success})
	}
	return m
}

// Registry is the registry the metrics are in (for tests and for
// collectors of other parts).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format; errors
// of single collectors are logged and the rest is served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}
