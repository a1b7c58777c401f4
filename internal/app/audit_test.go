package app

import (
	"testing"
)

// TestAuditWired: serve records a change made through the admin API in
// the audit log, with the admin token that made it, and serves it back.
func TestAuditWired(t *testing.T) {
	a, admin := serveApp(t, testConfig(t))
	if st, _ := adminCall(t, a, admin, "POST", "/api/v1/apps", `{"name":"Portal"}`); st != 201 {
		t.Fatalf("POST /api/v1/apps = %d, want 201", st)
	}
	st, page := adminCall(t, a, admin, "GET", "/api/v1/audit?since=2000-01-01T00:00:00Z", "")
	es, _ := page["entries"].([]any)
	if st != 200 || len(es) != 1 {
		t.Fatalf("GET /api/v1/audit = %d %v, want one entry", st, page)
	}
	if e := es[0].(map[string]any); e["actor"] != "initial" || e["object"] != "app" || e["method"] != "POST" {
		t.Errorf("audit entry = %v, want app created by initial", e)
	}
}
