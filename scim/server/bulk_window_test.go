package server

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBulkWindowKeepsSequentialOutcome: a bulk request of many creates
// (run concurrently a window at a time) answers each in request order
// with what sequential processing gives: of two creates with the same
// userName the first wins; a PATCH and a DELETE of one resource keep
// their order; every resource exists once.
func TestBulkWindowKeepsSequentialOutcome(t *testing.T) {
	f := newFixture(t)
	var ops []string
	const n = 300
	for i := range n {
		ops = append(ops, fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"u%d","data":{"userName":"user%d"}}`, i, i))
	}
	// A duplicate of user7 (case-insensitively), after the original.
	ops = append(ops, `{"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":"USER7"}}`)
	// Two changes of user3, in order: rename, then delete.
	ops = append(ops, `{"method":"PATCH","path":"/Users/bulkId:u3","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Three"}]}}`,
		`{"method":"DELETE","path":"/Users/bulkId:u3"}`)
	w := f.do("POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[`+strings.Join(ops, ",")+`]}`)
	if w.Code != 200 {
		t.Fatalf("POST /Bulk = %d %s", w.Code, w.Body)
	}
	got := bulkOps(t, decode(t, w))
	if len(got) != n+3 {
		t.Fatalf("%d results, want %d", len(got), n+3)
	}
	for i := range n {
		if got[i]["status"] != "201" || got[i]["bulkId"] != fmt.Sprintf("u%d", i) {
			t.Fatalf("result %d = %v, want 201 for u%d", i, got[i], i)
		}
	}
	if got[n]["status"] != "409" || got[n+1]["status"] != "200" || got[n+2]["status"] != "204" {
		t.Errorf("duplicate, PATCH, DELETE = %v, %v, %v; want 409, 200, 204", got[n]["status"], got[n+1]["status"], got[n+2]["status"])
	}
	if total, _ := at(decode(t, f.do("GET", "/Users?count=0", "")), "/totalResults"); total != float64(n-1) {
		t.Errorf("totalResults = %v, want %d", total, n-1)
	}
}

// FuzzBulk feeds the bulk request parser and processor arbitrary
// bodies: no input may make /Bulk answer 5xx, or an operation result
// carry a 5xx status, or the answer be anything but SCIM JSON.
func FuzzBulk(f *testing.F) {
	for _, s := range []string{
		`{"Operations":[{"method":"POST","path":"/Users","bulkId":"1","data":{"userName":"c"}}]}`,
		`{"failOnErrors":1,"Operations":[{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"g","members":[{"value":"bulkId:u"}]}},{"method":"POST","path":"/Users","bulkId":"u","data":{"userName":"u"}}]}`,
		`{"Operations":[{"method":"PATCH","path":"/Users/bulkId:x","data":{"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:x"}]}]}}]}`,
		`{"Operations":[{"method":"DELETE","path":"/Users/ID","version":"W/\"1\""},{"method":"PUT","path":"/Groups/GID","data":{"displayName":"z"}}]}`,
		`{"Operations":[{"method":"POST","path":"/Users/bulkId:a/","bulkId":"a","data":{"userName":"bulkId:a"}}]}`,
		`{"Operations":[{"method":"post","path":"Users","bulkId":"","data":[]}]}`,
		`{"Operations":null}`,
		`{"Operations":[{}]}`,
	} {
		f.Add(s)
	}
	fx := newFixture(f, func(c *Config) { c.BulkMaxOperations = 50; c.BulkMaxPayload = 64 << 10 })
	uid := fx.user("seed")
	gid := fx.group("seed", uid)
	f.Fuzz(func(t *testing.T, body string) {
		body = strings.NewReplacer("GID", gid, "ID", uid).Replace(body)
		r := httptest.NewRequest("POST", "http://example.com/Bulk", strings.NewReader(body))
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, r)
		if w.Code >= 500 || !strings.HasPrefix(w.Body.String(), "{") {
			t.Fatalf("POST /Bulk %q = %d %s", body, w.Code, w.Body)
		}
		if w.Code != 200 {
			return
		}
		var resp struct{ Operations []struct{ Status string } }
		if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
			t.Fatalf("POST /Bulk %q: response %s: %v", body, w.Body, err)
		}
		for _, op := range resp.Operations {
			if strings.HasPrefix(op.Status, "5") {
				t.Fatalf("POST /Bulk %q: an operation answered %s: %s", body, op.Status, w.Body)
			}
		}
	})
}
