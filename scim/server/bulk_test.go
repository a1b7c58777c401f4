package server

import (
	"fmt"
	"strings"
	"testing"
)

func bulkOps(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	list, _ := m["Operations"].([]any)
	out := make([]map[string]any, len(list))
	for i, x := range list {
		out[i] = x.(map[string]any)
	}
	return out
}

func TestBulkWithReferences(t *testing.T) {
	f := newFixture(t)
	// The group is listed first and references users created later in
	// the same request (RFC 7644 §3.7.2).
	body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
	  {"method":"POST","path":"/Groups","bulkId":"g1","data":{"displayName":"Tour Guides","members":[{"type":"User","value":"bulkId:u1"},{"type":"User","value":"bulkId:u2"}]}},
	  {"method":"POST","path":"/Users","bulkId":"u1","data":{"userName":"alice"}},
	  {"method":"POST","path":"/Users","bulkId":"u2","data":{"userName":"bob"}},
	  {"method":"PATCH","path":"/Users/bulkId:u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Alice"}]}},
	  {"method":"DELETE","path":"/Users/bulkId:u2"}
	]}`
	w := f.do("POST", "/Bulk", body)
	if w.Code != 200 {
		t.Fatalf("POST /Bulk = %d %s", w.Code, w.Body)
	}
	m := decode(t, w)
	if got, _ := at(m, "/schemas/0"); got != "urn:ietf:params:scim:api:messages:2.0:BulkResponse" {
		t.Errorf("schemas = %v", got)
	}
	ops := bulkOps(t, m)
	wantStatus := []string{"201", "201", "201", "200", "204"}
	if len(ops) != len(wantStatus) {
		t.Fatalf("got %d operation results, want %d: %s", len(ops), len(wantStatus), w.Body)
	}
	for i, op := range ops {
		if op["status"] != wantStatus[i] {
			t.Errorf("operation %d status = %v, want %s (%v)", i, op["status"], wantStatus[i], op["response"])
		}
	}
	loc, _ := ops[1]["location"].(string)
	u1 := loc[strings.LastIndexByte(loc, '/')+1:]
	if !strings.HasPrefix(loc, "http://example.com/Users/") || u1 == "" {
		t.Fatalf("location = %q", loc)
	}
	if ops[1]["version"] == nil || ops[1]["bulkId"] != "u1" {
		t.Errorf("POST result = %v, want version and bulkId", ops[1])
	}
	gloc, _ := ops[0]["location"].(string)
	g := decode(t, f.do("GET", gloc[len("http://example.com"):], ""))
	if got := memberIDs(g); got != u1 {
		t.Errorf("group members = %q, want only %s (u2 was deleted)", got, u1)
	}
	if got := decode(t, f.do("GET", "/Users/"+u1, ""))["displayName"]; got != "Alice" {
		t.Errorf("PATCH via bulkId path: displayName = %v, want Alice", got)
	}
}

func TestBulkErrors(t *testing.T) {
	f := newFixture(t)
	f.user("taken")
	body := `{"failOnErrors":0,"Operations":[
	  {"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"taken"}},
	  {"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"g","members":[{"value":"bulkId:a"}]}},
	  {"method":"POST","path":"/Groups","bulkId":"h","data":{"displayName":"h","members":[{"value":"bulkId:nowhere"}]}},
	  {"method":"GET","path":"/Users"},
	  {"method":"PUT","path":"/Users/nope","data":{"userName":"x"}},
	  {"method":"POST","path":"/Devices","bulkId":"d","data":{}},
	  {"method":"POST","path":"/Users","data":{"userName":"nobulkid"}},
	  {"method":"DELETE","path":"/Users"},
	  {"method":"POST","path":"/Users","bulkId":"ok","data":{"userName":"fine"}}
	]}`
	w := f.do("POST", "/Bulk", body)
	if w.Code != 200 {
		t.Fatalf("POST /Bulk = %d %s", w.Code, w.Body)
	}
	ops := bulkOps(t, decode(t, w))
	want := []struct{ status, scimType string }{
		{"409", "uniqueness"},
		{"409", "invalidValue"},
		{"409", "invalidValue"},
		{"400", "invalidSyntax"},
		{"404", ""},
		{"404", ""},
		{"400", "invalidSyntax"},
		{"400", "invalidPath"},
		{"201", ""},
	}
	if len(ops) != len(want) {
		t.Fatalf("got %d results, want %d: %s", len(ops), len(want), w.Body)
	}
	for i, op := range ops {
		if op["status"] != want[i].status {
			t.Errorf("operation %d status = %v, want %s (response %v)", i, op["status"], want[i].status, op["response"])
			continue
		}
		if want[i].status == "201" {
			continue
		}
		resp, _ := op["response"].(map[string]any)
		if resp["status"] != want[i].status || (want[i].scimType != "" && resp["scimType"] != want[i].scimType) {
			t.Errorf("operation %d response = %v, want status %s scimType %s", i, resp, want[i].status, want[i].scimType)
		}
	}
}

func TestBulkFailOnErrors(t *testing.T) {
	f := newFixture(t)
	body := `{"failOnErrors":1,"Operations":[
	  {"method":"POST","path":"/Users","bulkId":"a","data":{"userName":5}},
	  {"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"never"}}
	]}`
	ops := bulkOps(t, decode(t, f.do("POST", "/Bulk", body)))
	if len(ops) != 1 || ops[0]["status"] != "400" {
		t.Fatalf("failOnErrors=1 results = %v, want only the failed first operation", ops)
	}
	if got, _ := at(decode(t, f.do("GET", "/Users", "")), "/totalResults"); got != float64(0) {
		t.Errorf("users after stopped bulk = %v, want 0", got)
	}
}

func TestBulkLimits(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.BulkMaxOperations = 2; c.BulkMaxPayload = 600 })
	op := `{"method":"POST","path":"/Users","bulkId":"%d","data":{"userName":"u%d"}}`
	three := fmt.Sprintf(`{"Operations":[%s,%s,%s]}`, fmt.Sprintf(op, 1, 1), fmt.Sprintf(op, 2, 2), fmt.Sprintf(op, 3, 3))
	m := wantError(t, f.do("POST", "/Bulk", three), 413, "")
	if d, _ := m["detail"].(string); !strings.Contains(d, "maxOperations") {
		t.Errorf("detail = %q, want it to name maxOperations", d)
	}
	big := `{"Operations":[{"method":"POST","path":"/Users","bulkId":"x","data":{"userName":"` + strings.Repeat("x", 700) + `"}}]}`
	m = wantError(t, f.do("POST", "/Bulk", big), 413, "")
	if d, _ := m["detail"].(string); !strings.Contains(d, "maxPayloadSize") {
		t.Errorf("detail = %q, want it to name maxPayloadSize", d)
	}
	wantError(t, f.do("POST", "/Bulk", `{"Operations":`), 400, "invalidSyntax")
}

func TestBulkVersion(t *testing.T) {
	f := newFixture(t)
	id := f.user("v")
	body := `{"Operations":[{"method":"DELETE","path":"/Users/` + id + `","version":"W/\"999\""}]}`
	ops := bulkOps(t, decode(t, f.do("POST", "/Bulk", body)))
	if len(ops) != 1 || ops[0]["status"] != "412" {
		t.Fatalf("DELETE with stale version = %v, want 412", ops)
	}
}
