package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestInputLimits: control characters, invalid UTF-8 and over-long
// strings are refused before the backend, whatever the request carries
// them in.
func TestInputLimits(t *testing.T) {
	f := newFixture(t)
	uid := f.user("alice")
	gid := f.group("Staff", uid)
	long := func(n int) string { return strings.Repeat("x", n) }
	user := func(attrs string) string {
		return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],` + attrs + `}`
	}
	patchOp := func(op, path, value string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + op + `","path":"` + path + `","value":` + value + `}]}`
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		scimType, detail         string
	}{
		{"NUL in userName", "POST", "/Users", user(`"userName":"a\u0000b"`), 400, "invalidValue", "userName contains the control character U+0000"},
		{"NUL in externalId", "POST", "/Users", user(`"userName":"b","externalId":"\u0000"`), 400, "invalidValue", "externalId"},
		{"TAB in userName", "POST", "/Users", user(`"userName":"a\tb"`), 400, "invalidValue", "U+0009"},
		{"ESC in a title", "POST", "/Users", user(`"userName":"c","title":"\u001b[2J"`), 400, "invalidValue", "title contains the control character U+001B"},
		{"NUL deep in emails", "POST", "/Users", user(`"userName":"d","emails":[{"value":"d@x","type":"w\u0000"}]`), 400, "invalidValue", "emails.type"},
		{"long userName", "POST", "/Users", user(`"userName":"` + long(3000) + `"`), 400, "invalidValue", "userName is longer than 512 characters"},
		{"long displayName", "POST", "/Users", user(`"userName":"e","displayName":"` + long(10000) + `"`), 400, "invalidValue", "displayName is longer than 512"},
		{"long title", "POST", "/Users", user(`"userName":"f","title":"` + long(70000) + `"`), 400, "invalidValue", "title is longer than 65536"},
		{"NUL in a group member", "POST", "/Groups", `{"displayName":"G","members":[{"value":"a\u0000"}]}`, 400, "invalidValue", "members.value"},
		{"NUL by PUT", "PUT", "/Users/" + uid, user(`"userName":"alice","nickName":"\u0000"`), 400, "invalidValue", "nickName"},
		{"long userName by PATCH", "PATCH", "/Users/" + uid, patchOp("replace", "userName", `"`+long(600)+`"`), 400, "invalidValue", "userName is longer"},
		{"NUL by PATCH without a path", "PATCH", "/Users/" + uid, patchOp("add", "", `{"title":"\u0000"}`), 400, "invalidValue", "title"},
		{"NUL member added by PATCH", "PATCH", "/Groups/" + gid, patchOp("add", "members", `[{"value":"\u0000"}]`), 400, "invalidValue", "members.value"},
		{"NUL member removed by PATCH", "PATCH", "/Groups/" + gid, patchOp("remove", `members[value eq \"a\u0000\"]`, `null`), 400, "invalidValue", "members.value"},
		{"NUL in a filter", "GET", "/Users?filter=" + url.QueryEscape("userName eq \"a\x00\""), "", 400, "invalidFilter", "a filter value contains the control character U+0000"},
		{"invalid UTF-8 in a filter", "GET", "/Users?filter=userName%20eq%20%22%FF%22", "", 400, "invalidFilter", "not valid UTF-8"},
		{"NUL in a value path filter", "POST", "/Users/.search", `{"filter":"emails[value eq \"\u0000\"]"}`, 400, "invalidFilter", "filter value"},
		{"NUL in a root search", "POST", "/.search", `{"filter":"externalId eq \"\u0000\""}`, 400, "invalidFilter", "filter value"},
		{"NUL in an id", "GET", "/Users/a%00b", "", 404, "", "User not found"},
		{"invalid UTF-8 in an id", "DELETE", "/Groups/%FF", "", 404, "", "Group not found"},
		{"long id", "PATCH", "/Users/" + long(600), patchOp("replace", "title", `"x"`), 404, "", "User not found"},
		{"at the limits", "POST", "/Users", user(`"userName":"` + strings.Repeat("é", 512) + `","displayName":"a\tb","title":"` + long(65536) + `"`), 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gets := len(f.spy.gets)
			w := f.do(tt.method, tt.path, tt.body, "Content-Type: application/scim+json")
			if tt.status == http.StatusCreated {
				if w.Code != tt.status {
					t.Fatalf("%s %s = %d %s, want %d", tt.method, tt.name, w.Code, w.Body, tt.status)
				}
				return
			}
			m := wantError(t, w, tt.status, tt.scimType)
			if d, _ := m["detail"].(string); !strings.Contains(d, tt.detail) {
				t.Errorf("%s %s: detail = %q, want it to contain %q", tt.method, tt.name, d, tt.detail)
			}
			if tt.status == http.StatusNotFound && len(f.spy.gets) != gets {
				t.Errorf("%s %s reached the backend", tt.method, tt.name)
			}
		})
	}
	w := f.do("GET", "/Users/"+uid, "")
	if u := decode(t, w); u["userName"] != "alice" || u["title"] != nil || u["nickName"] != nil {
		t.Errorf("GET /Users/%s = %s, want alice unchanged", uid, w.Body)
	}
}

// TestBulkInputLimits: a Bulk operation breaking a limit fails alone
// with the same error as the request on its own.
func TestBulkInputLimits(t *testing.T) {
	f := newFixture(t)
	w := f.do("POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
	  {"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"a\u0000"}},
	  {"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"b"}},
	  {"method":"DELETE","path":"/Users/b%00"}]}`)
	if w.Code != http.StatusOK {
		t.Fatalf("POST /Bulk = %d %s, want 200", w.Code, w.Body)
	}
	ops := bulkOps(t, decode(t, w))
	for i, want := range []string{"400", "201", "404"} {
		if got := ops[i]["status"]; got != want {
			t.Errorf("Bulk operation %d status = %v, want %s (%v)", i, got, want, ops[i]["response"])
		}
	}
}
