package adminapi

import (
	"strings"
	"testing"
)

// TestJobTestWithCredentials: POST job/test with a body tests those
// credentials without storing them (Test Connection before Save).
func TestJobTestWithCredentials(t *testing.T) {
	f, tenantURL, token := jobFixture(t)
	f.must(t, 200, "PUT", "/api/v1/apps/Portal/job", `{"token":"pvt_wrong"}`)
	before := f.must(t, 200, "GET", "/api/v1/apps/Portal/job", "").raw

	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", `{"tenantUrl":"`+tenantURL+`","token":"`+token+`"}`); r.body["ok"] != true || strings.Contains(r.raw, token) {
		t.Errorf("POST job/test with the right token in the body = %s, want ok (and no token)", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", ""); r.body["ok"] != false || r.body["reason"] != "credentials" {
		t.Errorf("POST job/test without a body after testing a good token = %s, want the stored wrong token refused: nothing was stored", r.raw)
	}
	if after := f.must(t, 200, "GET", "/api/v1/apps/Portal/job", "").raw; after != before {
		t.Errorf("the job changed by a test with credentials:\n before %s\n after  %s", before, after)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", `{"tenantUrl":"`+tenantURL+`","token":"pvt_other"}`); r.body["ok"] != false || r.body["reason"] != "credentials" {
		t.Errorf("POST job/test with a wrong token in the body = %s, want credentials refused", r.raw)
	}
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", `{"tenantUrl":"http://127.0.0.1:1/scim","token":"`+token+`"}`); r.body["ok"] != false || r.body["reason"] == "" {
		t.Errorf("POST job/test with a wrong URL in the body = %s, want ok false with a reason", r.raw)
	}
	// The form's Tenant URL unchanged, token left blank: the stored one.
	if r := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", `{"tenantUrl":"`+tenantURL+`"}`); r.body["ok"] != false || r.body["reason"] != "credentials" {
		t.Errorf("POST job/test with the stored URL and no token = %s, want the stored (wrong) token tested", r.raw)
	}

	// An app with no job yet: credentials can be tested before the first save.
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"Fresh"}`)
	if r := f.must(t, 200, "POST", "/api/v1/apps/Fresh/job/test", `{"tenantUrl":"`+tenantURL+`","token":"`+token+`"}`); r.body["ok"] != true {
		t.Errorf("POST job/test of an app with no job, with credentials = %s, want ok", r.raw)
	}
	f.must(t, 404, "GET", "/api/v1/apps/Fresh/job", "")

	for _, tc := range []struct{ name, body string }{
		{"a stored token is not sent to another URL", `{"tenantUrl":"http://127.0.0.1:1/scim"}`},
		{"no job, no token", ``},
		{"token without URL", `{"token":"x"}`},
		{"unknown field", `{"secret":"x"}`},
		{"bad URL", `{"tenantUrl":"ftp://x","token":"x"}`},
	} {
		app := "Portal"
		want := 400
		if tc.body == "" {
			app, want = "Fresh", 404
		}
		if r := f.call(t, "POST", "/api/v1/apps/"+app+"/job/test", f.admin, "application/json", tc.body); r.status != want {
			t.Errorf("%s: POST job/test %s = %d %s, want %d", tc.name, tc.body, r.status, r.raw, want)
		}
	}
}
