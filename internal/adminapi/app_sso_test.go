package adminapi

import (
	"strings"
	"testing"
)

func TestSetSSOClient(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"Portal"}`)
	for _, tt := range []struct {
		name, app, body string
		want            int
	}{
		{"unknown app", "nope", `{"redirect_uris":["https://a.example.com/cb"]}`, 404},
		{"no redirect URI", "Portal", `{"redirect_uris":[]}`, 400},
		{"http redirect URI", "Portal", `{"redirect_uris":["http://a.example.com/cb"]}`, 400},
	} {
		if r := f.do(t, "POST", "/api/v1/apps/"+tt.app+"/sso", tt.body); r.status != tt.want {
			t.Errorf("%s: POST sso = %d %s, want %d", tt.name, r.status, r.raw, tt.want)
		}
	}
	r := f.must(t, 200, "POST", "/api/v1/apps/Portal/sso", `{"redirect_uris":["https://a.example.com/cb"]}`)
	secret, _ := r.body["client_secret"].(string)
	if !strings.HasPrefix(secret, "pvc_") || r.body["client_id"] == "" || r.body["issuer"] != f.srv.URL+"/oidc" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("POST sso = %s %v, want client_id, a pvc_ secret and issuer %s/oidc, no-store", r.raw, r.header, f.srv.URL)
	}
	r2 := f.must(t, 200, "POST", "/api/v1/apps/Portal/sso", `{"redirect_uris":["https://a.example.com/cb"],"public":true}`)
	if r2.body["client_secret"] != "" || r2.body["client_id"] == r.body["client_id"] {
		t.Errorf("POST sso (rotate, public) = %s, want a new client_id and no secret", r2.raw)
	}
}
