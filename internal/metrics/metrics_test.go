package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/scim/client"
)

func TestSCIMResource(t *testing.T) {
	for _, tc := range []struct{ name, path, want string }{
		{"users", "/scim/t1/v2/Users", "Users"},
		{"one user", "/scim/t1/v2/Users/42", "Users"},
		{"groups", "/scim/t1/v2/Groups/g", "Groups"},
		{"bulk", "/scim/t1/v2/Bulk", "Bulk"},
		{"schema", "/scim/t1/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", "Schemas"},
		{"root search", "/scim/t1/v2/.search", ".search"},
		{"root", "/scim/t1/v2", "root"},
		{"root slash", "/scim/t1/v2/", "root"},
		{"unknown resource", "/scim/t1/v2/Whatever123", "other"},
		{"not scim", "/elsewhere", "other"},
	} {
		if got := scimResource(tc.path); got != tc.want {
			t.Errorf("%s: scimResource(%q) = %q, want %q", tc.name, tc.path, got, tc.want)
		}
	}
}

// frontKey is a context key of the fake SCIM front (which, like scimsvc,
// hands the SCIM handler a request with a context of its own).
type frontKey struct{}

// serveSCIM serves one request through SCIM (and SCIMTenant unless the
// front refuses it with refuse) on a mux with the real pattern.
func serveSCIM(m *Metrics, method, path string, refuse int) {
	inner := m.SCIMTenant(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
	}))
	front := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if refuse != 0 {
			w.WriteHeader(refuse)
			return
		}
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), frontKey{}, 1)))
	})
	mux := http.NewServeMux()
	mux.Handle("/scim/{tenant}/v2/", m.SCIM(front))
	mux.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, path, nil))
}

func TestSCIMTenantLabel(t *testing.T) {
	for _, tc := range []struct {
		name        string
		tenantLabel bool
		want        string
	}{
		{"off by default", false, `
# HELP provisio_scim_requests_total SCIM service requests by method, resource type and status class (2xx, 4xx, 5xx).
# TYPE provisio_scim_requests_total counter
provisio_scim_requests_total{code="2xx",method="POST",resource="Users"} 1
provisio_scim_requests_total{code="4xx",method="GET",resource="Groups"} 1
provisio_scim_requests_total{code="4xx",method="other",resource="other"} 1
`},
		{"on: only accepted requests name their tenant", true, `
# HELP provisio_scim_requests_total SCIM service requests by method, resource type and status class (2xx, 4xx, 5xx).
# TYPE provisio_scim_requests_total counter
provisio_scim_requests_total{code="2xx",method="POST",resource="Users",tenant="acme"} 1
provisio_scim_requests_total{code="4xx",method="GET",resource="Groups",tenant=""} 1
provisio_scim_requests_total{code="4xx",method="other",resource="other",tenant=""} 1
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Options{TenantLabel: tc.tenantLabel, Logger: slog.New(slog.DiscardHandler)})
			serveSCIM(m, "POST", "/scim/acme/v2/Users", 0)
			serveSCIM(m, "GET", "/scim/random-1/v2/Groups", http.StatusUnauthorized)
			serveSCIM(m, "BREW", "/scim/random-2/v2/Pots", http.StatusNotFound)
			if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(tc.want), "provisio_scim_requests_total"); err != nil {
				t.Error(err)
			}
			if n := testutil.CollectAndCount(m.scimDuration); n != 3 {
				t.Errorf("latency series = %d, want 3", n)
			}
		})
	}
}

func TestAdminRoutePattern(t *testing.T) {
	m := New(Options{Logger: slog.New(slog.DiscardHandler)})
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/tenants/{id}", func(http.ResponseWriter, *http.Request) {})
	api.HandleFunc("/api/v1/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) })
	outer := http.NewServeMux()
	outer.Handle("/api/v1/", m.Admin(api))
	for _, path := range []string{"/api/v1/tenants/a", "/api/v1/tenants/b", "/api/v1/nothing/here"} {
		outer.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	want := `
# HELP provisio_admin_requests_total Admin API requests by method, route pattern and status class.
# TYPE provisio_admin_requests_total counter
provisio_admin_requests_total{code="2xx",method="GET",route="/api/v1/tenants/{id}"} 2
provisio_admin_requests_total{code="4xx",method="GET",route="/api/v1/"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "provisio_admin_requests_total"); err != nil {
		t.Error(err)
	}
}

func TestObserver(t *testing.T) {
	m := New(Options{Logger: slog.New(slog.DiscardHandler)})
	start := time.Unix(1_700_000_000, 0)
	c := jobs.CycleInfo{JobID: "j1", AppID: "app1", Kind: provisioning.CycleInitial, Started: start}
	m.CycleStarted(c)
	m.ActionLogged(c, provisioning.LogEntry{ObjectType: provisioning.TypeUser, Action: provisioning.ActionCreate, Status: provisioning.StatusSuccess})
	m.ActionLogged(c, provisioning.LogEntry{ObjectType: provisioning.TypeUser, Action: provisioning.ActionCreate, Status: provisioning.StatusSuccess})
	m.ActionLogged(c, provisioning.LogEntry{ObjectType: provisioning.TypeUser, Action: provisioning.ActionDelete, Status: provisioning.StatusStaged})
	m.CycleFinished(c, &jobs.CycleSummary{Finished: start.Add(3 * time.Second)}, nil)
	m.CycleFinished(c, &jobs.CycleSummary{Finished: start.Add(9 * time.Second)}, errors.New("cancelled"))
	m.JobEvent(jobs.JobEvent{Kind: jobs.EventDeletionsStaged, AppID: "app1"})
	want := `
# HELP provisio_job_actions_total Logged object actions by application, object type, action and status (staged: a disable or delete held by the deletion threshold).
# TYPE provisio_job_actions_total counter
provisio_job_actions_total{action="create",app="app1",object="User",status="success"} 2
provisio_job_actions_total{action="delete",app="app1",object="User",status="staged"} 1
# HELP provisio_job_cycles_total Provisioning cycles by application, kind (initial, incremental) and result (success, error).
# TYPE provisio_job_cycles_total counter
provisio_job_cycles_total{app="app1",kind="initial",result="error"} 1
provisio_job_cycles_total{app="app1",kind="initial",result="success"} 1
# HELP provisio_job_events_total Job state changes by application and kind (quarantined, recovered, deletions-staged, …).
# TYPE provisio_job_events_total counter
provisio_job_events_total{app="app1",kind="deletions-staged"} 1
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"provisio_job_actions_total", "provisio_job_cycles_total", "provisio_job_events_total"); err != nil {
		t.Error(err)
	}
	if got, ok := m.success.get("app1"); !ok || got != float64(start.Add(3*time.Second).Unix()) {
		t.Errorf("last success of app1 = %v, %v; want the successful cycle's end %d", got, ok, start.Add(3*time.Second).Unix())
	}
}

// fakeJobs is a Jobs of fixed state.
type fakeJobs struct {
	list    []jobs.Job
	status  map[string]*jobs.Status
	escrows map[string]int
}

func (f fakeJobs) List(context.Context) ([]jobs.Job, error) { return f.list, nil }

func (f fakeJobs) Status(_ context.Context, appID string) (*jobs.Status, error) {
	if st, ok := f.status[appID]; ok {
		return st, nil
	}
	return nil, errors.New("no such job")
}

func (f fakeJobs) Escrows(_ context.Context, appID string) ([]jobs.Escrow, error) {
	return make([]jobs.Escrow, f.escrows[appID]), nil
}

func TestJobCollector(t *testing.T) {
	fin := time.Unix(1_700_000_000, 0)
	f := fakeJobs{
		list: []jobs.Job{
			{AppID: "hr", Enabled: true, Interval: 40 * time.Minute},
			{AppID: "crm", Interval: time.Hour},
			{AppID: "gone"}, // its status fails: left out
		},
		status: map[string]*jobs.Status{
			"hr": {Quarantine: &jobs.Quarantine{Reason: "credentials", Staged: 7},
				LastCycle: &jobs.CycleSummary{Finished: fin, Error: "401"},
				Links:     jobs.LinkCounts{Users: 3, Failed: 1},
				Throttle:  &client.ThrottleStats{Rate: 5, Concurrency: 2, Throttled: 4, Decreases: 1}},
			"crm": {LastCycle: &jobs.CycleSummary{Finished: fin}},
		},
		escrows: map[string]int{"hr": 2},
	}
	m := New(Options{Jobs: f, Logger: slog.New(slog.DiscardHandler)})
	want := `
# HELP provisio_job_enabled 1 if the job is started (provisions on its schedule), else 0.
# TYPE provisio_job_enabled gauge
provisio_job_enabled{app="crm"} 0
provisio_job_enabled{app="hr"} 1
# HELP provisio_job_escrows Objects in escrow: failed actions awaiting their retry.
# TYPE provisio_job_escrows gauge
provisio_job_escrows{app="crm"} 0
provisio_job_escrows{app="hr"} 2
# HELP provisio_job_interval_seconds The job's interval between incremental cycles.
# TYPE provisio_job_interval_seconds gauge
provisio_job_interval_seconds{app="crm"} 3600
provisio_job_interval_seconds{app="hr"} 2400
# HELP provisio_job_last_success_timestamp_seconds When the job's last successful cycle ended (Unix time); absent until one is known.
# TYPE provisio_job_last_success_timestamp_seconds gauge
provisio_job_last_success_timestamp_seconds{app="crm"} 1.7e+09
# HELP provisio_job_quarantined 1 if the job is in quarantine (reason: why), else 0 with an empty reason.
# TYPE provisio_job_quarantined gauge
provisio_job_quarantined{app="crm",reason=""} 0
provisio_job_quarantined{app="hr",reason="credentials"} 1
# HELP provisio_job_staged_deletions Disables and deletes the job's last cycle staged over its deletion threshold, awaiting approval.
# TYPE provisio_job_staged_deletions gauge
provisio_job_staged_deletions{app="crm"} 0
provisio_job_staged_deletions{app="hr"} 7
# HELP provisio_job_throttled_total 429 and 503 answers the job's target sent since the server started.
# TYPE provisio_job_throttled_total counter
provisio_job_throttled_total{app="hr"} 4
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"provisio_job_enabled", "provisio_job_escrows", "provisio_job_interval_seconds", "provisio_job_last_success_timestamp_seconds",
		"provisio_job_quarantined", "provisio_job_staged_deletions", "provisio_job_throttled_total"); err != nil {
		t.Error(err)
	}
}
