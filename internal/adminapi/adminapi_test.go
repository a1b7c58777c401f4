package adminapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/adminapi/adminapitest"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// fixture is the API over a real SQLite store, served by httptest.
type fixture struct {
	srv     *httptest.Server
	admin   string
	tenants *tenant.Manager
	dbPath  string // newServicesFixture only
}

func newFixture(t testing.TB, maxBody int64) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "provisio.db"), log)
	if err != nil {
		t.Fatalf("sqlstore.Open() error = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secretbox.New(make([]byte, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	mgr := tenant.NewManager(st, tenant.Options{Box: box})
	admin, _, err := mgr.IssueAdminToken(ctx, "initial")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	New(Config{Tenants: mgr, Events: mgr, BaseURL: "https://scim.example.com/", MaxBody: maxBody, Logger: log}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	checkSpec(t, srv)
	return &fixture{srv: srv, admin: admin, tenants: mgr}
}

// checkSpec makes srv's client check every answer against openapi.json.
func checkSpec(t testing.TB, srv *httptest.Server) {
	t.Helper()
	v, err := adminapitest.New(openAPI)
	if err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	c.Transport = v.Transport(t, c.Transport)
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// errCode returns the error.code of a JSON error answer.
func (r response) errCode() string {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (f *fixture) call(t testing.TB, method, path, token, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.body); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, b)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type = %q, want application/json", method, path, ct)
		}
	}
	return r
}

func (f *fixture) do(t testing.TB, method, path, body string) response {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return f.call(t, method, path, f.admin, ct, body)
}

func (f *fixture) createTenant(t testing.TB, name string) (id, token string) {
	t.Helper()
	r := f.do(t, "POST", "/api/v1/tenants", `{"name":`+jsonString(name)+`}`)
	if r.status != http.StatusCreated {
		t.Fatalf("POST /api/v1/tenants = %d %s, want 201", r.status, r.raw)
	}
	return r.body["id"].(string), r.body["token"].(string)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestAdminTokenRequired(t *testing.T) {
	f := newFixture(t, 0)
	other, _ := tenant.NewToken(tenant.AdminTokenPrefix)
	for _, tok := range []string{"", "nonsense", other} {
		r := f.call(t, "GET", "/api/v1/tenants", tok, "", "")
		if r.status != http.StatusUnauthorized || r.errCode() != "unauthorized" {
			t.Errorf("GET /api/v1/tenants with token %q = %d %s, want 401 unauthorized", tok, r.status, r.raw)
		}
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("401 WWW-Authenticate = %q, want Bearer", r.header.Get("WWW-Authenticate"))
		}
	}
	_, tenantTok := f.createTenant(t, "acme")
	if r := f.call(t, "GET", "/api/v1/tenants", tenantTok, "", ""); r.status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/tenants with a tenant token = %d, want 401", r.status)
	}
}

func TestTenantLifecycle(t *testing.T) {
	f := newFixture(t, 0)
	r := f.do(t, "POST", "/api/v1/tenants", `{"name":"Contoso","policy":"entra"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create = %d %s, want 201", r.status, r.raw)
	}
	id := r.body["id"].(string)
	if got, want := r.body["tenant_url"], "https://scim.example.com/scim/"+id+"/v2"; got != want {
		t.Errorf("tenant_url = %v, want %v", got, want)
	}
	if tok, _ := r.body["token"].(string); !tenant.WellFormed(tok, tenant.TenantTokenPrefix) {
		t.Errorf("token = %q, want a pvt_ token", tok)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/tenants/"+id {
		t.Errorf("Location = %q, want /api/v1/tenants/%s", loc, id)
	}

	if r := f.do(t, "GET", "/api/v1/tenants/"+id, ""); r.status != 200 || r.body["name"] != "Contoso" || r.body["token"] != nil {
		t.Errorf("GET tenant = %d %s, want 200 with the name and no token", r.status, r.raw)
	}
	if r := f.do(t, "GET", "/api/v1/tenants", ""); r.status != 200 || len(r.body["tenants"].([]any)) != 1 {
		t.Errorf("GET tenants = %d %s, want one tenant", r.status, r.raw)
	}
	if r := f.do(t, "GET", "/api/v1/tenants/"+id+"/policy", ""); r.status != 200 || r.body["patchResponse"] != "204" {
		t.Errorf("GET policy = %d %s, want the entra preset (patchResponse 204)", r.status, r.raw)
	}
	if r := f.do(t, "PUT", "/api/v1/tenants/"+id+"/policy", `{"patchResponse":"200","lenientFilters":false}`); r.status != 200 ||
		r.body["patchResponse"] != "200" || r.body["lenientFilters"] != false || r.body["valuePathUpsert"] != true {
		t.Errorf("PUT policy = %d %s, want the merged policy", r.status, r.raw)
	}
	if r := f.do(t, "GET", "/api/v1/tenants/"+id+"/policy", ""); r.body["patchResponse"] != "200" {
		t.Errorf("GET policy after PUT = %s, want patchResponse 200", r.raw)
	}
	if r := f.do(t, "DELETE", "/api/v1/tenants/"+id, ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE tenant = %d %s, want 204", r.status, r.raw)
	}
	for _, path := range []string{"/api/v1/tenants/" + id, "/api/v1/tenants/" + id + "/policy", "/api/v1/tenants/" + id + "/tokens", "/api/v1/tenants/" + id + "/events"} {
		if r := f.do(t, "GET", path, ""); r.status != http.StatusNotFound || r.errCode() != "not_found" {
			t.Errorf("GET %s after delete = %d %s, want 404 not_found", path, r.status, r.raw)
		}
	}
	if r := f.do(t, "DELETE", "/api/v1/tenants/"+id, ""); r.status != http.StatusNotFound {
		t.Errorf("DELETE tenant twice = %d, want 404", r.status)
	}
}

func TestTokenLifecycle(t *testing.T) {
	f := newFixture(t, 0)
	id, first := f.createTenant(t, "acme")
	r := f.do(t, "POST", "/api/v1/tenants/"+id+"/tokens", `{"name":"okta-2026"}`)
	if r.status != http.StatusCreated || r.body["name"] != "okta-2026" {
		t.Fatalf("POST tokens = %d %s, want 201 named okta-2026", r.status, r.raw)
	}
	second, newID := r.body["token"].(string), r.body["id"].(string)
	if second == first || !tenant.WellFormed(second, tenant.TenantTokenPrefix) {
		t.Errorf("new token = %q, want a fresh pvt_ token", second)
	}
	if r := f.call(t, "POST", "/api/v1/tenants/"+id+"/tokens", f.admin, "", ""); r.status != http.StatusCreated {
		t.Errorf("POST tokens without a body = %d %s, want 201", r.status, r.raw)
	}
	r = f.do(t, "GET", "/api/v1/tenants/"+id+"/tokens", "")
	toks, _ := r.body["tokens"].([]any)
	if r.status != 200 || len(toks) != 3 {
		t.Fatalf("GET tokens = %d %s, want 3 tokens", r.status, r.raw)
	}
	if strings.Contains(r.raw, first) || strings.Contains(r.raw, second) || strings.Contains(r.raw, `"token"`) {
		t.Errorf("GET tokens shows secrets: %s", r.raw)
	}
	if r := f.do(t, "DELETE", "/api/v1/tenants/"+id+"/tokens/"+newID, ""); r.status != http.StatusNoContent {
		t.Errorf("DELETE token = %d %s, want 204", r.status, r.raw)
	}
	r = f.do(t, "GET", "/api/v1/tenants/"+id+"/tokens", "")
	for _, tok := range r.body["tokens"].([]any) {
		m := tok.(map[string]any)
		if revoked := m["revoked"] != nil; revoked != (m["id"] == newID) {
			t.Errorf("token %v revoked = %v, want only %s revoked", m["id"], revoked, newID)
		}
	}
	if r := f.do(t, "DELETE", "/api/v1/tenants/"+id+"/tokens/nosuch", ""); r.status != http.StatusNotFound {
		t.Errorf("DELETE unknown token = %d, want 404", r.status)
	}
	otherID, _ := f.createTenant(t, "other")
	if r := f.do(t, "DELETE", "/api/v1/tenants/"+otherID+"/tokens/"+newID, ""); r.status != http.StatusNotFound {
		t.Errorf("DELETE a token through another tenant = %d, want 404", r.status)
	}
	if r := f.do(t, "POST", "/api/v1/tenants/nosuch/tokens", `{}`); r.status != http.StatusNotFound {
		t.Errorf("POST tokens of unknown tenant = %d %s, want 404", r.status, r.raw)
	}
}

func TestEventsEmptyAndPaging(t *testing.T) {
	f := newFixture(t, 0)
	id, _ := f.createTenant(t, "acme")
	r := f.do(t, "GET", "/api/v1/tenants/"+id+"/events?after=7&limit=10", "")
	if r.status != 200 || r.raw != `{"events":[],"next_after":7}`+"\n" {
		t.Errorf("GET events on a new tenant = %d %s, want an empty page with next_after 7", r.status, r.raw)
	}
}

func TestBadInput(t *testing.T) {
	f := newFixture(t, 256)
	id, _ := f.createTenant(t, "acme")
	tenants, policy, tokens := "/api/v1/tenants", "/api/v1/tenants/"+id+"/policy", "/api/v1/tenants/"+id+"/tokens"
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
	}{
		{"malformed JSON", "POST", tenants, "application/json", `{"name":`, 400, "bad_request"},
		{"syntax error", "POST", tenants, "application/json", `{"name" "x"}`, 400, "bad_request"},
		{"unknown field", "POST", tenants, "application/json", `{"name":"x","nmae":"y"}`, 400, "bad_request"},
		{"wrong type", "POST", tenants, "application/json", `{"name":5}`, 400, "bad_request"},
		{"array body", "POST", tenants, "application/json", `["x"]`, 400, "bad_request"},
		{"empty body", "POST", tenants, "application/json", ``, 400, "bad_request"},
		{"trailing data", "POST", tenants, "application/json", `{"name":"x"} {}`, 400, "bad_request"},
		{"empty name", "POST", tenants, "application/json", `{"name":""}`, 400, "bad_request"},
		{"control character in name", "POST", tenants, "application/json", `{"name":"a\u0000b"}`, 400, "bad_request"},
		{"duplicate name", "POST", tenants, "application/json", `{"name":"acme"}`, 409, "conflict"},
		{"unknown preset", "POST", tenants, "application/json", `{"name":"x","policy":"lenient"}`, 400, "bad_request"},
		{"policy of wrong type", "POST", tenants, "application/json", `{"name":"x","policy":5}`, 400, "bad_request"},
		{"too large", "POST", tenants, "application/json", `{"name":"` + strings.Repeat("x", 300) + `"}`, 413, "payload_too_large"},
		{"wrong content type", "POST", tenants, "text/plain", `{"name":"x"}`, 415, "unsupported_media_type"},
		{"policy unknown field", "PUT", policy, "application/json", `{"patchResponse":"200","strict":true}`, 400, "bad_request"},
		{"policy bad value", "PUT", policy, "application/json", `{"patchResponse":"201"}`, 400, "bad_request"},
		{"policy not an object", "PUT", policy, "application/json", `"entra"`, 400, "bad_request"},
		{"policy null", "PUT", policy, "application/json", `null`, 400, "bad_request"},
		{"token name of wrong type", "POST", tokens, "application/json", `{"name":true}`, 400, "bad_request"},
		{"events after not a number", "GET", "/api/v1/tenants/" + id + "/events?after=x", "", "", 400, "bad_request"},
		{"events negative after", "GET", "/api/v1/tenants/" + id + "/events?after=-1", "", "", 400, "bad_request"},
		{"events limit too large", "GET", "/api/v1/tenants/" + id + "/events?limit=1001", "", "", 400, "bad_request"},
		{"events limit zero", "GET", "/api/v1/tenants/" + id + "/events?limit=0", "", "", 400, "bad_request"},
		{"method not allowed", "PATCH", tenants, "application/json", `{}`, 405, "method_not_allowed"},
		{"unknown endpoint", "GET", "/api/v1/nothing", "", "", 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.call(t, tt.method, tt.path, f.admin, tt.contentType, tt.body)
			if r.status != tt.wantStatus || r.errCode() != tt.wantCode {
				t.Errorf("%s %s %q = %d %s, want %d %s", tt.method, tt.path, tt.body, r.status, r.raw, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestMethodNotAllowedListsAllowed(t *testing.T) {
	f := newFixture(t, 0)
	r := f.do(t, "PUT", "/api/v1/tenants", `{}`)
	if allow := r.header.Get("Allow"); allow != "POST, GET" {
		t.Errorf("PUT /api/v1/tenants Allow = %q, want \"POST, GET\"", allow)
	}
}

// TestOpenAPIDocumentsEveryRoute keeps openapi.json honest: it is valid
// JSON, served without a token, and lists every route the API serves.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	f := newFixture(t, 0)
	r := f.call(t, "GET", OpenAPIPath, "", "", "")
	if r.status != 200 || r.body["openapi"] == nil {
		t.Fatalf("GET %s = %d, want 200 with an OpenAPI document", OpenAPIPath, r.status)
	}
	paths, _ := r.body["paths"].(map[string]any)
	api := &API{}
	for _, rt := range api.table() {
		p := strings.TrimPrefix(rt.path, "/api/v1")
		ops, ok := paths[p].(map[string]any)
		if !ok {
			t.Errorf("openapi.json lacks path %s", p)
			continue
		}
		if _, ok := ops[strings.ToLower(rt.method)]; !ok {
			t.Errorf("openapi.json lacks %s %s", rt.method, p)
		}
	}
	documented := 0
	for _, ops := range paths {
		for m := range ops.(map[string]any) {
			if m != "parameters" {
				documented++
			}
		}
	}
	if want := len(api.table()) + 1; documented != want {
		t.Errorf("openapi.json documents %d operations, the API serves %d", documented, want)
	}
}

// FuzzBadInputNever5xx: no request body, on any endpoint that takes one,
// makes the API answer 5xx or anything but a JSON error or success.
func FuzzBadInputNever5xx(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x"}`, `{"name":"x","policy":"okta"}`, `{"name":"x","policy":{"patchResponse":"204"}}`,
		`{"name":"x","policy":{"patchResponse":7}}`, `{"patchResponse":"auto"}`, `{"name":null}`, `{}`, `[]`, `null`,
		`"x"`, `{"name":"\ud800"}`, `{"name":"x"}{"name":"y"}`, `{"name":"x",}`, "\xff\xfe", ``,
	} {
		f.Add(seed)
	}
	fx := newFixture(f, 4096)
	id, _ := fx.createTenant(f, "fuzz")
	paths := []struct{ method, path string }{
		{"POST", "/api/v1/tenants"},
		{"PUT", "/api/v1/tenants/" + id + "/policy"},
		{"POST", "/api/v1/tenants/" + id + "/tokens"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range paths {
			r := fx.call(t, p.method, p.path, fx.admin, "application/json", body)
			if r.status >= 500 || (r.status >= 400 && r.errCode() == "") {
				t.Errorf("%s %s %q = %d %s, want 2xx or a 4xx JSON error", p.method, p.path, body, r.status, r.raw)
			}
		}
	})
}

// prunedFeed answers every read as a store whose retention deleted events
// up to seq 42 does for a reader behind that.
type prunedFeed struct{}

func (prunedFeed) Events(context.Context, string, int64, int) ([]store.Event, error) {
	return nil, &store.EventsPrunedError{Through: 42}
}

// TestEventsPruned: a read of a change feed from before what the retention
// deleted is 410 events_pruned, naming where to continue.
func TestEventsPruned(t *testing.T) {
	f := newFixture(t, 0)
	id, _ := f.createTenant(t, "acme")
	mux := http.NewServeMux()
	api := New(Config{Tenants: f.tenants, Events: prunedFeed{}, BaseURL: "https://scim.example.com/", Logger: slog.New(slog.DiscardHandler)})
	api.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	checkSpec(t, srv)
	g := &fixture{srv: srv, admin: f.admin, tenants: f.tenants}
	r := g.do(t, "GET", "/api/v1/tenants/"+id+"/events?after=7", "")
	if r.status != http.StatusGone || r.errCode() != "events_pruned" || !strings.Contains(r.raw, "after=42") {
		t.Errorf("GET events behind the retention = %d %s, want 410 events_pruned naming after=42", r.status, r.raw)
	}
}
