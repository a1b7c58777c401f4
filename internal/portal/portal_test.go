package portal_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/provisio-dev/provisio/internal/portal"
)

// testOP is a tiny OpenID provider: discovery, JWKS, an authorization
// endpoint that signs in claims at once, and a token endpoint issuing an
// RS256 ID token after checking the PKCE verifier (RFC 7636 §4.6).
type testOP struct {
	srv    *httptest.Server
	key    *rsa.PrivateKey
	mu     sync.Mutex
	claims map[string]any // of the next sign-in
	codes  map[string]grant
	// nonce, when set, replaces the nonce of the request in the token.
	nonce string
}

type grant struct{ nonce, challenge, clientID string }

func newTestOP(t *testing.T) *testOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &testOP{key: key, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		iss := op.srv.URL
		writeJSON(w, map[string]any{
			"issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
			"jwks_uri": iss + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
			http.Error(w, "want state, nonce and PKCE S256", http.StatusBadRequest)
			return
		}
		code := rand.Text()
		op.mu.Lock()
		op.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), clientID: q.Get("client_id")}
		op.mu.Unlock()
		back, _ := url.Parse(q.Get("redirect_uri"))
		back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, _ := r.BasicAuth()
		if id == "" {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		op.mu.Lock()
		g, ok := op.codes[r.PostFormValue("code")]
		delete(op.codes, r.PostFormValue("code"))
		claims := map[string]any{}
		for k, v := range op.claims {
			claims[k] = v
		}
		nonce := op.nonce
		op.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if !ok || id != "client-1" || secret != "s3cret" || g.clientID != id ||
			base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid_grant"})
			return
		}
		if nonce == "" {
			nonce = g.nonce
		}
		now := time.Now()
		claims["iss"], claims["aud"], claims["nonce"] = op.srv.URL, id, nonce
		claims["iat"], claims["exp"] = now.Unix(), now.Add(time.Hour).Unix()
		writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600,
			"id_token": op.sign(t, claims)})
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *testOP) sign(t *testing.T, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: op.key},
		(&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Error(err)
		return ""
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Error(err)
		return ""
	}
	s, _ := jws.CompactSerialize()
	return s
}

func (op *testOP) signInAs(claims map[string]any) {
	op.mu.Lock()
	defer op.mu.Unlock()
	op.claims = claims
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// fakeTenants and fakeUsers stand in for the tenant manager and the SCIM
// backend.
type fakeTenants map[string]portal.Settings

func (f fakeTenants) SSOSettings(_ context.Context, tenant string) (portal.Settings, error) {
	s, ok := f[tenant]
	if !ok {
		return portal.Settings{}, portal.ErrNotConfigured
	}
	return s, nil
}

type fakeUsers struct {
	mu    sync.Mutex
	users map[string]*portal.Profile // tenant + "/" + id
}

func (f *fakeUsers) UserByName(_ context.Context, tenant, name string) (portal.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, u := range f.users {
		if strings.HasPrefix(k, tenant+"/") && strings.EqualFold(u.UserName, name) {
			return *u, nil
		}
	}
	return portal.Profile{}, portal.ErrNoUser
}

func (f *fakeUsers) UserByID(_ context.Context, tenant, id string) (portal.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[tenant+"/"+id]
	if !ok {
		return portal.Profile{}, portal.ErrNoUser
	}
	return *u, nil
}

func (f *fakeUsers) set(tenant string, u portal.Profile) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[tenant+"/"+u.ID] = &u
}

func (f *fakeUsers) remove(tenant, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.users, tenant+"/"+id)
}

type fixture struct {
	op     *testOP
	users  *fakeUsers
	app    *httptest.Server
	client *http.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{op: newTestOP(t), users: &fakeUsers{users: map[string]*portal.Profile{}}}
	mux := http.NewServeMux()
	f.app = httptest.NewServer(mux)
	t.Cleanup(f.app.Close)
	p, err := portal.New(portal.Config{
		Tenants: fakeTenants{"acme": {Issuer: f.op.srv.URL, ClientID: "client-1", ClientSecret: "s3cret"}},
		Users:   f.users,
		Key:     make([]byte, 32),
		BaseURL: f.app.URL,
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Register(mux)
	f.client = newClient(t)
	return f
}

func newClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar}
}

func (f *fixture) get(t *testing.T, c *http.Client, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(f.app.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestSignIn(t *testing.T) {
	ann := portal.Profile{ID: "u1", UserName: "ann@example.com", DisplayName: "Ann Lee",
		Emails: []string{"ann@example.com"}, Roles: []string{"Admin"}, Active: true}
	tests := []struct {
		name     string
		users    []portal.Profile
		claims   map[string]any
		nonce    string
		want     int
		contains string
	}{
		{name: "provisioned active user by preferred_username", users: []portal.Profile{ann},
			claims: map[string]any{"sub": "s1", "preferred_username": "ann@example.com"},
			want:   http.StatusOK, contains: `<dd id="userName">ann@example.com</dd>`},
		{name: "matched by email when preferred_username is unknown", users: []portal.Profile{ann},
			claims: map[string]any{"sub": "s1", "preferred_username": "ann.lee", "email": "ann@example.com"},
			want:   http.StatusOK, contains: `<dd id="roles">Admin</dd>`},
		{name: "inactive user is refused",
			users:  []portal.Profile{{ID: "u1", UserName: "ann@example.com", Active: false}},
			claims: map[string]any{"sub": "s1", "preferred_username": "ann@example.com"},
			want:   http.StatusForbidden, contains: "disabled"},
		{name: "never provisioned user is refused", users: []portal.Profile{ann},
			claims: map[string]any{"sub": "s2", "preferred_username": "bob@example.com", "email": "bob@example.com"},
			want:   http.StatusForbidden, contains: "no account"},
		{name: "nonce mismatch is refused", users: []portal.Profile{ann},
			claims: map[string]any{"sub": "s1", "preferred_username": "ann@example.com"},
			nonce:  "forged", want: http.StatusBadGateway, contains: "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, u := range tt.users {
				f.users.set("acme", u)
			}
			f.op.signInAs(tt.claims)
			f.op.nonce = tt.nonce
			got, body := f.get(t, f.client, "/app/acme/")
			if got != tt.want || !strings.Contains(body, tt.contains) {
				t.Errorf("GET /app/acme/ = %d %q, want %d containing %q", got, body, tt.want, tt.contains)
			}
			if tt.want == http.StatusOK {
				// The session holds: the next request needs no provider.
				f.op.srv.Close()
				if got, _ := f.get(t, f.client, "/app/acme/"); got != http.StatusOK {
					t.Errorf("GET /app/acme/ with session = %d, want 200", got)
				}
			}
		})
	}
}

func TestSessionEnds(t *testing.T) {
	tests := []struct {
		name   string
		change func(*fakeUsers)
	}{
		{name: "deactivated", change: func(u *fakeUsers) {
			u.set("acme", portal.Profile{ID: "u1", UserName: "ann@example.com", Active: false})
		}},
		{name: "deleted", change: func(u *fakeUsers) { u.remove("acme", "u1") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.users.set("acme", portal.Profile{ID: "u1", UserName: "ann@example.com", Active: true})
			f.op.signInAs(map[string]any{"sub": "s1", "preferred_username": "ann@example.com"})
			if got, body := f.get(t, f.client, "/app/acme/"); got != http.StatusOK {
				t.Fatalf("sign in = %d %q, want 200", got, body)
			}
			tt.change(f.users)
			if got, body := f.get(t, f.client, "/app/acme/"); got != http.StatusForbidden || !strings.Contains(body, "ended") {
				t.Errorf("GET after %s = %d %q, want 403 'ended'", tt.name, got, body)
			}
			// The cookie is gone: re-activating does not bring the
			// session back; the portal starts a new sign-in.
			f.users.set("acme", portal.Profile{ID: "u1", UserName: "ann@example.com", Active: true})
			noFollow := &http.Client{Jar: f.client.Jar,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noFollow.Get(f.app.URL + "/app/acme/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, f.op.srv.URL+"/authorize?") {
				t.Errorf("GET after session ended = %d Location %q, want 302 to the provider", resp.StatusCode, loc)
			}
		})
	}
}

func TestCallbackState(t *testing.T) {
	tests := []struct {
		name  string
		state func(real string) string
	}{
		{name: "wrong state", state: func(string) string { return "forged" }},
		{name: "missing state", state: func(string) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.users.set("acme", portal.Profile{ID: "u1", UserName: "ann@example.com", Active: true})
			f.op.signInAs(map[string]any{"sub": "s1", "preferred_username": "ann@example.com"})
			// Follow redirects only up to the provider's answer.
			c := newClient(t)
			c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if req.URL.Path == "/app/acme/callback" {
					return http.ErrUseLastResponse
				}
				return nil
			}
			resp, err := c.Get(f.app.URL + "/app/acme/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || loc.Query().Get("code") == "" {
				t.Fatalf("provider answer Location = %q, want a code", resp.Header.Get("Location"))
			}
			q := loc.Query()
			q.Set("state", tt.state(q.Get("state")))
			got, body := f.get(t, c, "/app/acme/callback?"+q.Encode())
			if got != http.StatusBadRequest {
				t.Errorf("callback with %s = %d %q, want 400", tt.name, got, body)
			}
		})
	}
}

func TestNotConfigured(t *testing.T) {
	f := newFixture(t)
	if got, _ := f.get(t, f.client, "/app/other/"); got != http.StatusNotFound {
		t.Errorf("GET /app/other/ = %d, want 404", got)
	}
}

func TestCookieFlags(t *testing.T) {
	f := newFixture(t)
	c := newClient(t)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(f.app.URL + "/app/acme/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cs := resp.Cookies()
	if len(cs) != 1 {
		t.Fatalf("cookies = %d, want 1 login cookie", len(cs))
	}
	ck := cs[0]
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/app/acme/" || ck.MaxAge <= 0 || ck.Secure {
		t.Errorf("login cookie = %+v, want HttpOnly, SameSite=Lax, Path /app/acme/, Max-Age > 0, not Secure on http", ck)
	}
}
