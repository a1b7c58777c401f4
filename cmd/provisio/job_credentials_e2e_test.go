package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestJobOAuthCLI: `job configure --oauth-*` makes the job fetch its
// bearer token from an OAuth 2.0 token endpoint (which hands out the
// SCIM tenant's own token, valid 1 s); `job get` says so, `job test` and a
// cycle work, and a wrong client secret is Test Connection's precise
// reason.
func TestJobOAuthCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "oauth-tenant")
	var fetches atomic.Int32
	te := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		if id != "provisio" || secret != "right-secret" || r.FormValue("scope") != "scim.write" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		fetches.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": ten.Token, "token_type": "Bearer", "expires_in": 1})
	}))
	defer te.Close()
	dir := t.TempDir()
	for name, secret := range map[string]string{"right": "right-secret\n", "wrong": "wrong-secret\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out map[string]any
	s.cliJSON(t, &out, "user", "create", "alice@contoso.com")
	s.cliJSON(t, &out, "app", "create", "Portal")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "alice@contoso.com")
	oauth := []string{"--oauth-token-url", te.URL + "/token", "--oauth-client-id", "provisio", "--oauth-scope", "scim.write"}
	if _, err := s.cliIn(t, nil, append([]string{"job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--oauth-client-secret-file", filepath.Join(dir, "right")}, oauth...)...); err != nil {
		t.Fatalf("job configure --oauth-* = %v", err)
	}
	got, err := s.cliIn(t, nil, "job", "get", "Portal")
	if want := "oauth client credentials (client id provisio, token url " + te.URL + "/token, scopes scim.write)"; err != nil || !strings.Contains(got, want) || strings.Contains(got, "right-secret") {
		t.Errorf("job get = %q, %v; want it to say %q and never the secret", got, err, want)
	}
	if got, err := s.cliIn(t, nil, "job", "test", "Portal"); err != nil || !strings.Contains(got, "succeeded") {
		t.Errorf("job test = %q, %v; want success", got, err)
	}
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Created != 1 || scimUser(t, ten, "alice@contoso.com") == nil {
		t.Errorf("job run = %+v, want alice created in the tenant", cyc)
	}
	if n := fetches.Load(); n < 2 {
		t.Errorf("token fetches = %d, want a new token at least for the test and the cycle (expires_in 1)", n)
	}

	if _, err := s.cliIn(t, map[string]string{JobTokenEnv: "a-token-from-the-environment"},
		append([]string{"job", "configure", "Portal", "--oauth-client-secret-file", filepath.Join(dir, "wrong")}, oauth...)...); err != nil {
		t.Fatalf("job configure (wrong secret) = %v", err)
	}
	_, err = s.cliIn(t, nil, "job", "test", "Portal")
	if want := "oauth token endpoint refused the client credentials: invalid_client"; err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "(credentials)") {
		t.Errorf("job test (wrong secret) = %v, want a credentials failure saying %q", err, want)
	}
	if _, err := s.cliIn(t, nil, "job", "configure", "Portal", "--oauth-client-id", "x"); err == nil || !strings.Contains(err.Error(), "--oauth-token-url") {
		t.Errorf("job configure --oauth-client-id alone = %v, want an error asking for --oauth-token-url", err)
	}
}
