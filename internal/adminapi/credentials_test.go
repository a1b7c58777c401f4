package adminapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestJobOAuth: PUT job takes OAuth client credentials (the secret
// write-only), GET job shows them, Test Connection names the token
// endpoint's refusal, and bad settings are a 400; every answer as
// openapi.json says.
func TestJobOAuth(t *testing.T) {
	f, _, _ := jobFixture(t)
	te := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
	}))
	defer te.Close()
	r := f.must(t, 200, "PUT", "/api/v1/apps/Portal/job",
		`{"oauth":{"tokenUrl":"`+te.URL+`/token","clientId":"provisio","scopes":["scim"],"clientSecret":"s3cret-MARKER"}}`)
	auth, _ := r.body["auth"].(map[string]any)
	oauth, _ := auth["oauth"].(map[string]any)
	if auth["method"] != "oauth-client-credentials" || oauth["clientId"] != "provisio" || r.body["tokenSet"] != false || strings.Contains(r.raw, "s3cret-MARKER") {
		t.Errorf("PUT job (oauth) = %s, want oauth client credentials of provisio, no token, no secret", r.raw)
	}
	if g := f.must(t, 200, "GET", "/api/v1/apps/Portal/job", ""); fmt.Sprint(g.body["auth"]) != fmt.Sprint(auth) {
		t.Errorf("GET job auth = %v, want %v", g.body["auth"], auth)
	}
	res := f.must(t, 200, "POST", "/api/v1/apps/Portal/job/test", "")
	if msg, _ := res.body["message"].(string); res.body["ok"] != false || res.body["reason"] != "credentials" ||
		!strings.Contains(msg, "oauth token endpoint refused the client credentials: invalid_client") {
		t.Errorf("POST job/test = %s, want ok false for credentials naming invalid_client", res.raw)
	}
	f.must(t, 200, "GET", "/api/v1/apps/Portal/job/status", "")

	for _, tc := range []struct{ name, body, want string }{
		{"cleartext token url", `{"oauth":{"tokenUrl":"http://login.example.com/token","clientId":"c","clientSecret":"s"}}`, "in clear"},
		{"token and oauth", `{"token":"t","oauth":{"tokenUrl":"https://login.example.com/token","clientId":"c","clientSecret":"s"}}`, "not both"},
		{"unknown oauth field", `{"oauth":{"tokenUrl":"https://login.example.com/token","clientId":"c","secret":"s"}}`, "secret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.call(t, "PUT", "/api/v1/apps/Portal/job", f.admin, "application/json", tc.body)
			if r.status != 400 || !strings.Contains(r.raw, tc.want) {
				t.Errorf("PUT job %s = %d %s, want 400 saying %q", tc.body, r.status, r.raw, tc.want)
			}
		})
	}
}
