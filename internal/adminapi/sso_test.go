package adminapi

import (
	"strings"
	"testing"
)

func TestPutTenantSSO(t *testing.T) {
	f := newFixture(t, 0)
	id, _ := f.createTenant(t, "acme")
	tests := []struct {
		name     string
		tenant   string
		body     string
		want     int
		wantCode string
	}{
		{"valid", id, `{"issuer":"https://login.example.com/t/v2.0","client_id":"c1","client_secret":"s3cret"}`, 200, ""},
		{"plain http issuer", id, `{"issuer":"http://idp.example.com","client_id":"c1","client_secret":"s"}`, 400, "bad_request"},
		{"no secret", id, `{"issuer":"https://idp.example.com","client_id":"c1","client_secret":""}`, 400, "bad_request"},
		{"unknown field", id, `{"issuer":"https://idp.example.com","client_id":"c1","client_secret":"s","x":1}`, 400, "bad_request"},
		{"unknown tenant", "nope", `{"issuer":"https://idp.example.com","client_id":"c1","client_secret":"s"}`, 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "PUT", "/api/v1/tenants/"+tc.tenant+"/sso", tc.body)
			if r.status != tc.want || (tc.wantCode != "" && r.errCode() != tc.wantCode) {
				t.Errorf("PUT sso %s = %d %s, want %d %s", tc.body, r.status, r.raw, tc.want, tc.wantCode)
			}
			if strings.Contains(r.raw, "s3cret") {
				t.Errorf("PUT sso answer %s shows the secret", r.raw)
			}
		})
	}
	for _, path := range []string{"/api/v1/tenants/" + id, "/api/v1/tenants"} {
		r := f.do(t, "GET", path, "")
		if r.status != 200 || !strings.Contains(r.raw, `"client_id":"c1"`) || strings.Contains(r.raw, "s3cret") {
			t.Errorf("GET %s = %d %s, want the sso settings without the secret", path, r.status, r.raw)
		}
	}
}
