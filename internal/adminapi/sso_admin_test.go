package adminapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSSOClientShowDelete(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"Portal"}`)
	f.must(t, 404, "GET", "/api/v1/apps/Portal/sso", "")
	f.must(t, 404, "DELETE", "/api/v1/apps/Portal/sso", "")
	f.must(t, 400, "POST", "/api/v1/apps/Portal/sso", `{"redirect_uris":["https://a.example.com/cb"],"post_logout_redirect_uris":["http://a.example.com/bye"]}`)
	c := f.must(t, 200, "POST", "/api/v1/apps/Portal/sso", `{"redirect_uris":["https://a.example.com/cb"],"post_logout_redirect_uris":["https://a.example.com/bye"]}`)
	secret, _ := c.body["client_secret"].(string)
	r := f.must(t, 200, "GET", "/api/v1/apps/Portal/sso", "")
	if r.body["client_id"] != c.body["client_id"] || r.body["has_secret"] != true || r.body["public"] != false ||
		r.body["issuer"] != f.srv.URL+"/oidc" || !strings.Contains(r.raw, `"post_logout_redirect_uris":["https://a.example.com/bye"]`) {
		t.Errorf("GET sso = %s, want the client with has_secret and its post-logout URI", r.raw)
	}
	if secret == "" || strings.Contains(r.raw, secret) || strings.Contains(r.raw, "client_secret") {
		t.Errorf("GET sso = %s holds the secret", r.raw)
	}
	f.must(t, 204, "DELETE", "/api/v1/apps/Portal/sso", "")
	f.must(t, 404, "GET", "/api/v1/apps/Portal/sso", "")
	f.must(t, 404, "GET", "/api/v1/apps/nope/sso", "")
}

func TestSetAdmin(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"boss@x.io"}`)
	if r := f.must(t, 200, "GET", "/api/v1/users/boss@x.io", ""); r.body["admin"] != false {
		t.Errorf("GET user = %s, want admin false", r.raw)
	}
	for _, tt := range []struct{ body string }{{`{}`}, {`{"admin":"yes"}`}} {
		f.must(t, 400, "PUT", "/api/v1/users/boss@x.io/admin", tt.body)
	}
	f.must(t, 404, "PUT", "/api/v1/users/nobody@x.io/admin", `{"admin":true}`)
	if r := f.must(t, 200, "PUT", "/api/v1/users/boss@x.io/admin", `{"admin":true}`); r.body["admin"] != true || r.body["userPrincipalName"] != "boss@x.io" {
		t.Errorf("PUT admin = %s, want the user with admin true", r.raw)
	}
	if r := f.must(t, 200, "GET", "/api/v1/users/boss@x.io", ""); r.body["admin"] != true {
		t.Errorf("GET user after grant = %s, want admin true", r.raw)
	}
	f.must(t, 200, "PUT", "/api/v1/users/boss@x.io/admin", `{"admin":false}`)
	if r := f.must(t, 200, "GET", "/api/v1/users/boss@x.io", ""); r.body["admin"] != false {
		t.Errorf("GET user after revoke = %s, want admin false", r.raw)
	}
	// Both changes are in the audit log, by route.
	var got struct {
		Entries []struct{ Method, Route, Path, Object string } `json:"entries"`
	}
	if err := json.Unmarshal([]byte(f.must(t, 200, "GET", "/api/v1/audit", "").raw), &got); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range got.Entries {
		if e.Method == "PUT" && e.Path == "/api/v1/users/boss@x.io/admin" && e.Object == "user" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("audit entries of PUT .../admin = %d, want 2 (grant and revoke): %+v", n, got.Entries)
	}
}
