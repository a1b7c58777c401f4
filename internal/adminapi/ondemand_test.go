package adminapi

import "testing"

func TestProvisionOnDemand(t *testing.T) {
	f, _, _ := jobFixture(t)
	r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/provision", `{"user":"alice@x.io"}`)
	objs, _ := r.body["objects"].([]any)
	if len(objs) != 1 {
		t.Fatalf("POST job/provision {user alice} = %s, want one object", r.raw)
	}
	o := objs[0].(map[string]any)
	entry := o["entry"].(map[string]any)
	xs, _ := o["exchanges"].([]any)
	if entry["action"] != "create" || entry["status"] != "success" || entry["cycleId"] != r.body["cycleId"] || len(xs) != 2 {
		t.Errorf("provisioned alice = %v, want create success in the answer's cycle, with two requests sent", o)
	}
	if last := xs[len(xs)-1].(map[string]any); last["method"] != "POST" || last["status"] != float64(201) {
		t.Errorf("last request sent = %v, want POST answered 201", last)
	}
	// The on-demand cycle is listed, the job's state is not touched.
	runs := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/runs", "")
	if cs, _ := runs.body["runs"].([]any); len(cs) != 1 || cs[0].(map[string]any)["kind"] != "on-demand" {
		t.Errorf("GET job/runs = %s, want the on-demand cycle", runs.raw)
	}
	if st := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", ""); st.body["lastCycle"] != nil || st.body["state"] != "stopped" {
		t.Errorf("job status after provision on demand = %s, want stopped, no last cycle", st.raw)
	}
	tests := []struct {
		body string
		want int
	}{
		{`{}`, 400},
		{`{"user":"alice@x.io","group":"Ops"}`, 400},
		{`{"user":"nobody@x.io"}`, 404},
		{`{"group":"Nope"}`, 404},
	}
	for _, tt := range tests {
		f.must(t, tt.want, "POST", "/api/v1/apps/Portal/job/provision", tt.body)
	}
}
