package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// Jobs is what the scrape-time collector reads of the job runner
// (jobs.Service implements it).
type Jobs interface {
	List(ctx context.Context) ([]jobs.Job, error)
	Status(ctx context.Context, appID string) (*jobs.Status, error)
	Escrows(ctx context.Context, appID string) ([]jobs.Escrow, error)
}

// ScrapeTimeout bounds reading the jobs' state on one scrape.
const ScrapeTimeout = 10 * time.Second

var _ jobs.JobObserver = (*Metrics)(nil)

// CycleStarted implements jobs.Observer.
func (m *Metrics) CycleStarted(jobs.CycleInfo) {}

// ActionLogged implements jobs.Observer: one object action, by object
// type, action and status.
func (m *Metrics) ActionLogged(c jobs.CycleInfo, e provisioning.LogEntry) {
	m.actions.WithLabelValues(c.AppID, string(e.ObjectType), string(e.Action), string(e.Status)).Inc()
}

// CycleFinished implements jobs.Observer: the cycle's result (error: it
// ended early) and duration; a successful one's end is the job's last
// success.
func (m *Metrics) CycleFinished(c jobs.CycleInfo, sum *jobs.CycleSummary, err error) {
	result, end := "success", time.Now()
	if sum != nil && !sum.Finished.IsZero() {
		end = sum.Finished
	}
	if err != nil || (sum != nil && sum.Error != "") {
		result = "error"
	}
	m.cycles.WithLabelValues(c.AppID, string(c.Kind), result).Inc()
	if !c.Started.IsZero() {
		m.cycleDuration.WithLabelValues(c.AppID, string(c.Kind)).Observe(end.Sub(c.Started).Seconds())
	}
	if result == "success" {
		m.success.note(c.AppID, end)
	}
}

// JobEvent implements jobs.JobObserver: one count per change of state.
func (m *Metrics) JobEvent(e jobs.JobEvent) {
	m.jobEvents.WithLabelValues(e.AppID, string(e.Kind)).Inc()
}

// lastSuccess is when each job's last successful cycle ended, as seen by
// this process (Unix seconds).
type lastSuccess struct {
	mu sync.Mutex
	at map[string]float64
}

func (l *lastSuccess) note(app string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.at[app] = max(l.at[app], float64(t.UnixNano())/1e9)
}

func (l *lastSuccess) get(app string) (float64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.at[app]
	return v, ok
}

// Descriptions of the job state read on scrape.
var (
	descEnabled = prometheus.NewDesc(namespace+"_job_enabled",
		"1 if the job is started (provisions on its schedule), else 0.", []string{"app"}, nil)
	descInterval = prometheus.NewDesc(namespace+"_job_interval_seconds",
		"The job's interval between incremental cycles.", []string{"app"}, nil)
	descLastSuccess = prometheus.NewDesc(namespace+"_job_last_success_timestamp_seconds",
		"When the job's last successful cycle ended (Unix time); absent until one is known.", []string{"app"}, nil)
	descQuarantined = prometheus.NewDesc(namespace+"_job_quarantined",
		"1 if the job is in quarantine (reason: why), else 0 with an empty reason.", []string{"app", "reason"}, nil)
	descStaged = prometheus.NewDesc(namespace+"_job_staged_deletions",
		"Disables and deletes the job's last cycle staged over its deletion threshold, awaiting approval.", []string{"app"}, nil)
	descEscrows = prometheus.NewDesc(namespace+"_job_escrows",
		"Objects in escrow: failed actions awaiting their retry.", []string{"app"}, nil)
	descLinks = prometheus.NewDesc(namespace+"_job_links",
		"The job's links (managed objects) by kind: users, groups, disabled, pending, failed.", []string{"app", "kind"}, nil)
	descThrottled = prometheus.NewDesc(namespace+"_job_throttled_total",
		"429 and 503 answers the job's target sent since the server started.", []string{"app"}, nil)
	descDecreases = prometheus.NewDesc(namespace+"_job_rate_limit_decreases_total",
		"Times throttling halved the job's request rate and concurrency since the server started.", []string{"app"}, nil)
	descWaits = prometheus.NewDesc(namespace+"_job_rate_limit_waits_total",
		"Requests to the job's target that waited for its rate limit or concurrency cap since the server started.", []string{"app"}, nil)
	descWaited = prometheus.NewDesc(namespace+"_job_rate_limit_wait_seconds_total",
		"Time requests to the job's target spent waiting for its rate limit or concurrency cap since the server started.", []string{"app"}, nil)
	descRate = prometheus.NewDesc(namespace+"_job_rate_limit_requests_per_second",
		"The job's effective rate limit (0: unlimited).", []string{"app"}, nil)
	descConcurrency = prometheus.NewDesc(namespace+"_job_concurrency",
		"The job's effective cap on requests in flight: adaptive, at most its --concurrency (the ceiling).", []string{"app"}, nil)
)

// jobCollector reads every job's state when scraped (the state lives in
// the store: a restarted server reports it at once).
type jobCollector struct {
	jobs    Jobs
	log     *slog.Logger
	success *lastSuccess
}

// Describe implements prometheus.Collector.
func (c *jobCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEnabled, descInterval, descLastSuccess, descQuarantined, descStaged,
		descEscrows, descLinks, descThrottled, descDecreases, descWaits, descWaited, descRate, descConcurrency} {
		ch <- d
	}
}

// Collect implements prometheus.Collector; a job whose state cannot be
// read is left out (and logged).
func (c *jobCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	list, err := c.jobs.List(ctx)
	if err != nil {
		c.log.Warn("metrics: list jobs", "err", err)
		return
	}
	for _, j := range list {
		if err := c.collect(ctx, ch, j); err != nil {
			c.log.Warn("metrics: read job state", "app", j.AppID, "err", err)
		}
	}
}

func (c *jobCollector) collect(ctx context.Context, ch chan<- prometheus.Metric, j jobs.Job) error {
	st, err := c.jobs.Status(ctx, j.AppID)
	if err != nil {
		return err
	}
	esc, err := c.jobs.Escrows(ctx, j.AppID)
	if err != nil {
		return err
	}
	app := j.AppID
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{app}, labels...)...)
	}
	gauge(descEnabled, b2f(j.Enabled))
	gauge(descInterval, j.Interval.Seconds())
	last, ok := c.success.get(app)
	if lc := st.LastCycle; lc != nil && lc.Error == "" && !lc.Finished.IsZero() {
		last, ok = max(last, float64(lc.Finished.UnixNano())/1e9), true
	}
	if ok {
		gauge(descLastSuccess, last)
	}
	if q := st.Quarantine; q != nil {
		gauge(descQuarantined, 1, q.Reason)
		gauge(descStaged, float64(q.Staged))
	} else {
		gauge(descQuarantined, 0, "")
		gauge(descStaged, 0)
	}
	gauge(descEscrows, float64(len(esc)))
	for kind, n := range map[string]int{"users": st.Links.Users, "groups": st.Links.Groups, "disabled": st.Links.Disabled,
		"pending": st.Links.Pending, "failed": st.Links.Failed} {
		gauge(descLinks, float64(n), kind)
	}
	if t := st.Throttle; t != nil {
		ch <- prometheus.MustNewConstMetric(descThrottled, prometheus.CounterValue, float64(t.Throttled), app)
		ch <- prometheus.MustNewConstMetric(descDecreases, prometheus.CounterValue, float64(t.Decreases), app)
		ch <- prometheus.MustNewConstMetric(descWaits, prometheus.CounterValue, float64(t.Waits), app)
		ch <- prometheus.MustNewConstMetric(descWaited, prometheus.CounterValue, t.Waited.Seconds(), app)
		gauge(descRate, t.Rate)
		gauge(descConcurrency, float64(t.Concurrency))
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
