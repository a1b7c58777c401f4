package main

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/server"
)

// TestMappingAndScopingCLI edits a job's mappings and scoping filters
// through the CLI, one at a time: mapping set/list/remove/reset, scoping
// add/list/remove, the save-time checks, the restart a change causes (job
// plan shows an initial cycle) and --skip-out-of-scope-deletions.
func TestMappingAndScopingCLI(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
	var out map[string]any
	s.cliJSON(t, &out, "user", "create", "alice@contoso.com", "--set", "department=Sales")
	s.cliJSON(t, &out, "app", "create", "Portal")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "alice@contoso.com")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cliJSON(t, &out, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Created != 1 {
		t.Fatalf("job run = %+v, want alice created", cyc)
	}
	mustCLI := func(args ...string) string {
		t.Helper()
		stdout, err := s.cliIn(t, nil, args...)
		if err != nil {
			t.Fatalf("provisio %s: %v", strings.Join(args, " "), err)
		}
		return stdout
	}

	if got := mustCLI("job", "mapping", "list", "Portal"); !strings.Contains(got, "TARGET") || !strings.Contains(got, "userPrincipalName") || !strings.Contains(got, "Not([IsSoftDeleted])") {
		t.Errorf("job mapping list = %q, want a table with userPrincipalName and Not([IsSoftDeleted])", got)
	}
	mustCLI("job", "mapping", "set", "Portal", "--target", "nickName", "--source", "mailNickname")
	var plan struct {
		Kind string `json:"kind"`
	}
	s.cliJSON(t, &plan, "job", "plan", "Portal")
	if plan.Kind != "initial" {
		t.Errorf("job plan after mapping set = %+v, want an initial cycle (the change restarts the job)", plan)
	}
	if _, err := s.cliIn(t, nil, "job", "mapping", "set", "Portal", "--target", "nickName", "--source", "shoeSize"); err == nil || !strings.Contains(err.Error(), "shoeSize") {
		t.Errorf("job mapping set --source shoeSize = %v, want it refused naming shoeSize", err)
	}
	if _, err := s.cliIn(t, nil, "job", "mapping", "set", "Portal", "--target", "nickName"); err == nil {
		t.Errorf("job mapping set without a source = nil error, want one")
	}
	var tm apitypes.TypeMappings
	s.cliJSON(t, &tm, "job", "mapping", "list", "Portal")
	n := len(tm.Attributes)
	if tm.Attributes[n-1].Target != "nickName" || tm.Attributes[n-1].Source != "mailNickname" {
		t.Errorf("job mapping list --json last = %+v, want nickName from mailNickname", tm.Attributes[n-1])
	}
	s.cliJSON(t, &tm, "job", "mapping", "remove", "Portal", "--target", `EMAILS[type eq "work"].value`)
	if len(tm.Attributes) != n-1 {
		t.Errorf("job mapping remove emails = %d mappings, want %d", len(tm.Attributes), n-1)
	}

	mustCLI("job", "scoping", "add", "Portal", "--clause", "department EQUALS Sales")
	if got := mustCLI("job", "scoping", "list", "Portal"); !strings.Contains(got, "1") || !strings.Contains(got, "department EQUALS Sales") {
		t.Errorf("job scoping list = %q, want filter 1: department EQUALS Sales", got)
	}
	if _, err := s.cliIn(t, nil, "job", "scoping", "add", "Portal", "--clause", "shoeSize EQUALS 44"); err == nil || !strings.Contains(err.Error(), "shoeSize") {
		t.Errorf("job scoping add shoeSize = %v, want it refused naming shoeSize", err)
	}
	if got := mustCLI("job", "scoping", "remove", "Portal", "1"); !strings.Contains(got, "No scoping filters") {
		t.Errorf("job scoping remove 1 = %q, want no filters left", got)
	}
	if got := mustCLI("job", "scoping", "list", "Portal", "--type", "group"); !strings.Contains(got, "No scoping filters for groups") {
		t.Errorf("job scoping list --type group = %q, want none", got)
	}

	mustCLI("job", "mapping", "reset", "Portal")
	s.cliJSON(t, &tm, "job", "mapping", "list", "Portal")
	if len(tm.Attributes) != n-1 || len(tm.Scoping) != 0 {
		t.Errorf("job mapping reset = %d mappings, %d filters; want the %d defaults, none", len(tm.Attributes), len(tm.Scoping), n-1)
	}

	var job apitypes.Job
	s.cliJSON(t, &job, "job", "set", "Portal", "--skip-out-of-scope-deletions=true")
	if !job.SkipOutOfScopeDeletions {
		t.Errorf("job set --skip-out-of-scope-deletions=true = %+v, want it on", job)
	}
	if got := mustCLI("job", "get", "Portal"); !strings.Contains(got, "skipOutOfScopeDeletions  true") || !strings.Contains(got, "Schema: mappings fitted") {
		t.Errorf("job get = %q, want skipOutOfScopeDeletions true and the schema line", got)
	}
}

// TestStrictApplicationCLI: an application whose /ResourceTypes declares
// no enterprise extension (issue 10's RFC-strict server) gets the default
// mappings without the enterprise attributes, "job get" and "job test"
// list them as excluded with the reason, and a mapping to one is refused
// when saved.
func TestStrictApplicationCLI(t *testing.T) {
	std, reg := scim.NewStandardRegistry(), scim.NewRegistry()
	for _, sc := range std.Schemas() {
		if sc.ID != scim.EnterpriseUserSchema {
			if err := reg.AddSchema(sc); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, rt := range []*scim.ResourceType{{Name: "User", Endpoint: "/Users", Schema: scim.UserSchema}, {Name: "Group", Endpoint: "/Groups", Schema: scim.GroupSchema}} {
		if err := reg.AddResourceType(rt); err != nil {
			t.Fatal(err)
		}
	}
	strict := httptest.NewServer(server.New(server.Config{Registry: reg, Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)}))
	defer strict.Close()

	s := startServe(t, t.TempDir(), "")
	var out map[string]any
	s.cliJSON(t, &out, "app", "create", "Strict")
	if _, err := s.cliIn(t, map[string]string{JobTokenEnv: "any"}, "job", "configure", "Strict", "--tenant-url", strict.URL); err != nil {
		t.Fatalf("job configure Strict: %v", err)
	}
	const excluded = "excluded: " + scim.EnterpriseUserSchema + ":department — the application does not declare the enterprise extension"
	for _, args := range [][]string{{"job", "get", "Strict"}, {"job", "test", "Strict"}} {
		got, err := s.cliIn(t, nil, args...)
		if err != nil || !strings.Contains(got, excluded) {
			t.Errorf("provisio %s = %q, %v; want %q", strings.Join(args, " "), got, err, excluded)
		}
	}
	if got, _ := s.cliIn(t, nil, "job", "mapping", "list", "Strict"); strings.Contains(got, "employeeId") || !strings.Contains(got, excluded) {
		t.Errorf("job mapping list Strict = %q, want no enterprise mapping and the exclusions", got)
	}
	_, err := s.cliIn(t, nil, "job", "mapping", "set", "Strict", "--target", scim.EnterpriseUserSchema+":department", "--source", "department")
	if err == nil || !strings.Contains(err.Error(), "does not declare the enterprise extension") {
		t.Errorf("job mapping set enterprise department = %v, want it refused with the reason", err)
	}
}
