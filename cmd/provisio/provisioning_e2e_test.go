package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// cliIn runs a CLI command against s with extra environment; it returns
// stdout and the command's error.
func (s *serveProc) cliIn(t *testing.T, environ map[string]string, args ...string) (string, error) {
	t.Helper()
	return cli(t, environ, append(args, "--server", s.base, "--data-dir", s.dataDir)...)
}

// scimUser finds a user of a SCIM tenant by userName; nil if none.
func scimUser(t *testing.T, ten createdTenant, userName string) map[string]any {
	t.Helper()
	r := scimDo(t, "GET", ten.TenantURL+"/Users?filter="+url.QueryEscape(`userName eq "`+userName+`"`), ten.Token, "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /Users?filter userName eq %q = %d %s", userName, r.status, r.raw)
	}
	res, _ := r.body["Resources"].([]any)
	if len(res) == 0 {
		return nil
	}
	u, _ := res[0].(map[string]any)
	return u
}

// familyName returns name.familyName of a SCIM user.
func familyName(u map[string]any) any {
	name, _ := u["name"].(map[string]any)
	return name["familyName"]
}

type cycleJSON struct {
	ID    string         `json:"id"`
	Kind  string         `json:"kind"`
	Stats apitypes.Stats `json:"stats"`
	Error string         `json:"error"`
}

// runCycle runs `job run APP --wait --json` and decodes the summary.
func (s *serveProc) runCycle(t *testing.T, app string) cycleJSON {
	t.Helper()
	var cyc cycleJSON
	s.cliJSON(t, &cyc, "job", "run", app, "--wait")
	return cyc
}

// TestProvisioningEndToEnd drives the identity side through the CLI
// against one server that is also the application's SCIM service: users,
// a CSV import, a group, an app and its job; assign → provisioned,
// change → synchronized, unassign → disabled, on every database.
func TestProvisioningEndToEnd(t *testing.T) {
	for _, db := range testdb.All(t) {
		t.Run(db.Name, func(t *testing.T) {
			s := startServe(t, t.TempDir(), db.DSN(t))
			ten := s.createTenant(t, "Portal tenant", "--policy", "entra")
			testDirectoryCLI(t, s)
			testJobLoop(t, s, ten)
			testJobFailures(t, s, ten)
			if strings.Contains(s.stderr.String(), ten.Token) {
				t.Errorf("the server log contains the tenant's Secret Token")
			}
		})
	}
}

// testDirectoryCLI creates alice and (by CSV) bob and carol, updates,
// disables and restores users, and builds the group Sales.
func testDirectoryCLI(t *testing.T, s *serveProc) {
	var u map[string]any
	s.cliJSON(t, &u, "user", "create", "alice@contoso.com", "--set", "displayName=Alice Jensen", "--set", "givenName=Alice",
		"--set", "surname=Jensen", "--set", "mail=alice@contoso.com")
	if u["userPrincipalName"] != "alice@contoso.com" || u["accountEnabled"] != true || u["objectId"] == "" {
		t.Fatalf("user create = %v, want an enabled alice with an objectId", u)
	}
	aliceID := u["objectId"].(string)
	s.cliJSON(t, &u, "user", "update", "alice@contoso.com", "--set", "surname=Lee", "--set", "department=Sales")
	if u["surname"] != "Lee" || u["department"] != "Sales" || u["givenName"] != "Alice" {
		t.Errorf("user update = %v, want surname Lee, department Sales, givenName kept", u)
	}
	s.cliJSON(t, &u, "user", "get", aliceID)
	if u["userPrincipalName"] != "alice@contoso.com" {
		t.Errorf("user get by object id = %v, want alice", u)
	}

	csvPath := filepath.Join(t.TempDir(), "people.csv")
	csv := "userPrincipalName,displayName,givenName,surname,mail,department\n" +
		"bob@contoso.com,Bob Berg,Bob,Berg,bob@contoso.com,Sales\n" +
		"not-a-upn,Nobody,,,,\n" +
		"carol@contoso.com,Carol Dahl,Carol,Dahl,carol@contoso.com,Sales\n" +
		"alice@contoso.com,Alice Again,,,,\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := s.cliIn(t, nil, "user", "import", csvPath)
	if err == nil || !strings.Contains(err.Error(), "2 of 4 rows failed") {
		t.Errorf("user import with two bad rows: error = %v, want 2 of 4 rows failed", err)
	}
	for _, want := range []string{"4 rows, 2 users created", "3  ", "5  ", "not-a-upn", "alice@contoso.com"} {
		if !strings.Contains(out, want) {
			t.Errorf("user import output lacks %q:\n%s", want, out)
		}
	}
	var list struct {
		Users []map[string]any `json:"users"`
	}
	s.cliJSON(t, &list, "user", "list")
	if len(list.Users) != 3 {
		t.Errorf("user list = %d users, want alice, bob, carol", len(list.Users))
	}
	list.Users = nil
	s.cliJSON(t, &list, "user", "list", "--search", "BO")
	if len(list.Users) != 1 || list.Users[0]["userPrincipalName"] != "bob@contoso.com" {
		t.Errorf("user list --search BO = %v, want bob", list.Users)
	}
	// The same export, corrected and imported again with --update.
	fixed := strings.Replace(csv, "not-a-upn,Nobody,,,,\n", "", 1)
	fixed = strings.Replace(fixed, "Bob Berg,Bob,Berg,bob@contoso.com,Sales", "Bob Berg,Bob,Berg,bob@contoso.com,Marketing", 1)
	if err := os.WriteFile(csvPath, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = s.cliIn(t, nil, "user", "import", csvPath, "--update")
	if err != nil || !strings.Contains(out, "3 rows, 0 users created, 3 updated, 0 rows failed") {
		t.Errorf("user import --update = %q, %v; want 3 rows updated", out, err)
	}
	s.cliJSON(t, &u, "user", "get", "bob@contoso.com")
	if u["department"] != "Marketing" {
		t.Errorf("bob after import --update = %v, want department Marketing", u)
	}

	s.cliJSON(t, &u, "user", "disable", "carol@contoso.com")
	if u["accountEnabled"] != false {
		t.Errorf("user disable = %v, want accountEnabled false", u)
	}
	s.cliJSON(t, &u, "user", "enable", "carol@contoso.com")
	s.cliJSON(t, &u, "user", "delete", "carol@contoso.com")
	if u["deletedAt"] == nil {
		t.Errorf("user delete = %v, want deletedAt set", u)
	}
	s.cliJSON(t, &list, "user", "list", "--deleted")
	if len(list.Users) != 1 || list.Users[0]["userPrincipalName"] != "carol@contoso.com" {
		t.Errorf("user list --deleted = %v, want carol", list.Users)
	}
	u = nil // json.Unmarshal merges into a map: start afresh
	s.cliJSON(t, &u, "user", "restore", "carol@contoso.com")
	if u["deletedAt"] != nil || u["accountEnabled"] != true {
		t.Errorf("user restore = %v, want carol back and enabled", u)
	}

	var g map[string]any
	s.cliJSON(t, &g, "group", "create", "Sales", "--description", "Sales team")
	members := filepath.Join(t.TempDir(), "members.txt")
	if err := os.WriteFile(members, []byte("# the sales team\ncarol@contoso.com\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var added map[string]any
	s.cliJSON(t, &added, "group", "add-member", "Sales", "bob@contoso.com", "--file", members)
	if added["added"] != float64(2) {
		t.Errorf("group add-member = %v, want 2 added", added)
	}
	s.cliJSON(t, &g, "group", "get", "Sales")
	if ms, _ := g["members"].([]any); len(ms) != 2 {
		t.Errorf("group get = %v, want two members", g)
	}
	var removed map[string]any
	s.cliJSON(t, &removed, "group", "remove-member", "Sales", "carol@contoso.com")
	s.cliJSON(t, &added, "group", "add-member", "Sales", "carol@contoso.com")
	if removed["removed"] != float64(1) || added["added"] != float64(1) {
		t.Errorf("group remove-member, add-member = %v, %v; want 1 removed, 1 added", removed, added)
	}
	s.cliJSON(t, &u, "user", "create", "temp@contoso.com")
	var purged map[string]any
	s.cliJSON(t, &purged, "user", "purge", "temp@contoso.com")
	if _, err := s.cliIn(t, nil, "user", "get", "temp@contoso.com"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("user get after purge: error = %v, want a 404", err)
	}
	if _, err := s.cliIn(t, nil, "group", "add-member", "Sales", "nobody@contoso.com"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("group add-member of an unknown user: error = %v, want a 404", err)
	}
}

// testJobLoop: configure the job to the tenant, assign, run, check the
// tenant; change → synchronized; unassign → disabled.
func testJobLoop(t *testing.T, s *serveProc, ten createdTenant) {
	var app map[string]any
	s.cliJSON(t, &app, "app", "create", "Portal")
	if app["name"] != "Portal" || app["id"] == "" || len(app) != 2 {
		t.Fatalf("app create --json = %v, want {id, name}", app)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var job map[string]any
	s.cliJSON(t, &job, "job", "configure", "Portal", "--tenant-url", ten.TenantURL, "--token-file", tokenFile, "--interval", "30s")
	if job["tokenSet"] != true || job["enabled"] != false || job["interval"] != "30s" || job["scope"] != "assigned" {
		t.Errorf("job configure = %v, want a stopped job with a token, interval 30s, scope assigned", job)
	}
	if b, _ := json.Marshal(job); strings.Contains(string(b), ten.Token) {
		t.Errorf("job configure shows the token: %s", b)
	}
	var test map[string]any
	s.cliJSON(t, &test, "job", "test", "Portal")
	if test["ok"] != true {
		t.Errorf("job test = %v, want ok", test)
	}

	var as map[string]any
	s.cliJSON(t, &as, "app", "assign", "Portal", "--user", "alice@contoso.com")
	s.cliJSON(t, &as, "app", "assign", "Portal", "--group", "Sales", "--role", "User")
	if as["principalName"] != "Sales" || as["appRoleId"] != "User" {
		t.Errorf("app assign --group = %v, want Sales with role User", as)
	}
	var plan struct {
		Kind    string         `json:"kind"`
		Counts  map[string]int `json:"counts"`
		Actions []map[string]any
	}
	s.cliJSON(t, &plan, "job", "plan", "Portal")
	if plan.Kind != "initial" || plan.Counts["create"] != 4 {
		t.Errorf("job plan = %+v, want an initial plan creating 3 users and 1 group", plan)
	}
	if scimUser(t, ten, "alice@contoso.com") != nil {
		t.Fatal("job plan wrote to the tenant")
	}

	cyc := s.runCycle(t, "Portal")
	if cyc.Kind != "initial" || cyc.Stats.Created != 4 || cyc.Stats.Failed != 0 || cyc.Error != "" {
		t.Fatalf("job run --wait = %+v, want an initial cycle creating 4", cyc)
	}
	alice := scimUser(t, ten, "alice@contoso.com")
	if alice == nil || alice["active"] != true || familyName(alice) != "Lee" {
		t.Fatalf("alice in the tenant = %v, want active with familyName Lee", alice)
	}
	for _, upn := range []string{"bob@contoso.com", "carol@contoso.com"} {
		if u := scimUser(t, ten, upn); u == nil || u["active"] != true {
			t.Errorf("%s in the tenant = %v, want active (through the assigned group)", upn, u)
		}
	}
	var st map[string]any
	s.cliJSON(t, &st, "job", "status", "Portal")
	links, _ := st["links"].(map[string]any)
	last, _ := st["lastCycle"].(map[string]any)
	if st["state"] != "stopped" || st["cycleKind"] != "incremental" || links["users"] != float64(3) || links["groups"] != float64(1) || last["id"] != cyc.ID {
		t.Errorf("job status = %v, want stopped, next incremental, 3 users and 1 group managed, last cycle %s", st, cyc.ID)
	}
	var logs struct {
		Entries []map[string]any `json:"entries"`
	}
	s.cliJSON(t, &logs, "job", "logs", "Portal", "--action", "create", "--status", "success")
	if len(logs.Entries) != 4 {
		t.Errorf("job logs --action create = %d entries, want 4", len(logs.Entries))
	}
	for _, tc := range []struct {
		args []string
		rows int
	}{
		{[]string{"--since", "1h", "--action", "create", "--format", "csv"}, 1 + 4},
		{[]string{"--since", "1h", "--change-id", logs.Entries[0]["changeId"].(string), "--format", "csv"}, 1 + 1},
		{[]string{"--until", "1h", "--format", "csv"}, 1},
	} {
		out, err := s.cliIn(t, nil, append([]string{"job", "logs", "Portal"}, tc.args...)...)
		if rows, perr := csv.NewReader(strings.NewReader(out)).ReadAll(); err != nil || perr != nil || len(rows) != tc.rows {
			t.Errorf("job logs %s = %d rows, %v, %v; want %d", strings.Join(tc.args, " "), len(rows), err, perr, tc.rows)
		}
	}

	cyc = s.runCycle(t, "Portal")
	if cyc.Kind != "incremental" || cyc.Stats.Requests != 0 {
		t.Errorf("job run with nothing changed = %+v, want an incremental cycle without requests", cyc)
	}
	var u map[string]any
	s.cliJSON(t, &u, "user", "update", "bob@contoso.com", "--set", "surname=Lund")
	cyc = s.runCycle(t, "Portal")
	if cyc.Stats.Updated != 1 {
		t.Errorf("job run after a surname change = %+v, want 1 updated", cyc)
	}
	if bob := scimUser(t, ten, "bob@contoso.com"); familyName(bob) != "Lund" {
		t.Errorf("bob in the tenant = %v, want familyName Lund", bob)
	}

	var un map[string]any
	s.cliJSON(t, &un, "app", "unassign", "Portal", "--user", "alice@contoso.com")
	cyc = s.runCycle(t, "Portal")
	if cyc.Stats.Disabled != 1 {
		t.Errorf("job run after unassigning alice = %+v, want 1 disabled", cyc)
	}
	if alice := scimUser(t, ten, "alice@contoso.com"); alice == nil || alice["active"] != false {
		t.Errorf("alice in the tenant after unassign = %v, want active false", alice)
	}

	// A soft-deleted group leaves the scope: the job deletes it in the
	// application and disables the users it brought in; restored, both
	// come back.
	salesInTenant := func() int {
		r := scimDo(t, "GET", ten.TenantURL+"/Groups?filter="+url.QueryEscape(`displayName eq "Sales"`), ten.Token, "")
		n, _ := r.body["totalResults"].(float64)
		return int(n)
	}
	var g map[string]any
	s.cliJSON(t, &g, "group", "delete", "Sales")
	if g["deletedAt"] == nil {
		t.Errorf("group delete = %v, want a soft-deleted group", g)
	}
	cyc = s.runCycle(t, "Portal")
	if cyc.Stats.Deleted != 1 || cyc.Stats.Disabled != 2 || salesInTenant() != 0 {
		t.Errorf("job run after deleting Sales = %+v (Sales in the tenant: %d), want it deleted and bob and carol disabled", cyc, salesInTenant())
	}
	if bob := scimUser(t, ten, "bob@contoso.com"); bob == nil || bob["active"] != false {
		t.Errorf("bob after Sales was deleted = %v, want active false", bob)
	}
	s.cliJSON(t, &g, "group", "restore", "Sales")
	cyc = s.runCycle(t, "Portal")
	if cyc.Stats.Created != 1 || cyc.Stats.Updated != 2 || salesInTenant() != 1 {
		t.Errorf("job run after restoring Sales = %+v (Sales in the tenant: %d), want it created again and bob and carol enabled", cyc, salesInTenant())
	}
	if bob := scimUser(t, ten, "bob@contoso.com"); bob == nil || bob["active"] != true {
		t.Errorf("bob after Sales was restored = %v, want active true", bob)
	}

	table, err := s.cliIn(t, nil, "job", "status", "Portal")
	if err != nil || !strings.Contains(table, "MANAGED") || !strings.Contains(table, "3 users, 1 groups (1 disabled") {
		t.Errorf("job status (table) = %q, %v; want the managed counts", table, err)
	}
	s.cliJSON(t, &st, "job", "restart", "Portal")
	if st["cycleKind"] != "initial" {
		t.Errorf("job restart = %v, want the next cycle initial", st)
	}
	s.cliJSON(t, &job, "job", "start", "Portal")
	if job["enabled"] != true {
		t.Errorf("job start = %v, want enabled", job)
	}
	s.cliJSON(t, &job, "job", "stop", "Portal")
	if job["enabled"] != false {
		t.Errorf("job stop = %v, want disabled", job)
	}
}

// testJobFailures: a wrong token fails Test Connection precisely; an app
// without a job and unknown names fail with the server's 4xx.
func testJobFailures(t *testing.T, s *serveProc, ten createdTenant) {
	var app map[string]any
	s.cliJSON(t, &app, "app", "create", "Broken")
	if _, err := s.cliIn(t, nil, "job", "run", "Broken", "--wait"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("job run of an app without a job: error = %v, want a 404", err)
	}
	env := map[string]string{JobTokenEnv: "pvt_" + strings.Repeat("x", 43)}
	if _, err := s.cliIn(t, env, "job", "configure", "Broken", "--tenant-url", ten.TenantURL); err != nil {
		t.Fatalf("job configure with $%s: %v", JobTokenEnv, err)
	}
	_, err := s.cliIn(t, nil, "job", "test", "Broken")
	if err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("job test with a wrong token: error = %v, want the credentials reason", err)
	}
	if _, err := s.cliIn(t, nil, "job", "configure", "Broken", "--interval", "soon"); err == nil || !strings.Contains(err.Error(), "400") {
		t.Errorf("job configure --interval soon: error = %v, want a 400", err)
	}
	if _, err := s.cliIn(t, nil, "app", "assign", "Nowhere", "--user", "bob@contoso.com"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("app assign to an unknown app: error = %v, want a 404", err)
	}
	if _, err := s.cliIn(t, nil, "app", "assign", "Broken", "--user", "bob@contoso.com", "--group", "Sales"); err == nil {
		t.Error("app assign with --user and --group: error = nil, want one of them")
	}
	var deleted map[string]any
	s.cliJSON(t, &deleted, "app", "delete", "Broken")
	var jobs struct {
		Jobs []map[string]any `json:"jobs"`
	}
	s.cliJSON(t, &jobs, "job", "list")
	if len(jobs.Jobs) != 1 {
		t.Errorf("job list after deleting Broken = %v, want only Portal's job", jobs.Jobs)
	}
}

// TestDirectoryHelp: every new command answers --help without a server.
func TestDirectoryHelp(t *testing.T) {
	for _, args := range [][]string{
		{"user"}, {"user", "create"}, {"user", "get"}, {"user", "list"}, {"user", "update"}, {"user", "disable"},
		{"user", "enable"}, {"user", "delete"}, {"user", "restore"}, {"user", "purge"}, {"user", "import"},
		{"group"}, {"group", "create"}, {"group", "list"}, {"group", "get"}, {"group", "delete"}, {"group", "restore"}, {"group", "purge"},
		{"group", "add-member"}, {"group", "remove-member"},
		{"app"}, {"app", "create"}, {"app", "list"}, {"app", "get"}, {"app", "delete"}, {"app", "assign"},
		{"app", "unassign"}, {"app", "assignments"},
		{"job"}, {"job", "configure"}, {"job", "get"}, {"job", "list"}, {"job", "delete"}, {"job", "start"},
		{"job", "stop"}, {"job", "run"}, {"job", "status"}, {"job", "runs"}, {"job", "logs"}, {"job", "plan"},
		{"job", "restart"}, {"job", "test"}, {"job", "escrows"}, {"job", "retry"},
	} {
		out, err := cli(t, nil, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("provisio %s --help = %q, %v; want usage", strings.Join(args, " "), out, err)
		}
	}
}

// TestJobRunQueued: with one cycle slot taken by a cycle hanging on a
// target that accepts connections and never answers, `job run` of another
// job says it queued the cycle, its status says queued, and `job stop`
// cancels it; serve still shuts down in time.
func TestJobRunQueued(t *testing.T) {
	s := startServe(t, t.TempDir(), "", "--max-concurrent-cycles", "1")
	url, accepted, _ := hangingTarget(t)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tok\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	s.cliJSON(t, &out, "user", "create", "alice@contoso.com")
	for _, app := range []string{"Hanging", "Waiting"} {
		s.cliJSON(t, &out, "app", "create", app)
		s.cliJSON(t, &out, "job", "configure", app, "--tenant-url", url, "--token-file", tokenFile)
		s.cliJSON(t, &out, "app", "assign", app, "--user", "alice@contoso.com")
	}
	if got, err := s.cliIn(t, nil, "job", "run", "Hanging"); err != nil || !strings.Contains(got, "Started a cycle of Hanging") {
		t.Fatalf("job run Hanging = %q, %v; want it started", got, err)
	}
	select {
	case <-accepted: // the cycle holds the only slot
	case <-time.After(10 * time.Second):
		t.Fatal("the cycle of Hanging did not reach its target")
	}
	if got, err := s.cliIn(t, nil, "job", "run", "Waiting"); err != nil || !strings.Contains(got, "Queued a cycle of Waiting") {
		t.Errorf("job run Waiting while the only slot is taken = %q, %v; want it queued", got, err)
	}
	var st map[string]any
	if s.cliJSON(t, &st, "job", "status", "Waiting"); st["state"] != "queued" {
		t.Errorf("job status Waiting = %v, want state queued", st["state"])
	}
	s.cliJSON(t, &out, "job", "stop", "Waiting") // cancels the queued cycle, without waiting
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if s.cliJSON(t, &st, "job", "status", "Waiting"); st["state"] == "stopped" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job status Waiting after job stop = %v, want state stopped", st["state"])
		}
	}
	start := time.Now()
	s.shutdown(t)
	t.Logf("serve stopped %s after it was told to, with a cycle hanging", time.Since(start).Round(time.Millisecond))
}
