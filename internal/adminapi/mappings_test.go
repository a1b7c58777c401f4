package adminapi

import (
	"net/url"
	"strings"
	"testing"
)

// TestMappingEditing: one mapping and one scoping filter at a time, every
// answer checked against openapi.json by the fixture.
func TestMappingEditing(t *testing.T) {
	f, _, _ := jobFixture(t)
	const base = "/api/v1/apps/Portal/job"
	r := f.must(t, 200, "GET", base+"/mappings/user", "")
	n := len(r.body["attributes"].([]any))
	if r.body["type"] != "user" || r.body["endpoint"] != "Users" || n == 0 {
		t.Fatalf("GET mappings/user = %s, want the user defaults", r.raw)
	}
	r = f.must(t, 200, "PUT", base+"/mappings/user", `{"target":"nickName","type":"direct","source":"mailNickname"}`)
	if got := len(r.body["attributes"].([]any)); got != n+1 {
		t.Errorf("PUT mappings/user nickName = %d mappings, want %d", got, n+1)
	}
	r = f.must(t, 400, "PUT", base+"/mappings/user", `{"target":"nickName","type":"direct","source":"shoeSize"}`)
	if msg := r.raw; !strings.Contains(msg, `unknown source attribute \"shoeSize\"`) {
		t.Errorf("PUT mappings/user with source shoeSize = %s, want the unknown attribute named", msg)
	}
	f.must(t, 400, "PUT", base+"/mappings/user", `{"target":"nickName","type":"direct","source":"mail","colour":"red"}`)
	f.must(t, 400, "GET", base+"/mappings/robot", "")
	target := url.QueryEscape(`emails[type eq "work"].value`)
	if r = f.must(t, 200, "DELETE", base+"/mappings/user?target="+target, ""); len(r.body["attributes"].([]any)) != n {
		t.Errorf("DELETE mappings/user?target=%s = %s, want %d mappings", target, r.raw, n)
	}
	f.must(t, 404, "DELETE", base+"/mappings/user?target="+target, "")
	f.must(t, 400, "DELETE", base+"/mappings/user", "")

	r = f.must(t, 200, "POST", base+"/scoping/user", `{"clauses":["department EQUALS Sales"]}`)
	if sc := r.body["scoping"].([]any); len(sc) != 1 || sc[0].(map[string]any)["clauses"].([]any)[0] != "department EQUALS Sales" {
		t.Errorf("POST scoping/user = %s, want one filter department EQUALS Sales", r.raw)
	}
	f.must(t, 400, "POST", base+"/scoping/user", `{"clauses":["department LIKES Sales"]}`)
	f.must(t, 400, "POST", base+"/scoping/user", `{"clauses":[]}`)
	if r = f.must(t, 200, "GET", base+"/scoping/user", ""); len(r.body["scoping"].([]any)) != 1 {
		t.Errorf("GET scoping/user = %s, want one filter", r.raw)
	}
	f.must(t, 404, "DELETE", base+"/scoping/user/2", "")
	f.must(t, 400, "DELETE", base+"/scoping/user/zero", "")
	if r = f.must(t, 200, "DELETE", base+"/scoping/user/1", ""); len(r.body["scoping"].([]any)) != 0 {
		t.Errorf("DELETE scoping/user/1 = %s, want no filter", r.raw)
	}
	f.must(t, 200, "DELETE", base+"/scoping/group", "")
	if r = f.must(t, 200, "GET", base+"/status", ""); r.body["cycleKind"] != "initial" {
		t.Errorf("GET status after mapping changes = %s, want the next cycle initial", r.raw)
	}

	r = f.must(t, 200, "POST", base+"/restore-defaults", "")
	ts, _ := r.body["targetSchema"].(map[string]any)
	if ts["status"] != "declared" || r.body["skipOutOfScopeDeletions"] != false {
		t.Errorf("POST restore-defaults = %s, want the job with its declared target schema", r.raw)
	}
	r = f.must(t, 200, "PUT", base, `{"skipOutOfScopeDeletions":true}`)
	if r.body["skipOutOfScopeDeletions"] != true {
		t.Errorf("PUT job skipOutOfScopeDeletions = %s, want it on", r.raw)
	}
	if r = f.must(t, 200, "POST", base+"/test", ""); r.body["targetSchema"] == nil {
		t.Errorf("POST job/test = %s, want the target schema", r.raw)
	}
}
