package adminapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestInputLimits: ids in the path that nothing can have are 404, query
// values and attributes with control characters or over their limit are
// 400, whatever the route (PostgreSQL answered them with 500s).
func TestInputLimits(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	tid, _ := f.createTenant(t, "Acme")
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"alice@contoso.com"}`)
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"App"}`)
	long := strings.Repeat("x", 3000)
	tests := []struct {
		name, method, path, body string
		status                   int
		code, message            string
	}{
		{"NUL in a user ref", "GET", "/api/v1/users/a%00b", "", 404, "not_found", ""},
		{"invalid UTF-8 in a user ref", "DELETE", "/api/v1/users/%FF", "", 404, "not_found", ""},
		{"long user ref", "GET", "/api/v1/users/" + long, "", 404, "not_found", ""},
		{"NUL in a tenant id", "GET", "/api/v1/tenants/a%00b", "", 404, "not_found", ""},
		{"NUL in a token id", "DELETE", "/api/v1/tenants/" + tid + "/tokens/%00", "", 404, "not_found", ""},
		{"NUL in an app ref", "GET", "/api/v1/apps/%00/job", "", 404, "not_found", ""},
		{"NUL in after", "GET", "/api/v1/users?after=%00", "", 400, "bad_request", `query parameter \"after\" contains the control character U+0000`},
		{"NUL in a job log query", "GET", "/api/v1/apps/App/job/logs?object=%00", "", 400, "bad_request", "query parameter"},
		{"NUL in displayName", "POST", "/api/v1/users", `{"userPrincipalName":"b@contoso.com","displayName":"B\u0000"}`, 400, "bad_request", "displayName contains the control character U+0000"},
		{"long UPN", "POST", "/api/v1/users", `{"userPrincipalName":"` + long + `@contoso.com"}`, 400, "bad_request", "userPrincipalName is longer than 512 characters"},
		{"NUL by update", "PATCH", "/api/v1/users/alice@contoso.com", `{"surname":"\u0000"}`, 400, "bad_request", "surname contains"},
		{"NUL in a group name", "POST", "/api/v1/groups", `{"displayName":"G\u0000"}`, 400, "bad_request", "displayName contains"},
		{"long group name", "POST", "/api/v1/groups", `{"displayName":"` + long + `"}`, 400, "bad_request", "displayName is longer than 512"},
		{"NUL in an app name", "POST", "/api/v1/apps", `{"name":"A\u0000"}`, 400, "bad_request", "name contains"},
		{"NUL member", "PATCH", "/api/v1/groups/nosuch/members", `{"add":["\u0000"]}`, 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, tt.body)
			if r.status != tt.status || r.errCode() != tt.code || !strings.Contains(r.raw, tt.message) {
				t.Errorf("%s %s = %d %s, want %d %s containing %q", tt.method, tt.name, r.status, r.raw, tt.status, tt.code, tt.message)
			}
		})
	}
	if r := f.call(t, "GET", "/api/v1/users/a%00b", "", "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/users/a%%00b without a token = %d, want 401 first", r.status)
	}
}

// TestImportBadRows: a CSV row with a NUL is rejected with its line and
// the rest imports; a file of many bad rows reports the first 100 in full
// and counts them all, in the API's answer.
func TestImportBadRows(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	csv := "userPrincipalName,displayName\na@x.io,A\nb@x.io,B\x00\nc@x.io,C\n"
	r := f.call(t, "POST", "/api/v1/imports/users", f.admin, "text/csv", csv)
	errs, _ := r.body["errors"].([]any)
	if r.status != 200 || r.body["imported"] != float64(2) || r.body["failed"] != float64(1) || len(errs) != 1 ||
		!strings.Contains(fmt.Sprint(errs[0]), "line:3") || !strings.Contains(fmt.Sprint(errs[0]), "displayName contains the control character U+0000") {
		t.Fatalf("import with a NUL row = %d %s, want 2 imported and line 3 failed", r.status, r.raw)
	}
	var b strings.Builder
	b.WriteString("userPrincipalName\n")
	const bad = 5000
	for i := range bad {
		fmt.Fprintf(&b, "user%d\n", i)
	}
	r = f.call(t, "POST", "/api/v1/imports/users", f.admin, "text/csv", b.String())
	errs, _ = r.body["errors"].([]any)
	if r.status != 200 || r.body["rows"] != float64(bad) || r.body["failed"] != float64(bad) || len(errs) != 100 {
		t.Errorf("import of %d bad rows = %d rows %v failed %v with %d errors, want %d failed and the first 100 listed", bad, r.status, r.body["rows"], r.body["failed"], len(errs), bad)
	}
}
