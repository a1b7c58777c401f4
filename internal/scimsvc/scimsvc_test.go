package scimsvc

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim/server"
)

// echo stands in for the SCIM handler: it reports what the service bound.
func echo(w http.ResponseWriter, r *http.Request) {
	id, _ := store.TenantFrom(r.Context())
	_ = json.NewEncoder(w).Encode(map[string]string{"tenant": id, "path": r.URL.Path, "query": r.URL.RawQuery})
}

type fixture struct {
	srv     *httptest.Server
	tenants *tenant.Manager
	store   *sqlstore.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "provisio.db"), log)
	if err != nil {
		t.Fatalf("sqlstore.Open() error = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	mgr := tenant.NewManager(st, tenant.Options{})
	mux := http.NewServeMux()
	New(Config{Tenants: mgr, SCIM: http.HandlerFunc(echo), BaseURL: "http://x", Logger: log}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, tenants: mgr, store: st}
}

func (f *fixture) create(t *testing.T, name string) (store.Tenant, string) {
	t.Helper()
	tn, tok, err := f.tenants.Create(context.Background(), name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tn, tok
}

func (f *fixture) get(t *testing.T, path, authorization string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAuthentication(t *testing.T) {
	f := newFixture(t)
	a, tokA := f.create(t, "A")
	b, tokB := f.create(t, "B")
	revoked, info, err := f.tenants.IssueToken(context.Background(), a.ID, "old")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.tenants.RevokeToken(context.Background(), a.ID, info.ID); err != nil {
		t.Fatal(err)
	}
	unknown, _ := tenant.NewToken(tenant.TenantTokenPrefix)
	const wantUnauthorized = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"missing or invalid bearer token"}`
	const wantNotFound = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"tenant not found"}`
	tests := []struct {
		name       string
		path       string
		auth       string
		wantStatus int
		wantBody   string
	}{
		{"no token", "/scim/" + a.ID + "/v2/Users", "", 401, wantUnauthorized},
		{"not bearer", "/scim/" + a.ID + "/v2/Users", "Basic " + tokA, 401, wantUnauthorized},
		{"bearer without token", "/scim/" + a.ID + "/v2/Users", "Bearer ", 401, wantUnauthorized},
		{"malformed token", "/scim/" + a.ID + "/v2/Users", "Bearer secret", 401, wantUnauthorized},
		{"unknown token", "/scim/" + a.ID + "/v2/Users", "Bearer " + unknown, 401, wantUnauthorized},
		{"revoked token", "/scim/" + a.ID + "/v2/Users", "Bearer " + revoked, 401, wantUnauthorized},
		{"other tenant's token", "/scim/" + a.ID + "/v2/Users", "Bearer " + tokB, 401, wantUnauthorized},
		{"unknown tenant", "/scim/nosuchtenant/v2/Users", "Bearer " + tokA, 404, wantNotFound},
		{"unknown tenant without token", "/scim/nosuchtenant/v2/Users", "", 404, wantNotFound},
		{"own token", "/scim/" + a.ID + "/v2/Users/42?filter=x", "Bearer " + tokA, 200,
			`{"path":"/Users/42","query":"filter=x","tenant":"` + a.ID + `"}`},
		{"scheme in lower case", "/scim/" + b.ID + "/v2/Groups", "bearer " + tokB, 200,
			`{"path":"/Groups","query":"","tenant":"` + b.ID + `"}`},
		{"root without slash", "/scim/" + b.ID + "/v2", "Bearer " + tokB, 200,
			`{"path":"","query":"","tenant":"` + b.ID + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := f.get(t, tt.path, tt.auth)
			if resp.StatusCode != tt.wantStatus || strings.TrimSpace(body) != tt.wantBody {
				t.Errorf("GET %s = %d %s, want %d %s", tt.path, resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus >= 400 && resp.Header.Get("Content-Type") != "application/scim+json" {
				t.Errorf("GET %s Content-Type = %q, want application/scim+json", tt.path, resp.Header.Get("Content-Type"))
			}
			if got := resp.Header.Get("WWW-Authenticate"); (tt.wantStatus == 401) != strings.HasPrefix(got, "Bearer") {
				t.Errorf("GET %s WWW-Authenticate = %q, want Bearer exactly on 401", tt.path, got)
			}
		})
	}
}

func TestTenantURL(t *testing.T) {
	if got, want := TenantURL("https://h/", "t1"), "https://h/scim/t1/v2"; got != want {
		t.Errorf("TenantURL(https://h/, t1) = %q, want %q", got, want)
	}
}

func TestDecodePolicy(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    server.Policy
		wantErr bool
	}{
		{"empty is default", "", server.DefaultPolicy, false},
		{"preset round trip", mustJSON(server.PolicyRFC), server.PolicyRFC, false},
		{"omitted fields keep defaults", `{"patchResponse":"204"}`, server.PolicyEntra, false},
		{"invalid value", `{"patchResponse":"999"}`, server.DefaultPolicy, true},
		{"not JSON", `{`, server.DefaultPolicy, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePolicy([]byte(tt.raw))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("DecodePolicy(%s) = %+v, %v; want %+v, error %v", tt.raw, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPolicyCacheBounded: a changed policy takes effect at once, and many
// distinct policies (tenants created, re-configured and deleted over a
// long uptime) never grow the cache past its bound.
func TestPolicyCacheBounded(t *testing.T) {
	var c policyCache
	log := slog.New(slog.DiscardHandler)
	ten := store.Tenant{ID: "t1", Policy: []byte(`{"patchResponse":"204"}`)}
	if p := c.get(t.Context(), log, ten); p.PatchResponse != server.PatchNoContent {
		t.Fatalf("policy = %+v, want patchResponse 204", p)
	}
	ten.Policy = []byte(`{"patchResponse":"200"}`)
	if p := c.get(t.Context(), log, ten); p.PatchResponse != server.PatchResource {
		t.Fatalf("after a change, policy = %+v, want patchResponse 200", p)
	}
	for i := range 3 * maxCachedPolicies {
		ten := store.Tenant{ID: fmt.Sprint("t", i), Policy: []byte(fmt.Sprintf(`{"patchResponse":"204","lenientFilters":%v,"unknownAttributes":"ignore" %s}`, i%2 == 0, strings.Repeat(" ", i)))}
		c.get(t.Context(), log, ten)
		if n := len(c.m); n > maxCachedPolicies {
			t.Fatalf("cache holds %d policies, want at most %d", n, maxCachedPolicies)
		}
	}
}

// countingAuth counts the calls that reach the tenant store.
type countingAuth struct {
	Authenticator
	calls atomic.Int64
}

func (c *countingAuth) Authenticate(ctx context.Context, tenantID, token string) (store.Tenant, error) {
	c.calls.Add(1)
	return c.Authenticator.Authenticate(ctx, tenantID, token)
}

// TestMalformedTenantID: a tenant id no tenant can have is 404, with or
// without a token, and never reaches the store (PostgreSQL refused NUL
// with a 500 there before any token check).
func TestMalformedTenantID(t *testing.T) {
	f := newFixture(t)
	a, tok := f.create(t, "A")
	auth := &countingAuth{Authenticator: f.tenants}
	mux := http.NewServeMux()
	New(Config{Tenants: auth, SCIM: http.HandlerFunc(echo), BaseURL: "http://x"}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f.srv = srv
	const wantNotFound = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"tenant not found"}`
	for _, tt := range []struct{ name, id string }{
		{"NUL", "a%00b"},
		{"NUL in a well-sized id", "abcdefghijk%00"},
		{"invalid UTF-8", "%FF%FE"},
		{"too long", strings.Repeat("a", 3000)},
		{"too short", "abc"},
		{"upper case", strings.ToUpper(a.ID)},
		{"outside base32", "abcdefghij01"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, authz := range []string{"", "Bearer " + tok} {
				resp, body := f.get(t, "/scim/"+tt.id+"/v2/Users", authz)
				if resp.StatusCode != 404 || strings.TrimSpace(body) != wantNotFound {
					t.Errorf("GET /scim/%s/v2/Users (%q) = %d %s, want 404 %s", tt.id, authz, resp.StatusCode, body, wantNotFound)
				}
			}
			if n := auth.calls.Load(); n != 0 {
				t.Errorf("GET /scim/%s/v2/Users reached the tenant store %d times, want 0", tt.id, n)
			}
		})
	}
	if resp, _ := f.get(t, "/scim/"+a.ID+"/v2/Users", "Bearer "+tok); resp.StatusCode != 200 || auth.calls.Load() != 1 {
		t.Errorf("GET /scim/%s/v2/Users = %d after %d store calls, want 200 after 1", a.ID, resp.StatusCode, auth.calls.Load())
	}
}
