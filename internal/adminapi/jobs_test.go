package adminapi

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// jobFixture is a services fixture with a SCIM tenant, a user alice
// assigned to the app Portal, and Portal's job configured to the tenant.
func jobFixture(t *testing.T) (f *fixture, tenantURL, token string) {
	t.Helper()
	f = newServicesFixture(t, 0, 0)
	r := f.must(t, 201, "POST", "/api/v1/tenants", `{"name":"portal-tenant"}`)
	tenantURL, token = r.body["tenant_url"].(string), r.body["token"].(string)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"alice@x.io","givenName":"Alice","surname":"Lee"}`)
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"Portal"}`)
	f.must(t, 200, "POST", "/api/v1/apps/Portal/assignments", `{"user":"alice@x.io"}`)
	r = f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+tenantURL+`","token":"`+token+`","interval":"30s"}`)
	if r.body["tokenSet"] != true || r.body["enabled"] != false || r.body["interval"] != "30s" || strings.Contains(r.raw, token) {
		t.Fatalf("PUT job = %s, want a stopped job with a hidden token and interval 30s", r.raw)
	}
	return f, tenantURL, token
}

func TestJobLifecycle(t *testing.T) {
	f, _, _ := jobFixture(t)
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job", ""); r.body["scope"] != "assigned" || r.body["mappings"] == nil {
		t.Errorf("GET job = %s, want scope assigned with mappings", r.raw)
	}
	if r := f.must(t, 200, "GET", "/api/v1/jobs", ""); len(r.body["jobs"].([]any)) != 1 {
		t.Errorf("GET jobs = %s, want one job", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", ""); r.body["ok"] != true {
		t.Errorf("POST job/test = %s, want ok", r.raw)
	}
	r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/plan", "")
	acts, _ := r.body["actions"].([]any)
	if r.body["kind"] != "initial" || len(acts) != 1 || acts[0].(map[string]any)["action"] != "create" || acts[0].(map[string]any)["resource"] == nil {
		t.Errorf("GET job/plan = %s, want one create with its resource", r.raw)
	}

	r = f.must(t, 200, "POST", "/api/v1/apps/Portal/job/runs?wait=true", "")
	stats, _ := r.body["stats"].(map[string]any)
	if r.body["kind"] != "initial" || stats["created"] != float64(1) || r.body["error"] != nil {
		t.Fatalf("POST job/runs?wait=true = %s, want an initial cycle creating alice", r.raw)
	}
	cycleID := r.body["id"].(string)
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", "")
	last, _ := r.body["lastCycle"].(map[string]any)
	if r.body["state"] != "stopped" || r.body["cycleKind"] != "incremental" || last["id"] != cycleID {
		t.Errorf("GET job/status = %s, want stopped, next incremental, last cycle %s", r.raw, cycleID)
	}
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/logs?status=success&action=create&type=User&object=alice@x.io&cycle="+cycleID, "")
	if es, _ := r.body["entries"].([]any); len(es) != 1 || es[0].(map[string]any)["sourceName"] != "alice@x.io" {
		t.Errorf("GET job/logs filtered = %s, want alice's create", r.raw)
	}
	alice := r.body["entries"].([]any)[0].(map[string]any)
	logged, _ := time.Parse(time.RFC3339Nano, alice["time"].(string))
	for _, tc := range []struct {
		name, query string
		want        int
	}{
		{"change id", "change=" + alice["changeId"].(string), 1},
		{"unknown change id", "change=nope", 0},
		{"since its time", "since=" + logged.Add(-time.Second).Format(time.RFC3339), 1},
		{"since later", "since=" + logged.Add(time.Hour).Format(time.RFC3339), 0},
		{"until its time", "until=" + logged.Add(-time.Second).Format(time.RFC3339), 0},
		{"time range", "since=" + logged.Add(-time.Hour).Format(time.RFC3339) + "&until=" + logged.Add(time.Hour).Format(time.RFC3339), 1},
	} {
		r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/logs?"+tc.query, "")
		if es, _ := r.body["entries"].([]any); len(es) != tc.want {
			t.Errorf("%s: GET job/logs?%s = %s, want %d entries", tc.name, tc.query, r.raw, tc.want)
		}
	}
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/logs?status=failure", ""); len(r.body["entries"].([]any)) != 0 {
		t.Errorf("GET job/logs?status=failure = %s, want none", r.raw)
	}
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/runs", ""); len(r.body["runs"].([]any)) != 1 {
		t.Errorf("GET job/runs = %s, want one cycle", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/restart", ""); r.body["cycleKind"] != "initial" {
		t.Errorf("POST job/restart = %s, want the next cycle initial", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/start", ""); r.body["enabled"] != true {
		t.Errorf("POST job/start = %s, want enabled", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/stop", ""); r.body["enabled"] != false {
		t.Errorf("POST job/stop = %s, want disabled", r.raw)
	}
	r = f.must(t, 202, "POST", "/api/v1/apps/Portal/job/runs", "")
	if r.body["appId"] == nil {
		t.Errorf("POST job/runs = %s, want the job's status", r.raw)
	}
	waitIdle(t, f)
	f.must(t, 204, "DELETE", "/api/v1/apps/Portal/job", "")
	f.must(t, 404, "GET", "/api/v1/apps/Portal/job", "")
	f.must(t, 404, "DELETE", "/api/v1/apps/Portal/job", "")
}

// waitIdle waits until Portal's job runs no cycle.
func waitIdle(t *testing.T, f *fixture) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", ""); r.body["state"] != "running" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the cycle did not end within 10s")
}

func TestJobTestConnectionFails(t *testing.T) {
	f, tenantURL, _ := jobFixture(t)
	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"token":"pvt_wrong"}`)
	r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", "")
	if r.body["ok"] != false || r.body["reason"] != "credentials" || !strings.Contains(r.body["message"].(string), "Secret Token") {
		t.Errorf("POST job/test with a wrong token = %s, want ok false for credentials", r.raw)
	}
	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+tenantURL+`/nothing-here"}`)
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", ""); r.body["ok"] != false || r.body["reason"] == "" {
		t.Errorf("POST job/test with a wrong URL = %s, want ok false with a reason", r.raw)
	}
}

func TestJobBadInput(t *testing.T) {
	f, tenantURL, _ := jobFixture(t)
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"NoJob"}`)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"new job without token", "PUT", "/api/v1/apps/NoJob/job", `{"tenantUrl":"` + tenantURL + `"}`, 400, "bad_request"},
		{"new job without URL", "PUT", "/api/v1/apps/NoJob/job", `{"token":"t"}`, 400, "bad_request"},
		{"URL not http", "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"ftp://x/scim"}`, 400, "bad_request"},
		{"URL with credentials", "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"https://u:p@x/scim"}`, 400, "bad_request"},
		{"bad scope", "PUT", "/api/v1/apps/Portal/job", `{"scope":"some"}`, 400, "bad_request"},
		{"bad interval", "PUT", "/api/v1/apps/Portal/job", `{"interval":"soon"}`, 400, "bad_request"},
		{"negative interval", "PUT", "/api/v1/apps/Portal/job", `{"interval":"-5m"}`, 400, "bad_request"},
		{"interval too short", "PUT", "/api/v1/apps/Portal/job", `{"interval":"10ms"}`, 400, "bad_request"},
		{"bad email", "PUT", "/api/v1/apps/Portal/job", `{"notificationEmail":"not an address"}`, 400, "bad_request"},
		{"bad mappings", "PUT", "/api/v1/apps/Portal/job", `{"mappings":{"users":{"endpoint":"/Users","attributes":[{"target":"userName","type":"magic"}]}}}`, 400, "bad_request"},
		{"unknown field", "PUT", "/api/v1/apps/Portal/job", `{"secret":"x"}`, 400, "bad_request"},
		{"unknown app", "PUT", "/api/v1/apps/Nowhere/job", `{"token":"t"}`, 404, "not_found"},
		{"no job", "GET", "/api/v1/apps/NoJob/job", "", 404, "not_found"},
		{"no job: status", "GET", "/api/v1/apps/NoJob/job/status", "", 404, "not_found"},
		{"no job: run", "POST", "/api/v1/apps/NoJob/job/runs?wait=true", "", 404, "not_found"},
		{"no job: plan", "GET", "/api/v1/apps/NoJob/job/plan", "", 404, "not_found"},
		{"no job: test", "POST", "/api/v1/apps/NoJob/job/test", "", 404, "not_found"},
		{"no job: start", "POST", "/api/v1/apps/NoJob/job/start", "", 404, "not_found"},
		{"no job: restart", "POST", "/api/v1/apps/NoJob/job/restart", "", 404, "not_found"},
		{"no job: logs", "GET", "/api/v1/apps/NoJob/job/logs", "", 404, "not_found"},
		{"run: bad wait", "POST", "/api/v1/apps/Portal/job/runs?wait=soon", "", 400, "bad_request"},
		{"runs: limit 0", "GET", "/api/v1/apps/Portal/job/runs?limit=0", "", 400, "bad_request"},
		{"logs: bad status", "GET", "/api/v1/apps/Portal/job/logs?status=ok", "", 400, "bad_request"},
		{"logs: bad action", "GET", "/api/v1/apps/Portal/job/logs?action=provision", "", 400, "bad_request"},
		{"logs: bad type", "GET", "/api/v1/apps/Portal/job/logs?type=user", "", 400, "bad_request"},
		{"logs: before 0", "GET", "/api/v1/apps/Portal/job/logs?before=0", "", 400, "bad_request"},
		{"logs: limit too large", "GET", "/api/v1/apps/Portal/job/logs?limit=10001", "", 400, "bad_request"},
		{"logs: since not a time", "GET", "/api/v1/apps/Portal/job/logs?since=24h", "", 400, "bad_request"},
		{"logs: until not a time", "GET", "/api/v1/apps/Portal/job/logs?until=2026-13-01", "", 400, "bad_request"},
		{"method not allowed", "POST", "/api/v1/apps/Portal/job", `{}`, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, tt.body)
			if r.status != tt.wantStatus || r.errCode() != tt.wantCode {
				t.Errorf("%s %s %s = %d %s, want %d %s", tt.method, tt.path, tt.body, r.status, r.raw, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

// TestJobRunErrors: how a run that cannot run is answered.
func TestJobRunErrors(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
	}{
		{"running on another server", fmt.Errorf("job of app %q: %w", "a", jobs.ErrBusy), 409, "job_busy"},
		{"queued, then stopped", fmt.Errorf("job of app %q: %w", "a", jobs.ErrCancelled), 409, "cycle_cancelled"},
		{"server shutting down", fmt.Errorf("job of app %q: %w", "a", jobs.ErrClosed), 503, "shutting_down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := toAPIError(tt.err)
			if got.status != tt.wantStatus || got.code != tt.wantCode || !strings.HasPrefix(got.message, tt.err.Error()) {
				t.Errorf("toAPIError(%v) = %d %s %q, want %d %s with the error's text", tt.err, got.status, got.code, got.message, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

// A job whose requests fail lists its objects in escrow; a retry makes
// them due and starts a cycle.
func TestJobEscrows(t *testing.T) {
	f, tenantURL, _ := jobFixture(t)
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/escrows", ""); len(r.body["escrows"].([]any)) != 0 {
		t.Errorf("GET job/escrows = %s, want none", r.raw)
	}
	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"tenantUrl":"`+tenantURL+`","token":"not-the-token"}`)
	r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/runs?wait=true", "")
	if stats, _ := r.body["stats"].(map[string]any); stats["failed"] != float64(1) {
		t.Fatalf("POST job/runs?wait=true = %s, want alice failed", r.raw)
	}
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/escrows", "")
	es, _ := r.body["escrows"].([]any)
	if len(es) != 1 {
		t.Fatalf("GET job/escrows = %s, want alice's", r.raw)
	}
	if e := es[0].(map[string]any); e["sourceName"] != "alice@x.io" || e["action"] != "create" || e["attempts"] != float64(1) || e["nextRetry"] == nil {
		t.Errorf("escrow = %v, want alice's create, 1 attempt, a next retry", e)
	}
	f.must(t, 404, "POST", "/api/v1/apps/Portal/job/escrows/retry", `{"object":"nobody"}`)
	f.must(t, 400, "POST", "/api/v1/apps/Portal/job/escrows/retry", `{"objet":"alice@x.io"}`)
	r = f.must(t, 200, "POST", "/api/v1/apps/Portal/job/escrows/retry", `{"object":"ALICE@x.io"}`)
	if r.body["due"] != float64(1) || r.body["started"] != true {
		t.Errorf("POST job/escrows/retry = %s, want 1 due and a cycle started", r.raw)
	}
	waitIdle(t, f)
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/escrows/retry", ""); r.body["due"] != float64(1) {
		t.Errorf("POST job/escrows/retry (all) = %s, want alice's escrow due again", r.raw)
	}
	waitIdle(t, f)
}
