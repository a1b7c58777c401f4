package adminapi

import "testing"

func TestReconcile(t *testing.T) {
	f, _, _ := jobFixture(t)
	f.must(t, 200, "POST", "/api/v1/apps/Portal/job/provision", `{"user":"alice@x.io"}`)
	r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/reconcile", `{"repair":true}`)
	if fs, _ := r.body["findings"].([]any); len(fs) != 0 || r.body["linked"] != float64(1) || r.body["repair"] != true {
		t.Errorf("POST job/reconcile {repair} = %s, want no findings, 1 link compared", r.raw)
	}
	runs := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/runs", "")
	found := false
	cs, _ := runs.body["runs"].([]any)
	for _, c := range cs {
		found = found || c.(map[string]any)["kind"] == "reconcile"
	}
	if !found {
		t.Errorf("GET job/runs = %s, want the reconcile cycle", runs.raw)
	}
	tests := []struct {
		name, path, body string
		want             int
	}{
		{"empty body", "/api/v1/apps/Portal/job/reconcile", "", 200},
		{"unknown field", "/api/v1/apps/Portal/job/reconcile", `{"fix":true}`, 400},
		{"unknown app", "/api/v1/apps/Nope/job/reconcile", `{}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.must(t, tt.want, "POST", tt.path, tt.body) })
	}
}
