package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/provisio-dev/provisio/internal/adminapi"
	"github.com/provisio-dev/provisio/internal/adminapi/adminapitest"
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/config"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/internal/testdb"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
)

// serveProc is `provisio serve` running in-process on 127.0.0.1:0.
type serveProc struct {
	base    string
	dataDir string
	db      string
	stop    context.CancelFunc
	done    chan error
	stdout  *syncBuffer
	stderr  *syncBuffer
	once    sync.Once
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs the serve command as the CLI would, with flags only.
func startServe(t *testing.T, dataDir, db string, extra ...string) *serveProc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &serveProc{dataDir: dataDir, db: db, stop: cancel, done: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	ready := make(chan string, 1)
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "debug"}, extra...)
	if db != "" {
		args = append(args, "--db", db)
	}
	root := newRootCmd(&env{stdout: s.stdout, stderr: s.stderr, getenv: func(string) string { return "" }, readFile: os.ReadFile,
		ready: func(base string) { ready <- base }})
	root.SetArgs(args)
	go func() { s.done <- root.ExecuteContext(ctx) }()
	select {
	case s.base = <-ready:
	case err := <-s.done:
		cancel()
		t.Fatalf("serve exited before it was ready: %v\n%s", err, s.stderr)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatalf("serve not ready after 30s\n%s", s.stderr)
	}
	t.Cleanup(func() { s.shutdown(t) })
	return s
}

// shutdown cancels serve and waits for it to return.
func (s *serveProc) shutdown(t *testing.T) {
	t.Helper()
	s.once.Do(func() {
		s.stop()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30s")
		}
	})
}

// cli runs the root command in-process with the given environment.
func cli(t *testing.T, environ map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(&env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return environ[k] }, readFile: os.ReadFile,
		transport: adminTransport(t)})
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// cliJSON runs a CLI command that must succeed and decodes its --json output.
func (s *serveProc) cliJSON(t *testing.T, out any, args ...string) {
	t.Helper()
	args = append(args, "--json", "--server", s.base, "--data-dir", s.dataDir)
	stdout, err := cli(t, nil, args...)
	if err != nil {
		t.Fatalf("provisio %s: %v", strings.Join(args, " "), err)
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatalf("provisio %s printed %q, not JSON: %v", strings.Join(args, " "), stdout, err)
	}
}

// scimResponse is one answer of the SCIM service.
type scimResponse struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// specCheck validates admin API answers against the OpenAPI description.
var specCheck = sync.OnceValues(func() (*adminapitest.Validator, error) {
	return adminapitest.New(adminapi.OpenAPISpec())
})

// adminTransport checks every admin API answer it carries against the
// OpenAPI description, reporting drifts to t.
func adminTransport(t *testing.T) http.RoundTripper {
	v, err := specCheck()
	if err != nil {
		t.Fatal(err)
	}
	return v.Transport(t, nil)
}

// adminHTTP is an HTTP client for the admin API whose answers are checked
// against the OpenAPI description.
func adminHTTP(t *testing.T) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: adminTransport(t)}
}

func scimDo(t *testing.T, method, u, token, body string) scimResponse {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	resp, err := adminHTTP(t).Do(req) // admin API answers are checked too
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := scimResponse{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &r.body)
	}
	if r.status >= 500 {
		t.Errorf("%s %s = %d %s: the service must never answer 5xx to client input", method, u, r.status, b)
	}
	return r
}

func userJSON(userName string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + userName +
		`","active":true,"name":{"givenName":"A","familyName":"B"},"emails":[{"type":"work","value":"` + userName + `","primary":true}]}`
}

// createdTenant is `tenant create --json` output.
type createdTenant struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	TenantURL string `json:"tenant_url"`
	Token     string `json:"token"`
}

func (s *serveProc) createTenant(t *testing.T, name string, extra ...string) createdTenant {
	t.Helper()
	args := append([]string{"tenant", "create", name}, extra...)
	var raw map[string]any
	s.cliJSON(t, &raw, args...)
	if keys := slices.Sorted(maps.Keys(raw)); !slices.Equal(keys, []string{"id", "name", "tenant_url", "token"}) {
		t.Errorf("tenant create --json keys = %v, want id, name, tenant_url, token", keys)
	}
	b, _ := json.Marshal(raw)
	var ct createdTenant
	_ = json.Unmarshal(b, &ct)
	if want := s.base + "/scim/" + ct.ID + "/v2"; ct.TenantURL != want {
		t.Errorf("tenant_url = %q, want %q", ct.TenantURL, want)
	}
	return ct
}

type eventsPage struct {
	Events []struct {
		Seq          int64  `json:"seq"`
		ResourceType string `json:"resource_type"`
		ResourceID   string `json:"resource_id"`
		Op           string `json:"op"`
	} `json:"events"`
	NextAfter int64 `json:"next_after"`
}

// TestEndToEnd walks the README's loop and the token lifecycle through
// the CLI and real HTTP, on every database.
func TestEndToEnd(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t), "--max-body", "64KiB")
			testHealthz(t, s)
			testAdminTokenFile(t, s)
			a := s.createTenant(t, "Contoso", "--policy", "okta")
			testProvisioningLoop(t, s, a)
			testPolicy(t, s, a)
			testTokenLifecycle(t, s, a)
			testIsolation(t, s, a)
			testBadInput(t, s, a)
			testTenantListAndDelete(t, s, a)
			testPasswordsHashed(t, s, s.createTenant(t, "Passwords", "--policy", "okta"))
			if strings.Contains(s.stderr.String(), a.Token) || strings.Contains(s.stderr.String(), "pva_") {
				t.Errorf("the server log contains a token:\n%s", s.stderr)
			}
		})
	}
}

func testHealthz(t *testing.T, s *serveProc) {
	resp, err := httpClient.Get(s.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", resp.StatusCode)
	}
}

func testAdminTokenFile(t *testing.T, s *serveProc) {
	path := filepath.Join(s.dataDir, "admin.token")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("admin token file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("admin.token mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if tok := strings.TrimSpace(string(b)); !tenant.WellFormed(tok, tenant.AdminTokenPrefix) {
		t.Errorf("admin.token holds %q, want a pva_ token", tok)
	}
	if !strings.Contains(s.stderr.String(), path) {
		t.Errorf("serve did not tell where the admin token is:\n%s", s.stderr)
	}
}

// testProvisioningLoop: POST /Users → GET ?filter → PATCH active false →
// events feed.
func testProvisioningLoop(t *testing.T, s *serveProc, a createdTenant) {
	r := scimDo(t, "POST", a.TenantURL+"/Users", a.Token, userJSON("alice@contoso.com"))
	if r.status != http.StatusCreated {
		t.Fatalf("POST /Users = %d %s, want 201", r.status, r.raw)
	}
	id, _ := r.body["id"].(string)
	if loc := r.header.Get("Location"); loc != a.TenantURL+"/Users/"+id {
		t.Errorf("Location = %q, want %s/Users/%s", loc, a.TenantURL, id)
	}
	r = scimDo(t, "GET", a.TenantURL+"/Users?filter="+url.QueryEscape(`userName eq "ALICE@contoso.com"`), a.Token, "")
	if r.status != 200 || r.body["totalResults"] != float64(1) {
		t.Errorf("GET /Users?filter = %d %s, want one match", r.status, r.raw)
	}
	r = scimDo(t, "PATCH", a.TenantURL+"/Users/"+id, a.Token,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	if r.status != 200 || r.body["active"] != false {
		t.Errorf("PATCH active false = %d %s, want 200 with active false (okta policy)", r.status, r.raw)
	}
	var page eventsPage
	s.cliJSON(t, &page, "tenant", "events", a.ID)
	var ops []string
	for _, e := range page.Events {
		if e.ResourceID != id || e.ResourceType != "User" {
			t.Errorf("event %+v is not about user %s", e, id)
		}
		ops = append(ops, e.Op)
	}
	if !slices.Equal(ops, []string{"create", "update"}) {
		t.Errorf("events ops = %v, want [create update]", ops)
	}
	var next eventsPage
	s.cliJSON(t, &next, "tenant", "events", a.ID, "--after", fmt.Sprint(page.NextAfter))
	if len(next.Events) != 0 || next.NextAfter != page.NextAfter {
		t.Errorf("events after %d = %+v, want an empty page", page.NextAfter, next)
	}
}

// testPasswordsHashed: a SCIM password (Okta sends one with password sync)
// is stored only as an argon2id hash, rehashed when a client changes it,
// kept when an update leaves it alone, and never returned.
func testPasswordsHashed(t *testing.T, s *serveProc, a createdTenant) {
	const first, second = "Clear-Text-Pa55!", "Second-Pa55-word"
	r := scimDo(t, "POST", a.TenantURL+"/Users", a.Token,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pw@contoso.com","password":"`+first+`"}`)
	if r.status != http.StatusCreated || strings.Contains(r.raw, "assword") {
		t.Fatalf("POST /Users with a password = %d %s, want 201 without the password", r.status, r.raw)
	}
	id, _ := r.body["id"].(string)
	stored := func() string {
		t.Helper()
		driver, dsn, q := "sqlite", filepath.Join(s.dataDir, config.DBFileName), "SELECT doc FROM resources WHERE id = ?"
		if s.db != "" {
			driver, dsn, q = "pgx", s.db, "SELECT doc FROM resources WHERE id = $1"
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var doc string
		if err := db.QueryRow(q, id).Scan(&doc); err != nil {
			t.Fatalf("read the stored user: %v", err)
		}
		var m map[string]any
		_ = json.Unmarshal([]byte(doc), &m)
		hash, _ := m["password"].(string)
		if strings.Contains(doc, first) || strings.Contains(doc, second) || !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("stored document %s: want an argon2id hash and no clear text", doc)
		}
		return hash
	}
	matches := func(hash, clear string) bool {
		ok, err := argon2id.ComparePasswordAndHash(clear, hash)
		return err == nil && ok
	}
	h1 := stored()
	if !matches(h1, first) {
		t.Errorf("stored hash does not verify the password sent")
	}
	r = scimDo(t, "PATCH", a.TenantURL+"/Users/"+id, a.Token,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"PW"}]}`)
	if r.status != http.StatusOK || strings.Contains(r.raw, "assword") {
		t.Errorf("PATCH displayName = %d %s", r.status, r.raw)
	}
	if h := stored(); h != h1 {
		t.Errorf("a PATCH that leaves the password alone rehashed it")
	}
	r = scimDo(t, "PUT", a.TenantURL+"/Users/"+id, a.Token,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"pw@contoso.com","displayName":"PW 2"}`)
	if r.status != http.StatusOK || strings.Contains(r.raw, "assword") {
		t.Errorf("PUT without a password = %d %s", r.status, r.raw)
	}
	if h := stored(); h != h1 {
		t.Errorf("a PUT without a password changed the stored hash")
	}
	r = scimDo(t, "PATCH", a.TenantURL+"/Users/"+id, a.Token,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"password","value":"`+second+`"}]}`)
	if r.status != http.StatusOK {
		t.Errorf("PATCH password = %d %s", r.status, r.raw)
	}
	if h := stored(); h == h1 || !matches(h, second) || matches(h, first) {
		t.Errorf("after a password change the stored hash does not verify the new password only")
	}
	r = scimDo(t, "GET", a.TenantURL+"/Users/"+id+"?attributes=password", a.Token, "")
	if r.status != http.StatusOK || strings.Contains(r.raw, "assword") {
		t.Errorf("GET ?attributes=password = %d %s, want no password (returned never)", r.status, r.raw)
	}
}

// testPolicy: the policy is read and replaced through the CLI, and the
// SCIM service applies a new one at once.
func testPolicy(t *testing.T, s *serveProc, a createdTenant) {
	var p map[string]any
	s.cliJSON(t, &p, "tenant", "policy", "get", a.ID)
	if p["patchResponse"] != "auto" {
		t.Errorf("policy get = %v, want the okta preset (patchResponse auto)", p)
	}
	s.cliJSON(t, &p, "tenant", "policy", "set", a.ID, "--preset", "entra")
	if p["patchResponse"] != "204" {
		t.Errorf("policy set --preset entra = %v, want patchResponse 204", p)
	}
	r := scimDo(t, "GET", a.TenantURL+"/Users", a.Token, "")
	id := r.body["Resources"].([]any)[0].(map[string]any)["id"].(string)
	patch := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Alice"}]}`
	if r := scimDo(t, "PATCH", a.TenantURL+"/Users/"+id, a.Token, patch); r.status != http.StatusNoContent {
		t.Errorf("PATCH under the entra policy = %d, want 204 at once", r.status)
	}
	s.cliJSON(t, &p, "tenant", "policy", "set", a.ID, "--policy", `{"patchResponse":"auto"}`)
	if r := scimDo(t, "PATCH", a.TenantURL+"/Users/"+id, a.Token, patch); r.status != http.StatusOK {
		t.Errorf("PATCH after setting patchResponse auto = %d, want 200", r.status)
	}
	if _, err := cli(t, nil, "tenant", "policy", "set", a.ID, "--preset", "lenient", "--server", s.base, "--data-dir", s.dataDir); err == nil {
		t.Error("policy set --preset lenient: error = nil, want unknown preset")
	}
	if _, err := cli(t, nil, "tenant", "policy", "set", a.ID, "--policy", `{"patchResponse":"201"}`, "--server", s.base, "--data-dir", s.dataDir); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("policy set with a bad value: error = %v, want the server's 400", err)
	}
}

// testTokenLifecycle: create a second token, use both, revoke the first
// (401 at once), the second still works.
func testTokenLifecycle(t *testing.T, s *serveProc, a createdTenant) {
	var listed struct {
		Tokens []struct {
			ID      string  `json:"id"`
			Revoked *string `json:"revoked"`
		} `json:"tokens"`
	}
	s.cliJSON(t, &listed, "tenant", "token", "list", a.ID)
	if len(listed.Tokens) != 1 {
		t.Fatalf("token list = %+v, want the first token", listed)
	}
	first := listed.Tokens[0].ID
	var created struct {
		ID, Name, Token string
	}
	s.cliJSON(t, &created, "tenant", "token", "create", a.ID, "--name", "rotation")
	if created.Name != "rotation" || !tenant.WellFormed(created.Token, tenant.TenantTokenPrefix) {
		t.Errorf("token create = %+v, want a pvt_ token named rotation", created)
	}
	for _, tok := range []string{a.Token, created.Token} {
		if r := scimDo(t, "GET", a.TenantURL+"/Users", tok, ""); r.status != 200 {
			t.Errorf("GET /Users during rotation = %d, want 200 with both tokens", r.status)
		}
	}
	var revoked map[string]any
	s.cliJSON(t, &revoked, "tenant", "token", "revoke", a.ID, first)
	r := scimDo(t, "GET", a.TenantURL+"/Users", a.Token, "")
	if r.status != http.StatusUnauthorized || r.body["status"] != "401" || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("GET /Users with a revoked token = %d %v %s, want 401 at once with a SCIM error and WWW-Authenticate: Bearer", r.status, r.header, r.raw)
	}
	if r := scimDo(t, "GET", a.TenantURL+"/Users", created.Token, ""); r.status != 200 {
		t.Errorf("GET /Users with the new token = %d, want 200", r.status)
	}
	s.cliJSON(t, &listed, "tenant", "token", "list", a.ID)
	if len(listed.Tokens) != 2 {
		t.Fatalf("token list after revoke = %+v, want two tokens", listed)
	}
	for _, tok := range listed.Tokens {
		if revoked := tok.Revoked != nil; revoked != (tok.ID == first) {
			t.Errorf("token %s revoked = %v, want only the first token (%s) revoked", tok.ID, revoked, first)
		}
	}
}

// testIsolation: nothing of tenant A is visible through tenant B.
func testIsolation(t *testing.T, s *serveProc, a createdTenant) {
	// a.Token was revoked in testTokenLifecycle: take a fresh token.
	var created struct{ Token string }
	s.cliJSON(t, &created, "tenant", "token", "create", a.ID)
	aToken := created.Token

	b := s.createTenant(t, "Fabrikam")
	r := scimDo(t, "GET", a.TenantURL+"/Users?filter="+url.QueryEscape(`userName eq "alice@contoso.com"`), aToken, "")
	res, _ := r.body["Resources"].([]any)
	if len(res) != 1 {
		t.Fatalf("A's alice not found: %s", r.raw)
	}
	aliceID := res[0].(map[string]any)["id"].(string)

	wrongTenant := scimDo(t, "GET", a.TenantURL+"/Users", b.Token, "")
	wrongToken := scimDo(t, "GET", a.TenantURL+"/Users", "pvt_"+strings.Repeat("A", 43), "")
	if wrongTenant.status != 401 || wrongTenant.raw != wrongToken.raw {
		t.Errorf("B's token on A's URL = %d %s, want the same 401 as a wrong token (%s)", wrongTenant.status, wrongTenant.raw, wrongToken.raw)
	}
	checks := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantTotal  float64 // for lists; -1: not a list
	}{
		{"get A's user by id", "GET", "/Users/" + aliceID, "", 404, -1},
		{"patch A's user", "PATCH", "/Users/" + aliceID, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":true}]}`, 404, -1},
		{"delete A's user", "DELETE", "/Users/" + aliceID, "", 404, -1},
		{"filter A's userName", "GET", "/Users?filter=" + url.QueryEscape(`userName eq "alice@contoso.com"`), "", 200, 0},
		{"filter A's id", "GET", "/Users?filter=" + url.QueryEscape(`id eq "`+aliceID+`"`), "", 200, 0},
		{"list users", "GET", "/Users", "", 200, 0},
		{"search", "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName co \"alice\""}`, 200, 0},
		{"same userName is not a conflict", "POST", "/Users", userJSON("alice@contoso.com"), 201, -1},
		{"bulk on A's user", "POST", "/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"DELETE","path":"/Users/` + aliceID + `"}]}`, 200, -1},
	}
	for _, c := range checks {
		r := scimDo(t, c.method, b.TenantURL+c.path, b.Token, c.body)
		if r.status != c.wantStatus {
			t.Errorf("isolation %s: %s %s = %d %s, want %d", c.name, c.method, c.path, r.status, r.raw, c.wantStatus)
		}
		if c.wantTotal >= 0 && r.body["totalResults"] != c.wantTotal {
			t.Errorf("isolation %s: totalResults = %v, want %v", c.name, r.body["totalResults"], c.wantTotal)
		}
		if c.wantTotal >= 0 && strings.Contains(r.raw, aliceID) {
			t.Errorf("isolation %s: answer mentions A's user id: %s", c.name, r.raw)
		}
		if c.path == "/Bulk" && !strings.Contains(r.raw, `"status":"404"`) {
			t.Errorf("isolation %s: %s, want the operation answered 404", c.name, r.raw)
		}
	}
	// A group in B cannot take A's user as a member, nor learn about it.
	r = scimDo(t, "POST", b.TenantURL+"/Groups", b.Token,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Sales","members":[{"value":"`+aliceID+`"}]}`)
	if r.status >= 500 || strings.Contains(r.raw, "alice") {
		t.Errorf("B's group with A's user as member = %d %s, want no trace of A's user", r.status, r.raw)
	}
	if r.status == http.StatusCreated {
		if members, _ := r.body["members"].([]any); len(members) != 0 {
			t.Errorf("B's group took A's user as a member: %s", r.raw)
		}
	}
	// A's user is untouched and A still has exactly one alice.
	r = scimDo(t, "GET", a.TenantURL+"/Users/"+aliceID, aToken, "")
	if r.status != 200 || r.body["active"] != false {
		t.Errorf("A's user after B's attempts = %d %s, want it unchanged (inactive)", r.status, r.raw)
	}
	// Uniqueness errors stay within the tenant.
	r = scimDo(t, "POST", a.TenantURL+"/Users", aToken, userJSON("Alice@Contoso.com"))
	if r.status != 409 || r.body["scimType"] != "uniqueness" || strings.Contains(r.raw, b.ID) {
		t.Errorf("duplicate in A = %d %s, want 409 uniqueness", r.status, r.raw)
	}
	// Each feed holds only its own tenant's events.
	var evA, evB eventsPage
	s.cliJSON(t, &evA, "tenant", "events", a.ID)
	s.cliJSON(t, &evB, "tenant", "events", b.ID)
	for _, e := range evA.Events {
		if e.ResourceID != aliceID {
			t.Errorf("A's feed has an event of another resource: %+v", e)
		}
	}
	if len(evB.Events) != 1 || evB.Events[0].Op != "create" || evB.Events[0].ResourceID == aliceID {
		t.Errorf("B's feed = %+v, want only B's own create", evB.Events)
	}
}

// testBadInput: client mistakes are precise 4xx SCIM errors, never 5xx.
func testBadInput(t *testing.T, s *serveProc, a createdTenant) {
	var created struct{ Token string }
	s.cliJSON(t, &created, "tenant", "token", "create", a.ID)
	tok := created.Token
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
	}{
		{"malformed JSON", "POST", "/Users", `{"userName":`, 400},
		{"not an object", "POST", "/Users", `[1,2]`, 400},
		{"wrong type", "POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":42}`, 400},
		{"bad filter", "GET", "/Users?filter=" + url.QueryEscape(`userName eq`), "", 400},
		{"over-long body", "POST", "/Users", `{"userName":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
		{"unknown user", "GET", "/Users/doesnotexist", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scimDo(t, tt.method, a.TenantURL+tt.path, tok, tt.body)
			if r.status != tt.wantStatus || r.body["status"] != fmt.Sprint(tt.wantStatus) {
				t.Errorf("%s %s = %d %.200s, want %d with a SCIM error", tt.method, tt.path, r.status, r.raw, tt.wantStatus)
			}
		})
	}
	r := scimDo(t, "GET", s.base+"/scim/nosuchtenant/v2/Users", tok, "")
	if r.status != 404 || r.body["status"] != "404" {
		t.Errorf("unknown tenant = %d %s, want 404 SCIM error", r.status, r.raw)
	}
	r = scimDo(t, "GET", a.TenantURL+"/Users", "", "")
	if r.status != 401 || r.body["status"] != "401" || !slices.Contains(r.body["schemas"].([]any), any(scim.ErrorMessage)) {
		t.Errorf("no token = %d %s, want 401 SCIM error", r.status, r.raw)
	}
}

func testTenantListAndDelete(t *testing.T, s *serveProc, a createdTenant) {
	var list struct {
		Tenants []createdTenant `json:"tenants"`
	}
	s.cliJSON(t, &list, "tenant", "list")
	var names []string
	for _, tn := range list.Tenants {
		names = append(names, tn.Name)
	}
	if !slices.Equal(names, []string{"Contoso", "Fabrikam"}) {
		t.Errorf("tenant list names = %v, want [Contoso Fabrikam]", names)
	}
	table, err := cli(t, map[string]string{"PROVISIO_SERVER": s.base, "PROVISIO_DATA_DIR": s.dataDir}, "tenant", "list")
	if err != nil || !strings.HasPrefix(table, "ID") || !strings.Contains(table, a.TenantURL) {
		t.Errorf("tenant list (table, env config) = %q, %v; want a table with the Tenant URL", table, err)
	}
	var deleted map[string]any
	s.cliJSON(t, &deleted, "tenant", "delete", a.ID)
	if r := scimDo(t, "GET", a.TenantURL+"/Users", "", ""); r.status != 404 {
		t.Errorf("deleted tenant's URL = %d, want 404", r.status)
	}
	if _, err := cli(t, nil, "tenant", "delete", a.ID, "--server", s.base, "--data-dir", s.dataDir); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("deleting twice: error = %v, want a 404 from the server", err)
	}
}

// TestGracefulShutdown sends writes while serve shuts down and checks
// that every acknowledged write is in the database afterwards.
func TestGracefulShutdown(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			dataDir, dsn := t.TempDir(), db.DSN(t)
			s := startServe(t, dataDir, dsn)
			ten := s.createTenant(t, "acme")
			var mu sync.Mutex
			var acked []string
			var wg sync.WaitGroup
			stopWriting := make(chan struct{})
			for w := range 4 {
				wg.Go(func() {
					for i := 0; ; i++ {
						select {
						case <-stopWriting:
							return
						default:
						}
						id, ok := tryCreateUser(ten, fmt.Sprintf("u%d-%d@acme.example", w, i))
						if !ok {
							return // the server is going away
						}
						mu.Lock()
						acked = append(acked, id)
						mu.Unlock()
					}
				})
			}
			time.Sleep(300 * time.Millisecond)
			s.shutdown(t)
			close(stopWriting)
			wg.Wait()
			if len(acked) == 0 {
				t.Fatal("no write was acknowledged before shutdown")
			}

			dsnOpen := dsn
			if dsnOpen == "" {
				dsnOpen = filepath.Join(dataDir, "provisio.db")
			}
			st, err := sqlstore.Open(context.Background(), dsnOpen, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatalf("reopen store: %v", err)
			}
			defer st.Close()
			reg := scim.NewStandardRegistry()
			users, _ := reg.ResourceType("User")
			ctx := store.WithTenant(context.Background(), ten.ID)
			for _, id := range acked {
				if _, err := st.Backend().Get(ctx, users, id, backend.GetOptions{}); err != nil {
					t.Errorf("acknowledged user %s lost after shutdown: %v", id, err)
				}
			}
			t.Logf("%d acknowledged writes, all present after reopening", len(acked))
		})
	}
}

// tryCreateUser POSTs a user; ok is false if the server did not
// acknowledge it (it may be shutting down).
func tryCreateUser(ten createdTenant, userName string) (string, bool) {
	req, _ := http.NewRequest("POST", ten.TenantURL+"/Users", strings.NewReader(userJSON(userName)))
	req.Header.Set("Authorization", "Bearer "+ten.Token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	var body struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&body) != nil {
		return "", false
	}
	return body.ID, true
}

func TestServeConfigErrors(t *testing.T) {
	_, err := cli(t, nil, "serve", "--addr", "nonsense", "--log-level", "loud", "--db", "mysql://x")
	if err == nil {
		t.Fatal("serve with bad flags: error = nil, want every problem reported")
	}
	for _, want := range []string{"--addr", "--log-level", "--db"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("serve with bad flags: error %q does not mention %s", err, want)
		}
	}
}

func TestCLIWithoutAdminToken(t *testing.T) {
	_, err := cli(t, nil, "tenant", "list", "--data-dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "PROVISIO_ADMIN_TOKEN") {
		t.Errorf("tenant list without a token: error = %v, want it to name PROVISIO_ADMIN_TOKEN", err)
	}
}

func TestCLIWrongAdminToken(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	_, err := cli(t, map[string]string{"PROVISIO_SERVER": s.base, "PROVISIO_ADMIN_TOKEN": "pva_wrong"}, "tenant", "list")
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "$PROVISIO_ADMIN_TOKEN") {
		t.Errorf("tenant list with a wrong token: error = %v, want a 401 naming where the token came from", err)
	}
}

// TestAdminTokenLifecycle: admin tokens are listed, created and revoked
// through the CLI; the last valid one cannot be revoked; rotate replaces
// the token in admin.token (still mode 0600) and the old one stops
// working, on every database.
func TestAdminTokenLifecycle(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t))
			path := filepath.Join(s.dataDir, "admin.token")
			read := func() string {
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				return strings.TrimSpace(string(b))
			}
			status := func(token string) int {
				return scimDo(t, "GET", s.base+"/api/v1/tenants", token, "").status
			}
			var list struct {
				Tokens []apitypes.Token `json:"tokens"`
			}
			s.cliJSON(t, &list, "admin-token", "list")
			if len(list.Tokens) != 1 || list.Tokens[0].Name != "initial" || list.Tokens[0].Revoked != nil {
				t.Fatalf("admin-token list = %+v, want the one initial token", list.Tokens)
			}
			initial := list.Tokens[0].ID
			_, err := cli(t, nil, "admin-token", "revoke", initial, "--server", s.base, "--data-dir", s.dataDir)
			if err == nil || !strings.Contains(err.Error(), "409") || !strings.Contains(err.Error(), "last_admin_token") {
				t.Errorf("revoking the only admin token: error = %v, want 409 last_admin_token", err)
			}

			var ci apitypes.Token
			s.cliJSON(t, &ci, "admin-token", "create", "--name", "ci")
			if ci.Name != "ci" || !tenant.WellFormed(ci.Token, tenant.AdminTokenPrefix) || status(ci.Token) != http.StatusOK {
				t.Errorf("admin-token create = %+v, want a working pva_ token named ci", ci)
			}

			old := read()
			var rotated apitypes.Token
			s.cliJSON(t, &rotated, "admin-token", "rotate", "--name", "rotated")
			if got := read(); got != rotated.Token || got == old {
				t.Errorf("after rotate admin.token holds %q, want the new token %q", got, rotated.Token)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("admin.token after rotate: %v, %v; want mode 0600", fi, err)
			}
			if got := status(old); got != http.StatusUnauthorized {
				t.Errorf("the rotated-out token: GET /api/v1/tenants = %d, want 401", got)
			}
			if got := status(rotated.Token); got != http.StatusOK {
				t.Errorf("the new token: GET /api/v1/tenants = %d, want 200", got)
			}
			s.cliJSON(t, &list, "admin-token", "list")
			states := map[string]bool{} // name -> revoked
			for _, tok := range list.Tokens {
				states[tok.Name] = tok.Revoked != nil
			}
			if want := map[string]bool{"initial": true, "ci": false, "rotated": false}; !maps.Equal(states, want) {
				t.Errorf("admin tokens (name: revoked) = %v, want %v", states, want)
			}

			// Revoking ci is fine now: rotated is still valid.
			var revoked map[string]any
			s.cliJSON(t, &revoked, "admin-token", "revoke", ci.ID)
			if got := status(ci.Token); got != http.StatusUnauthorized {
				t.Errorf("revoked token: GET /api/v1/tenants = %d, want 401", got)
			}
			if strings.Contains(s.stderr.String(), rotated.Token) || strings.Contains(s.stderr.String(), old) {
				t.Errorf("the server log contains an admin token")
			}
		})
	}
}

// TestHelpEverywhere: every command answers --help without a server.
func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{}, {"serve"}, {"version"}, {"tenant"}, {"tenant", "create"}, {"tenant", "list"}, {"tenant", "delete"},
		{"tenant", "events"}, {"tenant", "token"}, {"tenant", "token", "create"}, {"tenant", "token", "list"}, {"tenant", "token", "revoke"},
		{"tenant", "policy"}, {"tenant", "policy", "get"}, {"tenant", "policy", "set"},
		{"admin-token"}, {"admin-token", "create"}, {"admin-token", "list"}, {"admin-token", "revoke"}, {"admin-token", "rotate"}, {"admin-token", "reset"},
	} {
		out, err := cli(t, nil, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("provisio %s --help = %q, %v; want usage", strings.Join(args, " "), out, err)
		}
	}
}

func TestVersion(t *testing.T) {
	out, err := cli(t, nil, "version", "--json")
	var v map[string]string
	if err != nil || json.Unmarshal([]byte(out), &v) != nil || v["version"] == "" {
		t.Errorf("version --json = %q, %v; want {\"version\":...}", out, err)
	}
}
