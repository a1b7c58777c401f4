package adminapi

import (
	"testing"
)

// TestStagedDeletions: over the deletion threshold, the status shows the
// quarantine, job/staged lists the staged disables, job/staged/allow lets
// the next cycle send them, and job/quarantine/clear ends a quarantine;
// every answer checked against openapi.json by the fixture.
func TestStagedDeletions(t *testing.T) {
	f, _, _ := jobFixture(t)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"bob@x.io"}`)
	f.must(t, 200, "POST", "/api/v1/apps/Portal/assignments", `{"user":"bob@x.io"}`)
	r := f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"deletionThreshold":1,"deletionThresholdPercent":0}`)
	if r.body["deletionThreshold"] != 1.0 || r.body["deletionThresholdPercent"] != 0.0 {
		t.Errorf("PUT job thresholds = %s, want 1 and 0", r.raw)
	}
	if r := f.must(t, 200, "GET", "/api/v1/jobs", ""); r.body["jobs"].([]any)[0].(map[string]any)["deletionThreshold"] != 1.0 {
		t.Errorf("GET jobs = %s, want the deletion threshold 1", r.raw)
	}
	if r := f.do(t, "PUT", "/api/v1/apps/Portal/job", `{"deletionThresholdPercent":101}`); r.status != 400 {
		t.Errorf("PUT job percent 101 = %d %s, want 400", r.status, r.raw)
	}
	f.must(t, 200, "POST", "/api/v1/apps/Portal/job/runs?wait=true", "")
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", ""); r.body["quarantine"] != nil {
		t.Errorf("GET job/status = %s, want quarantine null", r.raw)
	}
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/staged", ""); len(r.body["staged"].([]any)) != 0 || r.body["quarantine"] != nil {
		t.Errorf("GET job/staged before = %s, want nothing staged", r.raw)
	}

	f.must(t, 204, "DELETE", "/api/v1/apps/Portal/assignments/users/alice@x.io", "")
	f.must(t, 204, "DELETE", "/api/v1/apps/Portal/assignments/users/bob@x.io", "")
	r = f.must(t, 200, "POST", "/api/v1/apps/Portal/job/runs?wait=true", "")
	if stats := r.body["stats"].(map[string]any); stats["staged"] != 2.0 || stats["disabled"] != 0.0 {
		t.Errorf("cycle over the threshold = %s, want 2 staged, none disabled", r.raw)
	}
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", "")
	if q, _ := r.body["quarantine"].(map[string]any); q["reason"] != "too many deletions" || q["staged"] != 2.0 {
		t.Errorf("GET job/status = %s, want quarantined for too many deletions, 2 staged", r.raw)
	}
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/logs?status=staged", "")
	if n := len(r.body["entries"].([]any)); n != 2 {
		t.Errorf("GET job/logs?status=staged = %d entries, want 2", n)
	}
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/staged", "")
	staged := r.body["staged"].([]any)
	if len(staged) != 2 || r.body["allowed"] != false || staged[0].(map[string]any)["action"] != "disable" {
		t.Errorf("GET job/staged = %s, want 2 staged disables, not allowed", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/staged/allow", ""); r.body["allowed"] != true {
		t.Errorf("POST job/staged/allow = %s, want allowed", r.raw)
	}
	r = f.must(t, 200, "POST", "/api/v1/apps/Portal/job/runs?wait=true", "")
	if stats := r.body["stats"].(map[string]any); stats["disabled"] != 2.0 {
		t.Errorf("cycle after allow = %s, want 2 disabled", r.raw)
	}
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/job/staged", "")
	if len(r.body["staged"].([]any)) != 0 || r.body["allowed"] != false || r.body["quarantine"] != nil {
		t.Errorf("GET job/staged after = %s, want nothing staged, not allowed, not quarantined", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/quarantine/clear", ""); r.body["quarantine"] != nil {
		t.Errorf("POST job/quarantine/clear = %s, want quarantine null", r.raw)
	}
	if r := f.do(t, "GET", "/api/v1/apps/Nowhere/job/staged", ""); r.status != 404 {
		t.Errorf("GET job/staged of an unknown app = %d, want 404", r.status)
	}
}
