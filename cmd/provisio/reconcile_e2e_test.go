package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestJobReconcileEndToEnd: against a real server and tenant, an
// attribute and a membership changed directly over SCIM, an orphan added
// and an account deleted are the four findings of `job reconcile`;
// --repair puts the attribute and the membership back; a second
// reconcile finds only the orphan, and the next cycle recreates the gone
// account.
func TestJobReconcileEndToEnd(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
	var out map[string]any
	for _, upn := range []string{"alice@contoso.com", "bob@contoso.com", "carol@contoso.com"} {
		s.cliJSON(t, &out, "user", "create", upn, "--set", "surname=Lee", "--set", "displayName=Lee "+upn[:3])
	}
	s.cliJSON(t, &out, "group", "create", "Ops")
	s.cliJSON(t, &out, "group", "add-member", "Ops", "alice@contoso.com", "bob@contoso.com")
	s.cliJSON(t, &out, "app", "create", "Portal")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cliJSON(t, &out, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)
	s.cliJSON(t, &out, "app", "assign", "Portal", "--group", "Ops")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "carol@contoso.com")
	s.cliJSON(t, &out, "job", "stop", "Portal")
	if got, err := s.cliIn(t, nil, "job", "run", "Portal", "--wait"); err != nil {
		t.Fatalf("job run Portal --wait: %v\n%s", err, got)
	}

	alice := scimUser(t, ten, "alice@contoso.com")
	bob := scimUser(t, ten, "bob@contoso.com")["id"].(string)
	carol := scimUser(t, ten, "carol@contoso.com")["id"].(string)
	r := scimDo(t, "GET", ten.TenantURL+"/Groups?filter="+url.QueryEscape(`displayName eq "Ops"`), ten.Token, "")
	groups, _ := r.body["Resources"].([]any)
	if len(groups) != 1 {
		t.Fatalf("GET /Groups?filter displayName eq Ops = %s", r.raw)
	}
	ops := groups[0].(map[string]any)["id"].(string)
	for _, req := range []struct{ method, path, body string }{
		{"PATCH", "/Users/" + alice["id"].(string), `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Changed"}]}`},
		{"PATCH", "/Groups/" + ops, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"` + bob + `\"]"}]}`},
		{"POST", "/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"orphan@contoso.com"}`},
		{"DELETE", "/Users/" + carol, ""},
	} {
		if r := scimDo(t, req.method, ten.TenantURL+req.path, ten.Token, req.body); r.status >= 300 {
			t.Fatalf("%s %s = %d %s", req.method, req.path, r.status, r.raw)
		}
	}

	reconcile := func(args ...string) apitypes.Reconciliation {
		t.Helper()
		var rec apitypes.Reconciliation
		s.cliJSON(t, &rec, append([]string{"job", "reconcile", "Portal"}, args...)...)
		return rec
	}
	findings := func(rec apitypes.Reconciliation) []string {
		var out []string
		for _, f := range rec.Findings {
			out = append(out, f.Kind+" "+f.TargetName)
		}
		slices.Sort(out)
		return out
	}
	want := []string{"drift alice@contoso.com", "gone ", "members Ops", "orphan orphan@contoso.com"}
	if got := findings(reconcile()); !slices.Equal(got, want) {
		t.Fatalf("job reconcile = %q, want %q", got, want)
	}
	table, err := s.cliIn(t, nil, "job", "reconcile", "Portal", "--repair")
	if err != nil {
		t.Fatalf("job reconcile --repair: %v\n%s", err, table)
	}
	for _, want := range []string{"FINDING", "drift", `displayName: "Changed" → "Lee ali"`, "members", "0 added in the app, 1 removed in the app", "orphan", "gone", "yes"} {
		if !strings.Contains(table, want) {
			t.Errorf("job reconcile --repair lacks %q:\n%s", want, table)
		}
	}
	if got := scimUser(t, ten, "alice@contoso.com")["displayName"]; got != "Lee ali" {
		t.Errorf("alice's displayName after repair = %v, want Lee ali", got)
	}
	if r := scimDo(t, "GET", ten.TenantURL+"/Groups/"+ops, ten.Token, ""); r.status != http.StatusOK || !strings.Contains(r.raw, bob) {
		t.Errorf("GET /Groups/Ops after repair = %d %s, want bob a member again", r.status, r.raw)
	}
	if got := findings(reconcile()); !slices.Equal(got, []string{"orphan orphan@contoso.com"}) {
		t.Errorf("second job reconcile = %q, want only the orphan", got)
	}
	if got, err := s.cliIn(t, nil, "job", "run", "Portal", "--wait"); err != nil {
		t.Fatalf("job run Portal --wait: %v\n%s", err, got)
	}
	if scimUser(t, ten, "carol@contoso.com") == nil {
		t.Errorf("carol was not created again by the cycle after repair")
	}

	// The schedule: shown by job get, refused below a minute, turned off by 0.
	var job apitypes.Job
	s.cliJSON(t, &job, "job", "configure", "Portal", "--reconcile-every", "24h")
	if job.ReconcileEvery != "24h0m0s" {
		t.Errorf("job configure --reconcile-every 24h: reconcileEvery = %q, want 24h0m0s", job.ReconcileEvery)
	}
	if got, err := s.cliIn(t, nil, "job", "get", "Portal"); err != nil || !strings.Contains(got, "reconcileEvery") || !strings.Contains(got, "24h0m0s") {
		t.Errorf("job get Portal = %v\n%s, want reconcileEvery 24h0m0s", err, got)
	}
	if got, err := s.cliIn(t, nil, "job", "configure", "Portal", "--reconcile-every", "10s"); err == nil {
		t.Errorf("job configure --reconcile-every 10s succeeded, want refused:\n%s", got)
	}
	var off apitypes.Job
	s.cliJSON(t, &off, "job", "configure", "Portal", "--reconcile-every", "0")
	if off.ReconcileEvery != "" {
		t.Errorf("job configure --reconcile-every 0: reconcileEvery = %q, want absent", off.ReconcileEvery)
	}
}
