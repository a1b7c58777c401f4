package app

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/provisio-dev/provisio/internal/directory"
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
	ctx := t.Context()
	u, err := a.dir.CreateUser(ctx, directory.User{UserPrincipalName: "alice@example.com", DisplayName: "Alice", MailNickname: "alice", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.dir.SetPassword(ctx, u.ObjectID, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.CreateApp(ctx, "Portal"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.dir.AssignUser(ctx, "Portal", u.ObjectID, "Admin"); err != nil {
		t.Fatal(err)
	}
	const cb = "https://portal.example.com/cb"
	c, secret, err := a.dir.SetSSOClient(ctx, "Portal", []string{cb}, false)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), cb) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := hc.Get(lb.URL + "/oidc/authorize?" + url.Values{"client_id": {c.ClientID}, "redirect_uri": {cb}, "response_type": {"code"},
		"scope": {"openid profile offline_access"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	field := func(name string) string {
		m := regexp.MustCompile(`name="` + name + `" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("login page has no %s field: %d %s", name, resp.StatusCode, body)
		}
		return string(m[1])
	}
	resp, err = hc.PostForm(resp.Request.URL.String(), url.Values{"id": {field("id")}, "csrf": {field("csrf")},
		"username": {"alice@example.com"}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("sign-in = %d %q, want a redirect with a code", resp.StatusCode, resp.Header.Get("Location"))
	}
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
		req.SetBasicAuth(c.ClientID, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		tk := tokens{status: resp.StatusCode}
		_ = json.NewDecoder(resp.Body).Decode(&tk)
		return tk
	}
	tk := token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cb},
		"code_verifier": {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}})
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
		if resp.StatusCode != http.StatusOK || claims.Sub != u.ObjectID || len(claims.Roles) != 1 || claims.Roles[0] != "Admin" {
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
