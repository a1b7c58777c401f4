package adminapitest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// spec is the admin API's description, read from its source file.
var spec, _ = os.ReadFile("../openapi.json")

func TestCheck(t *testing.T) {
	json := http.Header{"Content-Type": {"application/json"}}
	tenant := `{"id":"t1","name":"acme","tenant_url":"http://x/scim/t1/v2","created":"2026-01-02T03:04:05Z"}`
	tests := []struct {
		name, method, path string
		status             int
		body               string
		wantErr            bool
	}{
		{"tenant list as sent", "GET", "/api/v1/tenants", 200, `{"tenants":[` + tenant + `]}`, false},
		{"created tenant with its token", "POST", "/api/v1/tenants", 201, tenant[:len(tenant)-1] + `,"token":"pvt_x"}`, false},
		{"field the description does not name", "GET", "/api/v1/tenants/t1", 200, tenant[:len(tenant)-1] + `,"extra":1}`, true},
		{"field of the wrong type", "GET", "/api/v1/tenants/t1", 200, `{"id":1,"name":"acme","tenant_url":"u","created":"2026-01-02T03:04:05Z"}`, true},
		{"required field missing", "GET", "/api/v1/tenants/t1", 200, `{"id":"t1"}`, true},
		{"status the description does not list", "GET", "/api/v1/tenants/t1", 418, `{"error":{"code":"not_found","message":"x"}}`, true},
		{"error code the description does not list", "GET", "/api/v1/tenants/t1", 404, `{"error":{"code":"no_such_code","message":"x"}}`, true},
		{"documented error", "GET", "/api/v1/tenants/t1", 404, `{"error":{"code":"not_found","message":"tenant not found"}}`, false},
		{"success on an undocumented path", "GET", "/api/v1/nowhere", 200, `{}`, true},
		{"error on an undocumented path", "GET", "/api/v1/nowhere", 404, `{"error":{"code":"not_found","message":"no such endpoint"}}`, false},
	}
	v, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "http://example.test"+tt.path, nil)
			err := v.Check(req, tt.status, json, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Errorf("Check(%s %s, %d, %s) = %v, want error %v", tt.method, tt.path, tt.status, tt.body, err, tt.wantErr)
			}
		})
	}
}
