package app

import (
	"io"
	"net/http"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	dto "github.com/prometheus/client_model/go"
)

// scrape GETs /metrics (no token) and parses it.
func scrape(t *testing.T, a *App) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(a.BaseURL() + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics = %d %s, want 200", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mf, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mf
}

// value is the value of the series of family name whose labels include
// want, and whether there is one.
func value(mf map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f := mf[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got, ok := labels[k]; !ok || got != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// hasLabel says whether any series of family name has label l.
func hasLabel(mf map[string]*dto.MetricFamily, name, l string) bool {
	for _, m := range mf[name].GetMetric() {
		for _, lp := range m.GetLabel() {
			if lp.GetName() == l {
				return true
			}
		}
	}
	return false
}

// TestMetricsEndToEnd: after a provisioning cycle into the server's own
// SCIM tenant and a refused SCIM request, /metrics (open, no token) shows
// the SCIM requests by resource and status class, the admin API's by
// route pattern, the cycle and its actions, and the job's state; the
// tenant label only with --metrics-tenant-label.
func TestMetricsEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name        string
		tenantLabel bool
	}{
		{"default: no tenant label", false},
		{"--metrics-tenant-label", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.MetricsTenantLabel = tc.tenantLabel
			a, admin := serveApp(t, cfg)
			must := func(want int, method, path, body string) map[string]any {
				t.Helper()
				code, out := adminCall(t, a, admin, method, path, body)
				if code != want {
					t.Fatalf("%s %s = %d %v, want %d", method, path, code, out, want)
				}
				return out
			}
			ten := must(201, "POST", "/api/v1/tenants", `{"name":"acme"}`)
			tenantID, _ := ten["id"].(string)
			tenantURL, _ := ten["tenant_url"].(string)
			token, _ := ten["token"].(string)
			must(201, "POST", "/api/v1/users", `{"userPrincipalName":"alice@x.io","givenName":"Alice","surname":"Lee"}`)
			must(201, "POST", "/api/v1/apps", `{"name":"crm"}`)
			must(200, "POST", "/api/v1/apps/crm/assignments", `{"user":"alice@x.io"}`)
			must(200, "PUT", "/api/v1/apps/crm/job", `{"tenantUrl":"`+tenantURL+`","token":"`+token+`"}`)
			cycle := must(200, "POST", "/api/v1/apps/crm/job/runs?wait=true", "")
			if stats, _ := cycle["stats"].(map[string]any); stats["created"] != float64(1) {
				t.Fatalf("cycle = %v, want alice created", cycle)
			}
			if code := get(t, tenantURL+"/Users", "wrong-token"); code != http.StatusUnauthorized {
				t.Fatalf("GET /Users with a wrong token = %d, want 401", code)
			}
			job := must(200, "GET", "/api/v1/apps/crm/job", "")
			appID, _ := job["appId"].(string)
			if appID == "" {
				t.Fatalf("GET job = %v, want its appId", job)
			}

			mf := scrape(t, a)
			for _, tt := range []struct {
				name   string
				labels map[string]string
				want   float64
			}{
				{"provisio_scim_requests_total", map[string]string{"method": "POST", "resource": "Users", "code": "2xx"}, 1},
				{"provisio_scim_requests_total", map[string]string{"method": "GET", "resource": "Users", "code": "4xx"}, 1},
				{"provisio_scim_request_duration_seconds", map[string]string{"method": "POST", "resource": "Users"}, 1},
				{"provisio_admin_requests_total", map[string]string{"method": "POST", "route": "/api/v1/apps/{app}/job/runs", "code": "2xx"}, 1},
				{"provisio_job_cycles_total", map[string]string{"app": appID, "kind": "initial", "result": "success"}, 1},
				{"provisio_job_cycle_duration_seconds", map[string]string{"app": appID, "kind": "initial"}, 1},
				{"provisio_job_actions_total", map[string]string{"app": appID, "object": "User", "action": "create", "status": "success"}, 1},
				{"provisio_job_quarantined", map[string]string{"app": appID, "reason": ""}, 0},
				{"provisio_job_escrows", map[string]string{"app": appID}, 0},
				{"provisio_job_links", map[string]string{"app": appID, "kind": "users"}, 1},
			} {
				if got, ok := value(mf, tt.name, tt.labels); !ok || got != tt.want {
					t.Errorf("%s%v = %v (found %v), want %v", tt.name, tt.labels, got, ok, tt.want)
				}
			}
			if _, ok := value(mf, "provisio_job_last_success_timestamp_seconds", map[string]string{"app": appID}); !ok {
				t.Errorf("provisio_job_last_success_timestamp_seconds{app=%q} missing after a successful cycle", appID)
			}
			if _, ok := mf["go_goroutines"]; !ok {
				t.Error("go_goroutines missing: want the Go collector")
			}
			if got := hasLabel(mf, "provisio_scim_requests_total", "tenant"); got != tc.tenantLabel {
				t.Errorf("provisio_scim_requests_total has a tenant label = %v, want %v", got, tc.tenantLabel)
			}
			if tc.tenantLabel {
				if got, ok := value(mf, "provisio_scim_requests_total", map[string]string{"method": "POST", "resource": "Users", "code": "2xx", "tenant": tenantID}); !ok || got != 1 {
					t.Errorf("provisio_scim_requests_total{POST Users 2xx tenant=%q} = %v (found %v), want 1", tenantID, got, ok)
				}
				if got, ok := value(mf, "provisio_scim_requests_total", map[string]string{"code": "4xx", "tenant": ""}); !ok || got != 1 {
					t.Errorf("the refused request's tenant label = %v (found %v), want empty", got, ok)
				}
			}
		})
	}
}
