package portal_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/provisio-dev/provisio/internal/portal/portaltest"

	"github.com/provisio-dev/provisio/internal/portal"
)

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
	op     *portaltest.OP
	users  *fakeUsers
	app    *httptest.Server
	client *http.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{op: portaltest.NewOP(t), users: &fakeUsers{users: map[string]*portal.Profile{}}}
	mux := http.NewServeMux()
	f.app = httptest.NewServer(mux)
	t.Cleanup(f.app.Close)
	p, err := portal.New(portal.Config{
		Tenants: fakeTenants{"acme": {Issuer: f.op.URL(), ClientID: portaltest.ClientID, ClientSecret: portaltest.ClientSecret}},
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
		{name: "unverified email is not matched", users: []portal.Profile{ann},
			claims: map[string]any{"sub": "s1", "preferred_username": "ann.lee", "email": "ann@example.com", "email_verified": false},
			want:   http.StatusForbidden, contains: "no account"},
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
			f.op.SignInAs(tt.claims)
			f.op.ForgeNonce(tt.nonce)
			got, body := f.get(t, f.client, "/app/acme/")
			if got != tt.want || !strings.Contains(body, tt.contains) {
				t.Errorf("GET /app/acme/ = %d %q, want %d containing %q", got, body, tt.want, tt.contains)
			}
			if tt.want == http.StatusOK {
				// The session holds: the next request needs no provider.
				f.op.Close()
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
			f.op.SignInAs(map[string]any{"sub": "s1", "preferred_username": "ann@example.com"})
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
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, f.op.URL()+"/authorize?") {
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
			f.op.SignInAs(map[string]any{"sub": "s1", "preferred_username": "ann@example.com"})
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

// TestCookieSecureFollowsPublicURL: cookies are Secure when the public URL
// is https (TLS ends at a proxy in front), and a client's own
// X-Forwarded-Proto changes nothing.
func TestCookieSecureFollowsPublicURL(t *testing.T) {
	op := portaltest.NewOP(t)
	for _, tt := range []struct {
		base string
		want bool
	}{{"https://app.example.com", true}, {"http://127.0.0.1:8080", false}} {
		p, err := portal.New(portal.Config{
			Tenants: fakeTenants{"acme": {Issuer: op.URL(), ClientID: portaltest.ClientID, ClientSecret: portaltest.ClientSecret}},
			Users:   &fakeUsers{users: map[string]*portal.Profile{}},
			Key:     make([]byte, 32),
			BaseURL: tt.base,
			Logger:  slog.New(slog.DiscardHandler),
		})
		if err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		p.Register(mux)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "http://app.example.com/app/acme/", nil)
		req.Header.Set("X-Forwarded-Proto", "https")
		mux.ServeHTTP(rec, req)
		cs := rec.Result().Cookies()
		if len(cs) != 1 {
			t.Fatalf("base %s: cookies = %d, want 1 login cookie (status %d)", tt.base, len(cs), rec.Code)
		}
		if cs[0].Secure != tt.want {
			t.Errorf("base %s, X-Forwarded-Proto: https from the client: Secure = %v, want %v", tt.base, cs[0].Secure, tt.want)
		}
	}
}
