package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestJobProvisionEndToEnd: `job provision` against a real server and
// tenant, with the job stopped: a new user goes through Import, Scope
// (in), Match (not found) and Action (create, 201) and is in the tenant;
// a user the scoping filter leaves out and one not assigned get a scope
// step that says why and nothing is sent; a group is provisioned with
// its members; the log entries carry the on-demand cycle.
func TestJobProvisionEndToEnd(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
	var out map[string]any
	for _, u := range []struct{ upn, dept string }{{"alice@contoso.com", "Sales"}, {"bob@contoso.com", "Legal"}, {"carol@contoso.com", "Sales"}} {
		s.cliJSON(t, &out, "user", "create", u.upn, "--set", "department="+u.dept, "--set", "surname=Lee")
	}
	s.cliJSON(t, &out, "app", "create", "Portal")
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cliJSON(t, &out, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)
	s.cliJSON(t, &out, "job", "scoping", "add", "Portal", "--clause", "department NOT_EQUALS Legal")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "alice@contoso.com")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--user", "bob@contoso.com")
	s.cliJSON(t, &out, "job", "stop", "Portal")

	provision := func(args ...string) string {
		t.Helper()
		got, err := s.cliIn(t, nil, append([]string{"job", "provision", "Portal"}, args...)...)
		if err != nil {
			t.Fatalf("job provision Portal %v: %v\n%s", args, err, got)
		}
		return got
	}
	start := time.Now()
	got := provision("--user", "alice@contoso.com")
	took := time.Since(start)
	t.Logf("job provision of a new user took %s:\n%s", took.Round(time.Millisecond), got)
	for _, want := range []string{
		"User alice@contoso.com: create (success)",
		"1. Import user [success]", "userPrincipalName: alice@contoso.com", "department: Sales",
		"2. Determine if user is in scope [success]: in scope; assigned directly; filter 1: department NOT EQUALS Legal: true",
		"3. Match user between source and target system [success]: no target object matches userName = \"alice@contoso.com\"",
		"GET /Users?filter=userName+eq+%22alice%40contoso.com%22 → 200",
		"4. Perform action [success]: create", "POST /Users → 201", `"userName": "alice@contoso.com"`,
		"Modified properties:", `userName: "" → "alice@contoso.com"`,
		"created 1,",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("job provision of a new user lacks %q:\n%s", want, got)
		}
	}
	if took > time.Second {
		t.Errorf("job provision of one user took %s, want under a second against a local application", took)
	}
	if scimUser(t, ten, "alice@contoso.com") == nil {
		t.Fatal("alice is not in the tenant after job provision")
	}

	// Out of scope: the scope step says why, and nothing is sent.
	for _, tt := range []struct{ upn, why string }{
		{"bob@contoso.com", "2. Determine if user is in scope [skipped]: out of scope: scoping filter: department NOT EQUALS Legal is false"},
		{"carol@contoso.com", "2. Determine if user is in scope [skipped]: not assigned to the application"},
	} {
		var res apitypes.OnDemandResult
		s.cliJSON(t, &res, "job", "provision", "Portal", "--user", tt.upn)
		if len(res.Objects) != 1 || res.Objects[0].Entry.Action != "skip" || len(res.Objects[0].Exchanges) != 0 {
			t.Errorf("job provision --user %s --json = %+v, want a skip that sends nothing", tt.upn, res)
		}
		if got := provision("--user", tt.upn); !strings.Contains(got, tt.why) {
			t.Errorf("job provision --user %s lacks %q:\n%s", tt.upn, tt.why, got)
		}
		if scimUser(t, ten, tt.upn) != nil {
			t.Errorf("%s is in the tenant after job provision, want not", tt.upn)
		}
	}

	// A group with its members, in one go.
	s.cliJSON(t, &out, "group", "create", "Ops")
	s.cliJSON(t, &out, "group", "add-member", "Ops", "carol@contoso.com")
	s.cliJSON(t, &out, "app", "assign", "Portal", "--group", "Ops")
	var res apitypes.OnDemandResult
	s.cliJSON(t, &res, "job", "provision", "Portal", "--group", "Ops")
	if len(res.Objects) != 2 || res.Objects[0].Entry.SourceName != "carol@contoso.com" || res.Objects[0].Entry.Action != "create" ||
		res.Objects[1].Entry.ObjectType != "Group" || res.Objects[1].Entry.Action != "create" {
		t.Errorf("job provision --group Ops --json = %+v, want carol created, then Ops", res)
	}
	if scimUser(t, ten, "carol@contoso.com") == nil {
		t.Error("carol is not in the tenant after job provision --group Ops")
	}

	// The job is still stopped, the log entries carry the on-demand cycle,
	// and the first cycle finds everything done.
	var st apitypes.JobStatus
	if s.cliJSON(t, &st, "job", "status", "Portal"); st.State != "stopped" || st.LastCycle != nil || st.Links.Users != 2 || st.Links.Groups != 1 {
		t.Errorf("job status after job provision = %+v, want stopped, no last cycle, 2 users and 1 group linked", st)
	}
	var logs apitypes.LogPage
	if s.cliJSON(t, &logs, "job", "logs", "Portal", "--cycle", res.CycleID); len(logs.Entries) != 2 {
		t.Errorf("job logs --cycle %s = %d entries, want 2", res.CycleID, len(logs.Entries))
	}
	if cyc := s.runCycle(t, "Portal"); cyc.Stats.Created != 0 || cyc.Stats.Updated != 0 || cyc.Stats.Failed != 0 {
		t.Errorf("first cycle after job provision = %+v, want nothing created, updated or failed", cyc.Stats)
	}
}

// TestJobProvisionBusy: while a cycle of the job runs (its target hangs),
// job provision fails with job_busy.
func TestJobProvisionBusy(t *testing.T) {
	s := startServe(t, t.TempDir(), "")
	url, accepted, stop := hangingTarget(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	s.cliJSON(t, &out, "user", "create", "alice@contoso.com")
	s.cliJSON(t, &out, "app", "create", "Hanging")
	s.cliJSON(t, &out, "job", "configure", "Hanging", "--tenant-url", url, "--token-file", tokenFile)
	s.cliJSON(t, &out, "app", "assign", "Hanging", "--user", "alice@contoso.com")
	if got, err := s.cliIn(t, nil, "job", "run", "Hanging"); err != nil || !strings.Contains(got, "Started a cycle of Hanging") {
		t.Fatalf("job run Hanging = %q, %v; want it started", got, err)
	}
	select {
	case <-accepted:
	case <-time.After(10 * time.Second):
		t.Fatal("the cycle of Hanging did not reach its target")
	}
	if got, err := s.cliIn(t, nil, "job", "provision", "Hanging", "--user", "alice@contoso.com"); err == nil || !strings.Contains(err.Error(), "job_busy") {
		t.Errorf("job provision while a cycle runs = %q, %v; want a job_busy error", got, err)
	}
	stop() // the held connection is dropped: the cycle ends
}

// hangingTarget is a Tenant URL whose server accepts connections and never
// answers; accepted receives each connection. stop closes the listener
// and the connections (also at the end of the test).
func hangingTarget(t *testing.T) (tenantURL string, accepted <-chan net.Conn, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			conns <- c
		}
	}()
	stop = sync.OnceFunc(func() { ln.Close() })
	t.Cleanup(stop)
	return "http://" + ln.Addr().String() + "/scim/v2", conns, stop
}
