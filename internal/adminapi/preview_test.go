package adminapi

import (
	"strings"
	"testing"
)

func TestJobPreview(t *testing.T) {
	f, _, _ := jobFixture(t)
	r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/preview?user=alice@x.io", "")
	reqs, _ := r.body["requests"].([]any)
	if r.body["action"] != "create" || len(reqs) != 1 {
		t.Fatalf("GET job/preview?user=alice = %s, want one create request", r.raw)
	}
	req := reqs[0].(map[string]any)
	body, _ := req["body"].(map[string]any)
	if req["method"] != "POST" || req["path"] != "/Users" || body["userName"] != "alice@x.io" {
		t.Errorf("preview request = %v, want POST /Users with userName alice@x.io", req)
	}
	if r := f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", ""); r.body["lastCycle"] != nil {
		t.Errorf("job status after a preview = %s, want no cycle", r.raw)
	}
	tests := []struct {
		query string
		want  int
	}{
		{"", 400},
		{"?user=alice@x.io&group=Ops", 400},
		{"?user=nobody@x.io", 404},
		{"?group=Nope", 404},
	}
	for _, tt := range tests {
		f.must(t, tt.want, "GET", "/api/v1/apps/Portal/job/preview"+tt.query, "")
	}
}

func TestEvaluateExpression(t *testing.T) {
	f, _, _ := jobFixture(t)
	tests := []struct {
		body, want string // want: a fragment of the answer
		status     int
	}{
		{`{"expression":"Join(\" \", [givenName], [surname])","user":"alice@x.io"}`, `"value":"Alice Lee"`, 200},
		{`{"expression":"[department]","user":"alice@x.io"}`, `"null":true`, 200},
		{`{"expression":"Not([IsSoftDeleted])","user":"alice@x.io","app":"Portal"}`, `"scope":"in scope"`, 200},
		{`{"expression":"Split([x], \",\")","attributes":{"x":["a,b"]}}`, `"value":["a","b"]`, 200},
		{`{"expression":"Jion([x])"}`, `"position":0`, 400},
		{`{"expression":"Left([x], 1"}`, `"position":`, 400},
		{`{"expression":"CDate(\"abc\")"}`, `CDate`, 400},
		{`{"expression":"[x]","user":"nobody@x.io"}`, `not_found`, 404},
		{`{"user":"alice@x.io"}`, `expression`, 400},
	}
	for _, tt := range tests {
		r := f.must(t, tt.status, "POST", "/api/v1/expressions/evaluate", tt.body)
		if !strings.Contains(r.raw, tt.want) {
			t.Errorf("POST expressions/evaluate %s = %s, want it to contain %s", tt.body, r.raw, tt.want)
		}
	}
}
