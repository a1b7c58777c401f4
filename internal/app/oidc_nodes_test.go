package app

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestOIDCTwoNodes: two servers sharing one database and secret key,
// behind a round-robin balancer without sticky sessions: each step of a
// sign-in lands on the other node, the code is redeemed and the refresh
// token rotated on the node that did not issue it, and the reuse of a
// rotated refresh token is caught across nodes.
func TestOIDCTwoNodes(t *testing.T) {
	var nodes [2]*App
	var next atomic.Uint64
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nodes[next.Add(1)%2].Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(lb.Close)
	cfg := testConfig(t)
	cfg.PublicURL = lb.URL
	for i := range nodes {
		a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("New(node %d) = %v", i, err)
		}
		t.Cleanup(func() { a.Close() })
		nodes[i] = a
	}
	a := nodes[0]
	c := setUpSSO(t, a, "Admin")
	code := signInForCode(t, lb.URL, c, "openid profile offline_access")
	type tokens struct {
		status       int
		IDToken      string `json:"id_token"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
	}
	token := func(form url.Values) tokens {
		req, _ := http.NewRequest(http.MethodPost, lb.URL+"/oidc/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.clientID, c.secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		tk := tokens{status: resp.StatusCode}
		_ = json.NewDecoder(resp.Body).Decode(&tk)
		return tk
	}
	tk := token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {portalCB},
		"code_verifier": {pkceVerifier}})
	if tk.status != http.StatusOK || tk.IDToken == "" || tk.RefreshToken == "" {
		t.Fatalf("token(code) = %+v, want 200 with id and refresh tokens", tk)
	}
	r1 := token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tk.RefreshToken}})
	if r1.status != http.StatusOK || r1.RefreshToken == "" {
		t.Fatalf("refresh = %+v, want 200", r1)
	}
	for i := range 2 { // an access token issued by one node is read by both
		req, _ := http.NewRequest(http.MethodGet, lb.URL+"/oidc/userinfo", nil)
		req.Header.Set("Authorization", "Bearer "+r1.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			Sub   string   `json:"sub"`
			Roles []string `json:"roles"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&claims)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || claims.Sub != c.userID || len(claims.Roles) != 1 || claims.Roles[0] != "Admin" {
			t.Errorf("userinfo #%d = %d %+v, want alice with roles [Admin]", i+1, resp.StatusCode, claims)
		}
	}
	if r := token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tk.RefreshToken}}); r.status != http.StatusBadRequest || r.Error != "invalid_grant" {
		t.Errorf("refresh(rotated token) = %+v, want 400 invalid_grant", r)
	}
	if r := token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r1.RefreshToken}}); r.status != http.StatusBadRequest || r.Error != "invalid_grant" {
		t.Errorf("refresh(newest token after reuse) = %+v, want 400 invalid_grant (family revoked)", r)
	}
}
