package adminapi

import "testing"

// TestJobRateLimit: a job's rate limit and concurrency are set, kept,
// validated and shown; the status shows the throttle after a cycle. Every
// answer is checked against openapi.json by the fixture.
func TestJobRateLimit(t *testing.T) {
	f, _, _ := jobFixture(t)
	const base = "/api/v1/apps/Portal/job"
	r := f.must(t, 200, "GET", base, "")
	if r.body["rateLimit"] != 0.0 || r.body["maxConcurrency"] != 0.0 {
		t.Errorf("GET job = %s, want rateLimit 0 and maxConcurrency 0", r.raw)
	}
	r = f.must(t, 200, "PUT", base, `{"rateLimit":25,"maxConcurrency":4}`)
	if r.body["rateLimit"] != 25.0 || r.body["maxConcurrency"] != 4.0 {
		t.Errorf("PUT job rateLimit 25, maxConcurrency 4 = %s", r.raw)
	}
	r = f.must(t, 200, "PUT", base, `{"scope":"all"}`)
	if r.body["rateLimit"] != 25.0 || r.body["maxConcurrency"] != 4.0 {
		t.Errorf("PUT job scope = %s, want rateLimit and maxConcurrency kept", r.raw)
	}
	f.must(t, 400, "PUT", base, `{"rateLimit":-1}`)
	f.must(t, 400, "PUT", base, `{"maxConcurrency":2000}`)
	f.must(t, 200, "POST", base+"/runs?wait=true", "")
	r = f.must(t, 200, "GET", base+"/status", "")
	th, _ := r.body["throttle"].(map[string]any)
	if th["maxRate"] != 25.0 || th["rate"] != 25.0 || th["maxConcurrency"] != 4.0 {
		t.Errorf("GET status after a cycle = %s, want a throttle at rate 25 of 25, concurrency of 4", r.raw)
	}
}
