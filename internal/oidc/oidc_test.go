package oidc_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/provisio-dev/provisio/internal/app"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/oidc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
)

const (
	redirectURI = "https://app.example.com/callback"
	secret      = "s3cret-s3cret-s3cret"
	verifier    = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_Wlw3Ac1nd0kW7xEcP"
)

type fakeClients map[string]oidc.Client

func (f fakeClients) Client(_ context.Context, id string) (oidc.Client, error) {
	c, ok := f[id]
	if !ok {
		return oidc.Client{}, fmt.Errorf("client %q: %w", id, oidc.ErrNotFound)
	}
	return c, nil
}

type fakeDir struct {
	mu       *sync.Mutex
	users    map[string]oidc.User
	assigned map[string]bool     // appID/userID
	roles    map[string][]string // appID/userID
}

func (f fakeDir) AppRoles(_ context.Context, appID, userID string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.roles[appID+"/"+userID], nil
}

func (f fakeDir) User(_ context.Context, id string) (oidc.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return oidc.User{}, oidc.ErrNotFound
	}
	return u, nil
}

func (f fakeDir) Assigned(_ context.Context, appID, userID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.assigned[appID+"/"+userID], nil
}

type fakeAuth map[string]string // upn -> password; user id = "id-"+upn

func (f fakeAuth) Authenticate(_ context.Context, upn, pw string) (string, error) {
	if want, ok := f[upn]; !ok || want != pw {
		return "", oidc.ErrBadCredentials
	}
	return "id-" + upn, nil
}

type env struct {
	srv    *httptest.Server
	issuer string
	dir    fakeDir
	keys   *oidc.KeySet

	clockMu sync.Mutex
	offset  time.Duration // added to time.Now by the provider's clock
}

func (e *env) now() time.Time {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	return time.Now().Add(e.offset)
}

func (e *env) advance(d time.Duration) {
	e.clockMu.Lock()
	defer e.clockMu.Unlock()
	e.offset += d
}

// newEnv serves the provider over a real SQLite store; with nodes > 1,
// as that many providers sharing the store and the keys, behind a round
// robin "load balancer" without sticky sessions.
func newEnv(t *testing.T, nodes ...int) *env {
	t.Helper()
	keys, err := oidc.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	return newEnvKeys(t, keys, nodes...)
}

func newEnvKeys(t *testing.T, keys *oidc.KeySet, nodes ...int) *env {
	t.Helper()
	n := 1
	if len(nodes) > 0 {
		n = nodes[0]
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "provisio.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	issuer := srv.URL + "/oidc"
	e := &env{srv: srv, issuer: issuer, keys: keys, dir: fakeDir{
		mu: &sync.Mutex{},
		users: map[string]oidc.User{
			"id-alice@example.com": {ID: "id-alice@example.com", UserPrincipalName: "alice@example.com", Email: "alice@mail.example.com",
				DisplayName: "Alice Smith", GivenName: "Alice", Surname: "Smith", Enabled: true},
		},
		assigned: map[string]bool{"app1/id-alice@example.com": true},
		roles:    map[string][]string{"app1/id-alice@example.com": {"Admin", "Reader"}},
	}}
	var handlers []http.Handler
	for range n {
		h, err := newProvider(issuer, e, keys, st)
		if err != nil {
			t.Fatal(err)
		}
		handlers = append(handlers, http.StripPrefix("/oidc", h))
	}
	var next atomic.Uint64
	mux.Handle("/oidc/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[int(next.Add(1)-1)%len(handlers)].ServeHTTP(w, r)
	}))
	return e
}

func newProvider(issuer string, e *env, keys *oidc.KeySet, st *sqlstore.Store) (http.Handler, error) {
	return oidc.New(oidc.Config{
		Issuer: issuer,
		Clients: fakeClients{
			"web":    {ID: "web", AppID: "app1", SecretHash: dirsvc.HashClientSecret(secret), RedirectURIs: []string{redirectURI}},
			"native": {ID: "native", AppID: "app1", Public: true, RedirectURIs: []string{redirectURI}},
			// app2 does not require assignment (assignment_test.go).
			"open": {ID: "open", AppID: "app2", SecretHash: dirsvc.HashClientSecret(secret), RedirectURIs: []string{redirectURI}, AssignmentOptional: true},
		},
		Directory: e.dir,
		Auth:      fakeAuth{"alice@example.com": "pw-alice", "bob@example.com": "pw-bob", "carol@example.com": "pw-carol"},
		Keys:      keys,
		Grants:    app.OIDCGrants{St: st.OIDCGrants()},
		CryptoKey: [32]byte{1, 2, 3},
		Now:       e.now,
	})
}

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// browser is an http client that keeps cookies and does not follow
// redirects to the relying party.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var idRE = regexp.MustCompile(`name="id" value="([^"]+)"`)

// authorize runs the browser part: authorize, login form, post; it returns
// the final response (a redirect to the RP, or the page shown).
func authorize(t *testing.T, e *env, c *http.Client, q url.Values, upn, pw string) *http.Response {
	t.Helper()
	resp, err := c.Get(e.issuer + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !csrfRE.Match(body) {
		return &http.Response{StatusCode: resp.StatusCode, Header: resp.Header, Request: resp.Request, Body: io.NopCloser(strings.NewReader(string(body)))}
	}
	form := url.Values{
		"id":       {idRE.FindStringSubmatch(string(body))[1]},
		"csrf":     {csrfRE.FindStringSubmatch(string(body))[1]},
		"username": {upn}, "password": {pw},
	}
	resp, err = c.PostForm(resp.Request.URL.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func authQuery(clientID, redirect, chal, method string) url.Values {
	q := url.Values{
		"client_id": {clientID}, "redirect_uri": {redirect}, "response_type": {"code"},
		"scope": {"openid profile email"}, "state": {"st"}, "nonce": {"n0"},
	}
	if chal != "" {
		q.Set("code_challenge", chal)
		q.Set("code_challenge_method", method)
	}
	return q
}

// code runs a good browser flow and returns the code.
func code(t *testing.T, e *env, clientID string) string {
	t.Helper()
	resp := authorize(t, e, browser(t), authQuery(clientID, redirectURI, challenge(verifier), "S256"), "alice@example.com", "pw-alice")
	defer resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), redirectURI) {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("authorize = %d %q %s, want 302 to %s", resp.StatusCode, resp.Header.Get("Location"), b, redirectURI)
	}
	if got := loc.Query().Get("state"); got != "st" {
		t.Fatalf("state = %q, want st", got)
	}
	return loc.Query().Get("code")
}

type tokenResp struct {
	status      int
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	Error       string `json:"error"`
}

func exchange(t *testing.T, e *env, form url.Values, user, pass string) tokenResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.issuer+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	tr := tokenResp{status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

func codeForm(c, v string) url.Values {
	f := url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {redirectURI}}
	if v != "" {
		f.Set("code_verifier", v)
	}
	return f
}

func TestDiscoveryAndJWKS(t *testing.T) {
	e := newEnv(t)
	p, err := gooidc.NewProvider(context.Background(), e.issuer)
	if err != nil {
		t.Fatalf("NewProvider(%s) = %v, want discovery", e.issuer, err)
	}
	var meta struct {
		JWKS       string   `json:"jwks_uri"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		Userinfo   string   `json:"userinfo_endpoint"`
		GrantTypes []string `json:"grant_types_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.JWKS != e.issuer+"/keys" || meta.Userinfo != e.issuer+"/userinfo" {
		t.Errorf("jwks_uri, userinfo = %s, %s, want under %s", meta.JWKS, meta.Userinfo, e.issuer)
	}
	if strings.Join(meta.PKCE, ",") != "S256" {
		t.Errorf("code_challenge_methods_supported = %v, want [S256]", meta.PKCE)
	}
	resp, err := http.Get(meta.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var jwks struct {
		Keys []struct{ Kid, Alg, Use, Kty string } `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&jwks); err != nil {
		t.Fatal(err)
	}
	if len(jwks.Keys) != 1 || jwks.Keys[0].Alg != "ES256" || jwks.Keys[0].Use != "sig" || jwks.Keys[0].Kty != "EC" {
		t.Errorf("JWKS = %+v, want one ES256 sig EC key", jwks.Keys)
	}
}

func TestCodeFlowPKCE(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := code(t, e, "web")
	tr := exchange(t, e, codeForm(c, verifier), "web", secret)
	if tr.status != http.StatusOK || tr.IDToken == "" || tr.AccessToken == "" {
		t.Fatalf("token = %+v, want 200 with tokens", tr)
	}
	p, err := gooidc.NewProvider(ctx, e.issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := p.Verifier(&gooidc.Config{ClientID: "web"}).Verify(ctx, tr.IDToken)
	if err != nil {
		t.Fatalf("Verify(id_token) = %v, want verified with the JWKS", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"sub": "id-alice@example.com", "preferred_username": "alice@example.com", "email": "alice@mail.example.com",
		"name": "Alice Smith", "given_name": "Alice", "family_name": "Smith", "nonce": "n0"}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("id_token %s = %v, want %v", k, claims[k], v)
		}
	}
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tr.AccessToken}))
	if err != nil || ui.Subject != "id-alice@example.com" || ui.Email != "alice@mail.example.com" {
		t.Errorf("UserInfo = %+v, %v, want alice", ui, err)
	}

	// Reused code refused (RFC 6749 §4.1.2).
	if tr := exchange(t, e, codeForm(c, verifier), "web", secret); tr.status != http.StatusBadRequest || tr.Error != "invalid_grant" {
		t.Errorf("token(reused code) = %+v, want 400 invalid_grant", tr)
	}

	// Public client: PKCE, no secret.
	c = code(t, e, "native")
	f := codeForm(c, verifier)
	f.Set("client_id", "native")
	if tr := exchange(t, e, f, "", ""); tr.status != http.StatusOK || tr.IDToken == "" {
		t.Errorf("token(public client) = %+v, want 200", tr)
	}
}

func TestAuthorizeRefused(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name     string
		q        url.Values
		upn, pw  string
		wantCode int    // status of the last response
		wantErr  string // error= in a redirect to the RP, or "" for a page
	}{
		{"wrong redirect URI", authQuery("web", "https://evil.example.com/callback", challenge(verifier), "S256"), "", "", http.StatusBadRequest, ""},
		{"unknown client", authQuery("nope", redirectURI, challenge(verifier), "S256"), "", "", http.StatusBadRequest, ""},
		{"public client without PKCE", authQuery("native", redirectURI, "", ""), "", "", http.StatusFound, "invalid_request"},
		{"plain PKCE", authQuery("native", redirectURI, verifier, "plain"), "", "", http.StatusFound, "invalid_request"},
		{"wrong password", authQuery("web", redirectURI, challenge(verifier), "S256"), "alice@example.com", "nope", http.StatusUnauthorized, ""},
		{"not assigned", authQuery("web", redirectURI, challenge(verifier), "S256"), "bob@example.com", "pw-bob", http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := authorize(t, e, browser(t), tt.q, tt.upn, tt.pw)
			defer resp.Body.Close()
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != tt.wantCode || loc.Query().Get("error") != tt.wantErr || loc.Query().Get("code") != "" {
				t.Errorf("authorize = %d %q, want %d error=%q and no code", resp.StatusCode, resp.Header.Get("Location"), tt.wantCode, tt.wantErr)
			}
		})
	}
}

func TestLoginCSRF(t *testing.T) {
	e := newEnv(t)
	c := browser(t)
	resp, err := c.Get(e.issuer + "/authorize?" + authQuery("web", redirectURI, challenge(verifier), "S256").Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	form := url.Values{"id": {idRE.FindStringSubmatch(string(body))[1]}, "csrf": {"forged"}, "username": {"alice@example.com"}, "password": {"pw-alice"}}
	resp, err = c.PostForm(resp.Request.URL.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST login(forged csrf) = %d, want 403", resp.StatusCode)
	}
}

func TestTokenRefused(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name       string
		verifier   string
		user, pass string
		wantStatus int
		wantErr    string
	}{
		{"PKCE verifier missing", "", "web", secret, http.StatusBadRequest, "invalid_request"},
		{"PKCE verifier wrong", "wrong-verifier-wrong-verifier-wrong-verifier-123", "web", secret, http.StatusBadRequest, "invalid_grant"},
		{"wrong client secret", verifier, "web", "wrong", http.StatusUnauthorized, "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := code(t, e, "web")
			if tr := exchange(t, e, codeForm(c, tt.verifier), tt.user, tt.pass); tr.status != tt.wantStatus || tr.Error != tt.wantErr || tr.IDToken != "" {
				t.Errorf("token = %+v, want %d %s", tr, tt.wantStatus, tt.wantErr)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	ks, err := oidc.NewKeySet()
	if err != nil {
		t.Fatal(err)
	}
	old := ks.Keys()[0]
	k, err := ks.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if got := ks.Keys(); len(got) != 2 || got[1].ID != k.ID {
		t.Fatalf("Keys() after Rotate = %d keys, want old and new (newest last)", len(got))
	}
	ks.Retire(old.ID)
	if got := ks.Keys(); len(got) != 1 || got[0].ID != k.ID {
		t.Errorf("Keys() after Retire(old) = %v, want only the new key", got)
	}
}

// TestStoredKeySetRereads: a stored key set re-reads its keys once they
// are older than the ttl, and keeps the last good ones when a read fails.
func TestStoredKeySetRereads(t *testing.T) {
	k1, _ := oidc.GenerateKey()
	k2, _ := oidc.GenerateKey()
	var mu sync.Mutex
	keys, fail := []oidc.SigningKey{k1}, false
	ks, err := oidc.NewStoredKeySet(context.Background(), func(context.Context) ([]oidc.SigningKey, error) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return nil, fmt.Errorf("store down")
		}
		return slices.Clone(keys), nil
	}, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	keys = append(keys, k2)
	mu.Unlock()
	e := newEnvKeys(t, ks) // a provider whose JWKS is served from ks
	jwks := func() []string {
		resp, err := http.Get(e.issuer + "/keys")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set struct {
			Keys []struct{ Kid string } `json:"keys"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, k := range set.Keys {
			out = append(out, k.Kid)
		}
		return out
	}
	time.Sleep(30 * time.Millisecond)
	if got := jwks(); !slices.Equal(got, []string{k1.ID, k2.ID}) {
		t.Errorf("JWKS after the ttl = %v, want k1 and k2 (re-read without a restart)", got)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	ks.Reload(context.Background())
	if got := ks.Keys(); len(got) != 2 {
		t.Errorf("Keys() after a failed read = %d keys, want the last good 2", len(got))
	}
}
