package adminapi

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/audit"
	"github.com/provisio-dev/provisio/internal/dirsvc"
	"github.com/provisio-dev/provisio/internal/exprsvc"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/server"
)

// newServicesFixture is the API with the directory and job services over
// a real SQLite store, plus the SCIM service on the same server (as
// `provisio serve` runs it), so jobs provision into a local tenant.
func newServicesFixture(t testing.TB, maxBody, maxImport int64) *fixture {
	t.Helper()
	return newServicesFixtureRead(t, maxBody, maxImport, 0)
}

// newServicesFixtureRead is newServicesFixture on a server with the
// ReadTimeout readTimeout (0: none), which the API is told of.
func newServicesFixtureRead(t testing.TB, maxBody, maxImport int64, readTimeout time.Duration) *fixture {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dbPath := filepath.Join(t.TempDir(), "provisio.db")
	st, err := sqlstore.Open(ctx, dbPath, log)
	if err != nil {
		t.Fatalf("sqlstore.Open() error = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	mgr := tenant.NewManager(st, tenant.Options{})
	admin, _, err := mgr.IssueAdminToken(ctx, "initial")
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jobs.New(jobs.Options{Store: st.Jobs(), Source: st.Directory(), Box: box, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(js.Close)
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ReadTimeout = readTimeout
	srv.Start()
	t.Cleanup(srv.Close)
	checkSpec(t, srv)
	scimsvc.New(scimsvc.Config{Tenants: mgr, BaseURL: srv.URL, Logger: log,
		SCIM: server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: st.Backend(), Logger: log})}).Register(mux)
	dir := dirsvc.New(st.Directory(), dirsvc.Options{Logger: log, SSO: st.OIDC()})
	New(Config{Tenants: mgr, Events: mgr, Directory: dir, Jobs: js, Expressions: exprsvc.New(dir, js),
		Audit:   audit.New(st.Audit(), audit.Options{Logger: log}),
		BaseURL: srv.URL, MaxBody: maxBody, MaxImport: maxImport, ReadTimeout: readTimeout, Logger: log}).Register(mux)
	return &fixture{srv: srv, admin: admin, tenants: mgr, dbPath: dbPath}
}

// must calls the API and fails the test unless it answers want.
func (f *fixture) must(t testing.TB, want int, method, path, body string) response {
	t.Helper()
	r := f.do(t, method, path, body)
	if r.status != want {
		t.Fatalf("%s %s %s = %d %s, want %d", method, path, body, r.status, r.raw, want)
	}
	return r
}

func TestUserLifecycle(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	r := f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"alice@contoso.com","surname":"Jensen","extension_costCenter":"42"}`)
	id, _ := r.body["objectId"].(string)
	if r.header.Get("Location") != "/api/v1/users/"+id || r.body["accountEnabled"] != true {
		t.Errorf("create user = %v Location %q, want enabled with Location /api/v1/users/%s", r.body, r.header.Get("Location"), id)
	}
	for _, ref := range []string{"alice@contoso.com", "ALICE@contoso.com", id} {
		if r := f.must(t, 200, "GET", "/api/v1/users/"+ref, ""); r.body["objectId"] != id {
			t.Errorf("GET /api/v1/users/%s = %v, want alice", ref, r.body)
		}
	}
	r = f.must(t, 200, "PATCH", "/api/v1/users/alice@contoso.com", `{"surname":"Lee","department":"Sales","extensions":{"extension_costCenter":null}}`)
	if r.body["surname"] != "Lee" || r.body["department"] != "Sales" || r.body["extensions"] != nil {
		t.Errorf("PATCH user = %v, want surname Lee, department Sales, no extensions", r.body)
	}
	r = f.must(t, 200, "PATCH", "/api/v1/users/"+id, `{"department":null,"accountEnabled":"false"}`)
	if r.body["department"] != nil || r.body["accountEnabled"] != false {
		t.Errorf("PATCH department null, accountEnabled \"false\" = %v, want both applied", r.body)
	}
	steps := []struct {
		method, path string
		wantEnabled  bool
		wantDeleted  bool
	}{
		{"POST", "/enable", true, false},
		{"POST", "/disable", false, false},
		{"POST", "/enable", true, false},
		{"DELETE", "", true, true},
		{"POST", "/restore", true, false},
	}
	for _, s := range steps {
		r := f.must(t, 200, s.method, "/api/v1/users/alice@contoso.com"+s.path, "")
		if r.body["accountEnabled"] != s.wantEnabled || (r.body["deletedAt"] != nil) != s.wantDeleted {
			t.Errorf("%s user%s = %v, want accountEnabled %v, deleted %v", s.method, s.path, r.body, s.wantEnabled, s.wantDeleted)
		}
	}
	f.must(t, 204, "DELETE", "/api/v1/users/alice@contoso.com?permanent=true", "")
	f.must(t, 404, "GET", "/api/v1/users/"+id, "")
}

func TestListUsersPaging(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	for _, upn := range []string{"c@x.io", "a@x.io", "b@x.io"} {
		f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"`+upn+`"}`)
	}
	f.must(t, 200, "DELETE", "/api/v1/users/b@x.io", "")
	var got []string
	after := ""
	for range 5 {
		r := f.must(t, 200, "GET", "/api/v1/users?limit=1&after="+after, "")
		for _, u := range r.body["users"].([]any) {
			got = append(got, u.(map[string]any)["userPrincipalName"].(string))
		}
		next, _ := r.body["next"].(string)
		if next == "" {
			break
		}
		after = next
	}
	if strings.Join(got, ",") != "a@x.io,c@x.io" {
		t.Errorf("paging users with limit=1 = %v, want [a@x.io c@x.io]", got)
	}
	for q, want := range map[string]string{"deleted=true": "b@x.io", "deleted=any": "a@x.io,b@x.io,c@x.io"} {
		r := f.must(t, 200, "GET", "/api/v1/users?"+q, "")
		var upns []string
		for _, u := range r.body["users"].([]any) {
			upns = append(upns, u.(map[string]any)["userPrincipalName"].(string))
		}
		if strings.Join(upns, ",") != want {
			t.Errorf("GET /api/v1/users?%s = %v, want %s", q, upns, want)
		}
	}
}

func TestImportUsers(t *testing.T) {
	f := newServicesFixture(t, 0, 512)
	csv := "userPrincipalName,surname,manager\n" +
		"boss@x.io,Boss,\n" +
		"bad upn,X,\n" +
		"worker@x.io,Worker,boss@x.io\n" +
		"boss@x.io,Again,\n"
	r := f.call(t, "POST", "/api/v1/imports/users", f.admin, "text/csv; charset=utf-8", csv)
	if r.status != 200 || r.body["rows"] != float64(4) || r.body["imported"] != float64(2) || r.body["failed"] != float64(2) {
		t.Fatalf("import = %d %s, want 4 rows, 2 imported, 2 failed", r.status, r.raw)
	}
	var lines []float64
	for _, e := range r.body["errors"].([]any) {
		lines = append(lines, e.(map[string]any)["line"].(float64))
	}
	if len(lines) != 2 || lines[0] != 3 || lines[1] != 5 {
		t.Errorf("import errors at lines %v, want [3 5]", lines)
	}
	boss := f.must(t, 200, "GET", "/api/v1/users/boss@x.io", "").body
	if w := f.must(t, 200, "GET", "/api/v1/users/worker@x.io", "").body; w["manager"] != boss["objectId"] {
		t.Errorf("worker's manager = %v, want boss's objectId %v", w["manager"], boss["objectId"])
	}
	r = f.call(t, "POST", "/api/v1/imports/users?update=true", f.admin, "text/csv", "userPrincipalName,surname\nboss@x.io,Boss2\nnew@x.io,New\n")
	if r.status != 200 || r.body["rows"] != float64(2) || r.body["imported"] != float64(1) || r.body["updated"] != float64(1) || r.body["failed"] != float64(0) {
		t.Errorf("import ?update=true = %d %s, want 2 rows: 1 imported, 1 updated", r.status, r.raw)
	}
	if b := f.must(t, 200, "GET", "/api/v1/users/boss@x.io", "").body; b["surname"] != "Boss2" {
		t.Errorf("boss after the update import = %v, want surname Boss2", b)
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
	}{
		{"JSON body", "application/json", `{}`, 415, "unsupported_media_type"},
		{"bad update flag", "text/csv?update=yes", "userPrincipalName\na@x.io\n", 400, "bad_request"},
		{"no content type", "", "userPrincipalName\na@x.io\n", 415, "unsupported_media_type"},
		{"empty file", "text/csv", "", 400, "bad_request"},
		{"unknown column", "text/csv", "userPrincipalName,shoeSize\na@x.io,44\n", 400, "bad_request"},
		{"no userPrincipalName column", "text/csv", "surname\nLee\n", 400, "bad_request"},
		{"too large", "text/csv", "userPrincipalName\n" + strings.Repeat("someone@example.com\n", 40), 413, "payload_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, query, _ := strings.Cut(tt.contentType, "?")
			if query != "" {
				query = "?" + query
			}
			r := f.call(t, "POST", "/api/v1/imports/users"+query, f.admin, ct, tt.body)
			if r.status != tt.wantStatus || r.errCode() != tt.wantCode {
				t.Errorf("import %s = %d %s, want %d %s", tt.name, r.status, r.raw, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestGroupsAndMembers(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"a@x.io"}`)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io"}`)
	sales := f.must(t, 201, "POST", "/api/v1/groups", `{"displayName":"Sales","description":"Sales team"}`).body
	f.must(t, 201, "POST", "/api/v1/groups", `{"displayName":"Everyone"}`)
	r := f.must(t, 200, "PATCH", "/api/v1/groups/Sales/members", `{"add":["a@x.io","b@x.io","a@x.io"]}`)
	if r.body["added"] != float64(2) {
		t.Errorf("add members = %v, want 2 added", r.body)
	}
	r = f.must(t, 200, "PATCH", "/api/v1/groups/Everyone/members", `{"add":["Sales"]}`)
	if r.body["added"] != float64(1) {
		t.Errorf("add a nested group = %v, want 1 added", r.body)
	}
	salesMembers := "/api/v1/groups/" + sales["objectId"].(string) + "/members"
	f.must(t, 404, "PATCH", salesMembers, `{"remove":["b@x.io","nobody@x.io"]}`)
	r = f.must(t, 200, "GET", "/api/v1/groups/Sales", "")
	if ms, _ := r.body["members"].([]any); len(ms) != 2 || ms[0].(map[string]any)["name"] == nil {
		t.Errorf("Sales after a failed remove = %v, want both members kept, with names", r.body)
	}
	r = f.must(t, 200, "GET", "/api/v1/groups/Everyone", "")
	if ms, _ := r.body["members"].([]any); len(ms) != 1 || ms[0].(map[string]any)["name"] != "Sales" || ms[0].(map[string]any)["kind"] != "group" {
		t.Errorf("GET Everyone = %s, want the nested group Sales by name", r.raw)
	}
	r = f.must(t, 200, "PATCH", salesMembers, `{"remove":["b@x.io","b@x.io"]}`)
	if r.body["removed"] != float64(1) {
		t.Errorf("remove members = %v, want 1 removed", r.body)
	}
	r = f.must(t, 200, "GET", "/api/v1/groups?limit=1", "")
	if gs, _ := r.body["groups"].([]any); len(gs) != 1 || r.body["next"] != "Everyone" {
		t.Errorf("GET groups?limit=1 = %s, want Everyone and next", r.raw)
	}
	r = f.must(t, 200, "DELETE", "/api/v1/groups/Sales", "")
	if r.body["deletedAt"] == nil || len(r.body["members"].([]any)) != 1 {
		t.Errorf("DELETE group = %s, want the soft-deleted group with its member", r.raw)
	}
	if gs := f.must(t, 200, "GET", "/api/v1/groups", "").body["groups"].([]any); len(gs) != 1 {
		t.Errorf("GET groups after a soft delete = %v, want only Everyone", gs)
	}
	if gs := f.must(t, 200, "GET", "/api/v1/groups?deleted=true", "").body["groups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["displayName"] != "Sales" {
		t.Errorf("GET groups?deleted=true = %v, want Sales", gs)
	}
	f.must(t, 400, "GET", "/api/v1/groups?deleted=maybe", "")
	if r = f.must(t, 200, "POST", "/api/v1/groups/Sales/restore", ""); r.body["deletedAt"] != nil {
		t.Errorf("restore group = %s, want it back", r.raw)
	}
	f.must(t, 400, "DELETE", "/api/v1/groups/Sales?permanent=yes", "")
	f.must(t, 204, "DELETE", "/api/v1/groups/Sales?permanent=true", "")
	f.must(t, 404, "GET", "/api/v1/groups/Sales", "")
}

func TestAppsAndAssignments(t *testing.T) {
	f := newServicesFixture(t, 0, 0)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"a@x.io"}`)
	f.must(t, 201, "POST", "/api/v1/groups", `{"displayName":"Sales"}`)
	app := f.must(t, 201, "POST", "/api/v1/apps", `{"name":"Portal"}`).body
	id := app["id"].(string)
	if r := f.must(t, 200, "GET", "/api/v1/apps/"+id, ""); r.body["name"] != "Portal" {
		t.Errorf("GET app by id = %v, want Portal", r.body)
	}
	if r := f.must(t, 200, "GET", "/api/v1/apps", ""); len(r.body["apps"].([]any)) != 1 {
		t.Errorf("GET apps = %s, want one app", r.raw)
	}
	r := f.must(t, 200, "POST", "/api/v1/apps/Portal/assignments", `{"user":"a@x.io"}`)
	if r.body["principalName"] != "a@x.io" || r.body["principalKind"] != "user" || r.body["appId"] != id {
		t.Errorf("assign user = %v, want a@x.io as a user of Portal", r.body)
	}
	f.must(t, 200, "POST", "/api/v1/apps/Portal/assignments", `{"group":"Sales","role":"Admin"}`)
	r = f.must(t, 200, "GET", "/api/v1/apps/Portal/assignments", "")
	as, _ := r.body["assignments"].([]any)
	if len(as) != 2 || as[0].(map[string]any)["principalName"] != "Sales" || as[0].(map[string]any)["appRoleId"] != "Admin" {
		t.Errorf("GET assignments = %s, want Sales (Admin) and a@x.io", r.raw)
	}
	f.must(t, 204, "DELETE", "/api/v1/apps/Portal/assignments/users/a@x.io", "")
	f.must(t, 404, "DELETE", "/api/v1/apps/Portal/assignments/users/a@x.io", "")
	f.must(t, 204, "DELETE", "/api/v1/apps/Portal/assignments/groups/Sales", "")
	f.must(t, 204, "DELETE", "/api/v1/apps/Portal", "")
	f.must(t, 404, "GET", "/api/v1/apps/"+id, "")
}

// TestDirectoryBadInput: every client mistake is a precise 4xx.
func TestDirectoryBadInput(t *testing.T) {
	f := newServicesFixture(t, 256, 0)
	f.must(t, 201, "POST", "/api/v1/users", `{"userPrincipalName":"a@x.io"}`)
	f.must(t, 201, "POST", "/api/v1/groups", `{"displayName":"Sales"}`)
	f.must(t, 201, "POST", "/api/v1/apps", `{"name":"Portal"}`)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"user: duplicate UPN", "POST", "/api/v1/users", `{"userPrincipalName":"A@x.io"}`, 409, "conflict"},
		{"user: no UPN", "POST", "/api/v1/users", `{"surname":"Lee"}`, 400, "bad_request"},
		{"user: malformed UPN", "POST", "/api/v1/users", `{"userPrincipalName":"not a upn"}`, 400, "bad_request"},
		{"user: unknown attribute", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","shoeSize":"44"}`, 400, "bad_request"},
		{"user: number value", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","employeeId":42}`, 400, "bad_request"},
		{"user: object value", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","surname":{}}`, 400, "bad_request"},
		{"user: bad objectId", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","objectId":"x"}`, 400, "bad_request"},
		{"user: unknown manager", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","manager":"boss@x.io"}`, 404, "not_found"},
		{"user: bad accountEnabled", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","accountEnabled":"maybe"}`, 400, "bad_request"},
		{"user: extensions not an object", "POST", "/api/v1/users", `{"userPrincipalName":"b@x.io","extensions":[1]}`, 400, "bad_request"},
		{"user: array body", "POST", "/api/v1/users", `[]`, 400, "bad_request"},
		{"user: null body", "POST", "/api/v1/users", `null`, 400, "bad_request"},
		{"user: malformed JSON", "POST", "/api/v1/users", `{"userPrincipalName":`, 400, "bad_request"},
		{"user: too large", "POST", "/api/v1/users", `{"userPrincipalName":"` + strings.Repeat("x", 300) + `@x.io"}`, 413, "payload_too_large"},
		{"user: unknown", "GET", "/api/v1/users/nobody@x.io", "", 404, "not_found"},
		{"user: unknown object id", "GET", "/api/v1/users/0b1e7a4c-0000-4000-8000-000000000000", "", 404, "not_found"},
		{"user: patch nothing", "PATCH", "/api/v1/users/a@x.io", `{}`, 400, "bad_request"},
		{"user: patch objectId", "PATCH", "/api/v1/users/a@x.io", `{"objectId":"0b1e7a4c-0000-4000-8000-000000000000"}`, 400, "bad_request"},
		{"user: patch unknown", "PATCH", "/api/v1/users/nobody@x.io", `{"surname":"x"}`, 404, "not_found"},
		{"user: own manager", "PATCH", "/api/v1/users/a@x.io", `{"manager":"a@x.io"}`, 400, "bad_request"},
		{"user: bad permanent", "DELETE", "/api/v1/users/a@x.io?permanent=yes", "", 400, "bad_request"},
		{"user: restore unknown", "POST", "/api/v1/users/nobody@x.io/restore", "", 404, "not_found"},
		{"users: deleted=maybe", "GET", "/api/v1/users?deleted=maybe", "", 400, "bad_request"},
		{"users: limit 0", "GET", "/api/v1/users?limit=0", "", 400, "bad_request"},
		{"users: limit too large", "GET", "/api/v1/users?limit=1001", "", 400, "bad_request"},
		{"group: empty name", "POST", "/api/v1/groups", `{"displayName":" "}`, 400, "bad_request"},
		{"group: duplicate", "POST", "/api/v1/groups", `{"displayName":"sales"}`, 409, "conflict"},
		{"group: unknown field", "POST", "/api/v1/groups", `{"displayName":"X","members":[]}`, 400, "bad_request"},
		{"group: unknown", "GET", "/api/v1/groups/Nobody", "", 404, "not_found"},
		{"members: nothing", "PATCH", "/api/v1/groups/Sales/members", `{}`, 400, "bad_request"},
		{"members: not a list", "PATCH", "/api/v1/groups/Sales/members", `{"add":"a@x.io"}`, 400, "bad_request"},
		{"members: unknown member", "PATCH", "/api/v1/groups/Sales/members", `{"add":["a@x.io","nobody@x.io"]}`, 404, "not_found"},
		{"members: itself", "PATCH", "/api/v1/groups/Sales/members", `{"add":["Sales"]}`, 400, "bad_request"},
		{"members: unknown group", "PATCH", "/api/v1/groups/Nobody/members", `{"add":["a@x.io"]}`, 404, "not_found"},
		{"groups: limit", "GET", "/api/v1/groups?limit=x", "", 400, "bad_request"},
		{"app: empty name", "POST", "/api/v1/apps", `{"name":""}`, 400, "bad_request"},
		{"app: duplicate", "POST", "/api/v1/apps", `{"name":"PORTAL"}`, 409, "conflict"},
		{"app: unknown", "GET", "/api/v1/apps/Nowhere", "", 404, "not_found"},
		{"app: delete unknown", "DELETE", "/api/v1/apps/Nowhere", "", 404, "not_found"},
		{"assign: neither", "POST", "/api/v1/apps/Portal/assignments", `{"role":"x"}`, 400, "bad_request"},
		{"assign: both", "POST", "/api/v1/apps/Portal/assignments", `{"user":"a@x.io","group":"Sales"}`, 400, "bad_request"},
		{"assign: unknown user", "POST", "/api/v1/apps/Portal/assignments", `{"user":"nobody@x.io"}`, 404, "not_found"},
		{"assign: unknown app", "POST", "/api/v1/apps/Nowhere/assignments", `{"user":"a@x.io"}`, 404, "not_found"},
		{"unassign: not assigned", "DELETE", "/api/v1/apps/Portal/assignments/groups/Sales", "", 404, "not_found"},
		{"method not allowed", "PUT", "/api/v1/users/a@x.io", `{}`, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(t, tt.method, tt.path, tt.body)
			if r.status != tt.wantStatus || r.errCode() != tt.wantCode {
				t.Errorf("%s %s %s = %d %s, want %d %s", tt.method, tt.path, tt.body, r.status, r.raw, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

// TestServicesUnavailable: a server without the directory and job
// services answers their endpoints with 503, not a crash.
func TestServicesUnavailable(t *testing.T) {
	f := newFixture(t, 0)
	for _, p := range []struct{ method, path string }{
		{"GET", "/api/v1/users"}, {"POST", "/api/v1/apps"}, {"GET", "/api/v1/jobs"}, {"GET", "/api/v1/apps/x/job/status"},
	} {
		r := f.do(t, p.method, p.path, "")
		if r.status != http.StatusServiceUnavailable || r.errCode() != "unavailable" {
			t.Errorf("%s %s without services = %d %s, want 503 unavailable", p.method, p.path, r.status, r.raw)
		}
	}
}

// FuzzDirectoryBodiesNever5xx: no request body makes the directory and
// job endpoints answer 5xx or anything but a JSON error or success.
func FuzzDirectoryBodiesNever5xx(f *testing.F) {
	for _, seed := range []string{
		`{"userPrincipalName":"a@x.io"}`, `{"userPrincipalName":"a@x.io","manager":"a@x.io"}`, `{"displayName":"G"}`,
		`{"add":["a@x.io"]}`, `{"remove":["G"]}`, `{"name":"App"}`, `{"user":"a@x.io","role":"r"}`, `{"group":"G"}`,
		`{"tenantUrl":"http://127.0.0.1:1/scim","token":"t","interval":"1s"}`, `{"scope":"none"}`, `{"mappings":{"users":{}}}`,
		`{"extensions":{"extension_a":"1"}}`, `{"accountEnabled":null}`, `{}`, `[]`, `null`, `"x"`, "\xff", ``,
	} {
		f.Add(seed)
	}
	fx := newServicesFixture(f, 4096, 4096)
	fx.must(f, 201, "POST", "/api/v1/users", `{"userPrincipalName":"u@x.io"}`)
	fx.must(f, 201, "POST", "/api/v1/groups", `{"displayName":"G"}`)
	fx.must(f, 201, "POST", "/api/v1/apps", `{"name":"App"}`)
	paths := []struct{ method, path string }{
		{"POST", "/api/v1/users"}, {"PATCH", "/api/v1/users/u@x.io"}, {"POST", "/api/v1/groups"},
		{"PATCH", "/api/v1/groups/G/members"}, {"POST", "/api/v1/apps"}, {"POST", "/api/v1/apps/App/assignments"},
		{"PUT", "/api/v1/apps/App/job"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, p := range paths {
			r := fx.call(t, p.method, p.path, fx.admin, "application/json", body)
			if r.status >= 500 || (r.status >= 400 && r.errCode() == "") {
				t.Errorf("%s %s %q = %d %s, want 2xx or a 4xx JSON error", p.method, p.path, body, r.status, r.raw)
			}
		}
		r := fx.call(t, "POST", "/api/v1/imports/users", fx.admin, "text/csv", body)
		if r.status >= 500 {
			t.Errorf("import %q = %d %s, want no 5xx", body, r.status, r.raw)
		}
	})
}
