package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// lastLine is the last non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestJobPreviewEndToEnd: `job preview` shows the POST of a new user,
// nothing for it once provisioned, the PATCH of a changed department, and
// writes nothing to the application or the job.
func TestJobPreviewEndToEnd(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
	var u map[string]any
	s.cliJSON(t, &u, "user", "create", "alice@contoso.com", "--set", "givenName=Alice", "--set", "surname=Jensen",
		"--set", "displayName=Alice Jensen", "--set", "department=Sales")
	s.cliJSON(t, &u, "group", "create", "Ops")
	s.cliJSON(t, &u, "app", "create", "Portal")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cliJSON(t, &u, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)
	s.cliJSON(t, &u, "app", "assign", "Portal", "--user", "alice@contoso.com")

	preview := func(args ...string) string {
		t.Helper()
		out, err := s.cliIn(t, nil, append([]string{"job", "preview", "Portal"}, args...)...)
		if err != nil {
			t.Fatalf("job preview Portal %v: %v", args, err)
		}
		return out
	}
	// A new user: the POST with the mapped body.
	out := preview("--user", "alice@contoso.com")
	for _, want := range []string{"POST /Users\n{", `"userName": "alice@contoso.com"`, `"familyName": "Jensen"`, `"department": "Sales"`} {
		if !strings.Contains(out, want) {
			t.Errorf("job preview of a new user lacks %q:\n%s", want, out)
		}
	}
	var p apitypes.Preview
	s.cliJSON(t, &p, "job", "preview", "Portal", "--user", "alice@contoso.com")
	if p.Action != "create" || len(p.Requests) != 1 || p.Requests[0].Method != "POST" || p.Requests[0].Path != "/Users" {
		t.Errorf("job preview --json = %+v, want one POST /Users", p)
	}
	if scimUser(t, ten, "alice@contoso.com") != nil {
		t.Fatal("job preview created the user in the tenant")
	}
	var st apitypes.JobStatus
	s.cliJSON(t, &st, "job", "status", "Portal")
	if st.LastCycle != nil || st.Links.Users != 0 {
		t.Errorf("job status after a preview = %+v, want no cycle and no link", st)
	}

	cyc := s.runCycle(t, "Portal")
	if cyc.Stats.Created != 1 {
		t.Fatalf("job run = %+v, want alice created", cyc)
	}
	tests := []struct {
		name   string
		change []string // a CLI command run first
		args   []string
		want   []string // fragments of the output
	}{
		{"provisioned and unchanged", nil, []string{"--user", "alice@contoso.com"}, []string{"no request: unchanged"}},
		{"department changed", []string{"user", "update", "alice@contoso.com", "--set", "department=Marketing"},
			[]string{"--user", "alice@contoso.com"},
			[]string{"PATCH /Users/", `"op": "replace"`, `"path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"`, `"value": "Marketing"`}},
		{"group not assigned", nil, []string{"--group", "Ops"}, []string{"no request: not provisioned: not assigned"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				if _, err := s.cliIn(t, nil, tt.change...); err != nil {
					t.Fatalf("provisio %v: %v", tt.change, err)
				}
			}
			out := preview(tt.args...)
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("job preview Portal %v lacks %q:\n%s", tt.args, want, out)
				}
			}
		})
	}
	// Nothing was written: the tenant keeps the old department, the job
	// its one cycle.
	ext, _ := scimUser(t, ten, "alice@contoso.com")["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
	if ext["department"] != "Sales" {
		t.Errorf("alice's department in the tenant = %v, want Sales (a preview writes nothing)", ext["department"])
	}
	s.cliJSON(t, &st, "job", "status", "Portal")
	if st.LastCycle == nil || st.LastCycle.ID != cyc.ID {
		t.Errorf("job status last cycle = %+v, want %s", st.LastCycle, cyc.ID)
	}
	if _, err := s.cliIn(t, nil, "job", "preview", "Portal"); err == nil || !strings.Contains(err.Error(), "--user") {
		t.Errorf("job preview without --user or --group: error = %v, want one naming --user", err)
	}
}

// TestExprEvalEndToEnd evaluates expressions through the CLI: against a
// directory user, as an application's job sees it, against --set
// attributes, and a syntax error with a caret under its position.
func TestExprEvalEndToEnd(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	var u map[string]any
	s.cliJSON(t, &u, "user", "create", "alice@contoso.com", "--set", "givenName=Alice", "--set", "surname=Jensen",
		"--set", "department=Sales")
	s.cliJSON(t, &u, "app", "create", "Portal")
	s.cliJSON(t, &u, "app", "assign", "Portal", "--user", "alice@contoso.com")
	tests := []struct {
		name string
		args []string
		want string // the last line
	}{
		{"join", []string{`Join(" ", [givenName], [surname])`, "--user", "alice@contoso.com"}, "Alice Jensen"},
		{"switch", []string{`Switch([department], "Other", "Sales", "S", "IT", "I")`, "--user", "alice@contoso.com"}, "S"},
		{"set overrides the user", []string{`Switch([department], "Other", "Sales", "S", "IT", "I")`, "--user", "alice@contoso.com", "--set", "department=IT"}, "I"},
		{"set alone, multi-valued", []string{`Join(";", [proxyAddresses])`, "--set", "proxyAddresses=smtp:a@x", "--set", "proxyAddresses=smtp:b@x"}, "smtp:a@x;smtp:b@x"},
		{"list as JSON", []string{`Split([x], ",")`, "--set", "x=a,b"}, `["a","b"]`},
		{"boolean", []string{`IsNullOrEmpty([mobile])`, "--user", "alice@contoso.com"}, "true"},
		{"null", []string{`[mobile]`, "--user", "alice@contoso.com"}, nullText},
		{"as the job sees it", []string{`Not([IsSoftDeleted])`, "--user", "alice@contoso.com", "--app", "Portal"}, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.cliIn(t, nil, append([]string{"expr", "eval"}, tt.args...)...)
			if err != nil || lastLine(out) != tt.want {
				t.Errorf("expr eval %q = %q, %v; want last line %q", tt.args, out, err, tt.want)
			}
		})
	}
	_, err := s.cliIn(t, nil, "expr", "eval", `Join(",", Jion([a]))`)
	want := "  Join(\",\", Jion([a]))\n            ^"
	if err == nil || !strings.HasSuffix(err.Error(), want) || !strings.Contains(err.Error(), `unknown function "Jion"`) {
		t.Errorf("expr eval of a misspelt function: error = %v, want the message and a caret:\n%s", err, want)
	}
	if _, err := s.cliIn(t, nil, "expr", "eval", `[x]`, "--user", "nobody@contoso.com"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("expr eval --user of an unknown user: error = %v, want a 404", err)
	}
}
