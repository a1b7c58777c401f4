package adminapi

import (
	"strings"
	"testing"
	"time"
)

func TestSetPassword(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"pat@contoso.com"}`)
	const pw = "correct horse battery"
	tests := []struct {
		name, user, body string
		want             int
	}{
		{"set", "pat@contoso.com", `{"password":"` + pw + `"}`, 204},
		{"too short", "pat@contoso.com", `{"password":"short"}`, 400},
		{"unknown field", "pat@contoso.com", `{"password":"` + pw + `","x":1}`, 400},
		{"no body", "pat@contoso.com", ``, 400},
		{"unknown user", "nobody@contoso.com", `{"password":"` + pw + `"}`, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.must(t, tc.want, "PUT", "/api/v1/users/"+tc.user+"/password", tc.body)
			if strings.Contains(r.raw, pw) {
				t.Errorf("PUT password answered %s, which holds the password", r.raw)
			}
		})
	}
	if r := f.must(t, 200, "GET", "/api/v1/audit", ""); strings.Contains(r.raw, pw) || !strings.Contains(r.raw, "/api/v1/users/{user}/password") {
		t.Errorf("GET /api/v1/audit = %s, want the password change recorded without the password", r.raw)
	}
	if r := f.must(t, 200, "GET", "/api/v1/users/pat@contoso.com", ""); strings.Contains(strings.ToLower(r.raw), "password") {
		t.Errorf("GET user = %s, want no password in it", r.raw)
	}
}

func TestInviteLink(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"ivy@contoso.com"}`)
	start := time.Now()
	tests := []struct {
		name, body string
		want       int
		valid      time.Duration
	}{
		{"default", ``, 201, 72 * time.Hour},
		{"given", `{"valid":"1h"}`, 201, time.Hour},
		{"not a duration", `{"valid":"soon"}`, 400, 0},
		{"negative", `{"valid":"-1h"}`, 400, 0},
		{"too long", `{"valid":"1000h"}`, 400, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.must(t, tc.want, "POST", "/api/v1/users/ivy@contoso.com/invite", tc.body)
			if tc.want != 201 {
				return
			}
			url, _ := r.body["url"].(string)
			token, ok := strings.CutPrefix(url, f.srv.URL+"/oidc/invite/")
			if !ok || len(token) != 43 {
				t.Errorf("invite url = %q, want %s/oidc/invite/<43-char token>", url, f.srv.URL)
			}
			exp, err := time.Parse(time.RFC3339, r.body["expires"].(string))
			if err != nil || exp.Before(start.Add(tc.valid-time.Second)) || exp.After(time.Now().Add(tc.valid)) {
				t.Errorf("invite expires = %v (%v), want about now + %s", r.body["expires"], err, tc.valid)
			}
		})
	}
	f.must(t, 404, "POST", "/api/v1/users/nobody@contoso.com/invite", "")
}
