package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/testdb"
)

// TestInputValidationEndToEnd: NUL and other control characters, invalid
// UTF-8 and over-long values get the same 400 or 404 on SQLite and
// PostgreSQL, through the SCIM service, the admin API and a CSV import,
// and none of them is an internal error in the log. (PostgreSQL used to
// answer them with 500 and log an ERROR per request, one of them before
// any token check.)
func TestInputValidationEndToEnd(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t))
			a := s.createTenant(t, "Contoso")
			testSCIMInputLimits(t, s, a)
			testAdminInputLimits(t, s)
			testImportBadRows(t, s)
			for _, line := range strings.Split(s.stderr.String(), "\n") {
				if strings.Contains(line, "level=ERROR") {
					t.Errorf("server logged an error: %s", line)
				}
			}
		})
	}
}

func testSCIMInputLimits(t *testing.T, s *serveProc, a createdTenant) {
	r := scimDo(t, "POST", a.TenantURL+"/Users", a.Token, userJSON("alice@contoso.com"))
	uid, _ := r.body["id"].(string)
	r = scimDo(t, "POST", a.TenantURL+"/Groups", a.Token, `{"displayName":"Staff","members":[{"value":"`+uid+`"}]}`)
	gid, _ := r.body["id"].(string)
	user := func(attrs string) string {
		return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],` + attrs + `}`
	}
	patchOp := func(op, path, value string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"` + op + `","path":"` + path + `","value":` + value + `}]}`
	}
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, method, path, token, body string
		status                          int
		scimType                        string
	}{
		{"NUL in a tenant id without a token", "GET", s.base + "/scim/a%00b/v2/Users", "", "", 404, ""},
		{"NUL in a tenant id", "GET", s.base + "/scim/a%00b/v2/Users", a.Token, "", 404, ""},
		{"invalid UTF-8 in a tenant id", "GET", s.base + "/scim/%FF/v2/Users", "", "", 404, ""},
		{"NUL in userName", "POST", "/Users", a.Token, user(`"userName":"a\u0000b"`), 400, "invalidValue"},
		{"NUL in externalId", "POST", "/Users", a.Token, user(`"userName":"b","externalId":"\u0000"`), 400, "invalidValue"},
		{"NUL in a member value", "POST", "/Groups", a.Token, `{"displayName":"G","members":[{"value":"\u0000"}]}`, 400, "invalidValue"},
		{"NUL member added", "PATCH", "/Groups/" + gid, a.Token, patchOp("add", "members", `[{"value":"a\u0000"}]`), 400, "invalidValue"},
		{"NUL in an id", "GET", "/Users/a%00b", a.Token, "", 404, ""},
		{"NUL in an id to delete", "DELETE", "/Groups/%00", a.Token, "", 404, ""},
		{"NUL in a filter", "GET", "/Users?filter=" + url.QueryEscape("userName eq \"a\x00\""), a.Token, "", 400, "invalidFilter"},
		{"invalid UTF-8 in a filter", "GET", "/Users?filter=externalId%20eq%20%22%FF%22", a.Token, "", 400, "invalidFilter"},
		{"3,000-character userName", "POST", "/Users", a.Token, user(`"userName":"` + long(3000) + `"`), 400, "invalidValue"},
		{"10,000-character displayName", "POST", "/Users", a.Token, user(`"userName":"c","displayName":"` + long(10000) + `"`), 400, "invalidValue"},
		{"10,000-character group name", "PUT", "/Groups/" + gid, a.Token, `{"displayName":"` + long(10000) + `"}`, 400, "invalidValue"},
		{"long userName by PATCH", "PATCH", "/Users/" + uid, a.Token, patchOp("replace", "userName", `"`+long(3000)+`"`), 400, "invalidValue"},
		{"at the limits", "POST", "/Users", a.Token, user(`"userName":"` + strings.Repeat("😀", 512) + `","externalId":"` + strings.Repeat("😀", 512) + `","displayName":"` + strings.Repeat("😀", 512) + `"`), 201, ""},
		{"group at the limits", "POST", "/Groups", a.Token, `{"displayName":"` + strings.Repeat("😀", 512) + `"}`, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.path
			if strings.HasPrefix(u, "/") {
				u = a.TenantURL + u
			}
			r := scimDo(t, tt.method, u, tt.token, tt.body)
			if tt.status == 201 {
				if r.status != 201 {
					t.Errorf("%s %s = %d %.300s, want 201", tt.method, tt.name, r.status, r.raw)
				}
				return
			}
			if r.status != tt.status || r.body["status"] != fmt.Sprint(tt.status) || r.body["scimType"] != nilIfEmpty(tt.scimType) {
				t.Errorf("%s %s = %d %.300s, want %d %s", tt.method, tt.name, r.status, r.raw, tt.status, tt.scimType)
			}
		})
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func testAdminInputLimits(t *testing.T, s *serveProc) {
	tok, err := os.ReadFile(filepath.Join(s.dataDir, "admin.token"))
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 3000)
	tests := []struct {
		name, method, path, body string
		status                   int
	}{
		{"NUL in displayName", "POST", "/api/v1/users", `{"userPrincipalName":"b@contoso.com","displayName":"\u0000"}`, 400},
		{"3,000-character UPN", "POST", "/api/v1/users", `{"userPrincipalName":"` + long + `@contoso.com"}`, 400},
		{"NUL in a user ref", "GET", "/api/v1/users/a%00b", "", 404},
		{"NUL in a group name", "POST", "/api/v1/groups", `{"displayName":"\u0000"}`, 400},
		{"3,000-character group name", "POST", "/api/v1/groups", `{"displayName":"` + long + `"}`, 400},
		{"NUL in an app name", "POST", "/api/v1/apps", `{"name":"\u0000"}`, 400},
		{"NUL in an app ref", "GET", "/api/v1/apps/%00", "", 404},
		{"NUL in a tenant id of the admin API", "GET", "/api/v1/tenants/%00/events", "", 404},
		{"NUL in after", "GET", "/api/v1/groups?after=%00", "", 400},
		{"UPN at the limit", "POST", "/api/v1/users", `{"userPrincipalName":"` + strings.Repeat("😀", 500) + `@contoso.com"}`, 201},
		{"group name at the limit", "POST", "/api/v1/groups", `{"displayName":"` + strings.Repeat("😀", 512) + `"}`, 201},
		{"app name at the limit", "POST", "/api/v1/apps", `{"name":"` + strings.Repeat("😀", 512) + `"}`, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, s.base+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := adminHTTP(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.name, resp.StatusCode, tt.status)
			}
		})
	}
}

// testImportBadRows: one NUL cell rejects its row, with its line number
// in the CLI's report, and the rest of the file imports.
func testImportBadRows(t *testing.T, s *serveProc) {
	file := filepath.Join(t.TempDir(), "people.csv")
	csv := "userPrincipalName,displayName\nn1@contoso.com,One\nn2@contoso.com,T\x00wo\nn3@contoso.com,Three\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, nil, "user", "import", file, "--server", s.base, "--data-dir", s.dataDir)
	if err == nil || !strings.Contains(out, "3 rows, 2 users created, 0 updated, 1 rows failed") ||
		!strings.Contains(out, "displayName contains the control character U+0000") || !strings.Contains(out, "\n3 ") {
		t.Errorf("user import with a NUL cell = %q, %v; want 2 created and line 3 failed", out, err)
	}
	var u map[string]any
	s.cliJSON(t, &u, "user", "get", "n3@contoso.com")
	if u["displayName"] != "Three" {
		t.Errorf("user get n3@contoso.com = %v, want the row after the bad one imported", u)
	}
	var b strings.Builder
	b.WriteString("userPrincipalName\n")
	for i := range 150 {
		fmt.Fprintf(&b, "bad%d\n", i)
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = cli(t, nil, "user", "import", file, "--server", s.base, "--data-dir", s.dataDir)
	if err == nil || !strings.Contains(out, "150 rows, 0 users created, 0 updated, 150 rows failed") ||
		strings.Count(out, "want local@domain") != 100 || !strings.Contains(out, "50 more rows failed (the server reports the first 100 in full)") {
		t.Errorf("user import of 150 bad rows = %q, %v; want 150 failed, 100 listed and 50 more counted", out, err)
	}
}
