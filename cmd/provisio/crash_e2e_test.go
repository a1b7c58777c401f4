package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// crashUsers is the size of the crash test's directory; with 10,000 the
// test takes about 25 s (docs/benchmarks.md, "Crash test").
const crashUsers = 10_000

// TestKillDuringInitialCycle runs provisio as a process, serves on SQLite with one
// of its own tenants as the application, assigns crashUsers users (one
// group), starts the initial cycle and kills the server with SIGKILL
// once some but not all users exist in the tenant. After a restart, one
// cycle leaves the tenant with exactly the directory's users: none
// created twice, none missing, every one with its mapped attributes; the
// creates the crash left pending are counted as matched.
func TestKillDuringInitialCycle(t *testing.T) {
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	addr := freeAddr(t)
	srv := startBinary(t, dataDir, addr)
	s := &serveProc{base: "http://" + addr, dataDir: dataDir}

	ten := s.createTenant(t, "Crash tenant")
	seedCrashDirectory(t, s, dir)
	var obj map[string]any
	s.cliJSON(t, &obj, "app", "create", "Crash")
	s.cliJSON(t, &obj, "app", "assign", "Crash", "--group", "Everyone")
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	s.cliJSON(t, &obj, "job", "configure", "Crash", "--tenant-url", ten.TenantURL, "--token-file", tokenFile)

	target, err := client.New(ten.TenantURL, client.WithStaticToken(ten.Token))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.cliIn(t, nil, "job", "run", "Crash"); err != nil {
		t.Fatalf("job run: %v", err)
	}
	// Kill once 30% of the users exist: the cycle is well under way, in
	// the middle of a chunk of creates (the engine plans 2,000 at a time).
	var before int
	deadline := time.Now().Add(30 * time.Second)
	for before = userCount(t, target); before < crashUsers*3/10; before = userCount(t, target) {
		if time.Now().After(deadline) {
			t.Fatalf("the tenant holds %d users after 30 s, want %d to kill the server mid-cycle", before, crashUsers*3/10)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()

	// The tenant lives in the killed server: count it after the restart
	// (the job is stopped: no cycle starts by itself).
	startBinary(t, dataDir, addr)
	atKill := userCount(t, target)
	if atKill >= crashUsers {
		t.Fatalf("the tenant holds all %d users when the server was killed; want a kill mid-cycle", atKill)
	}
	t.Logf("killed the server with %d of %d users in the tenant (%d when decided)", atKill, crashUsers, before)
	cyc := s.runCycle(t, "Crash")
	t.Logf("restart cycle: %+v", cyc.Stats)
	if cyc.Error != "" || cyc.Stats.Failed != 0 {
		t.Errorf("restart cycle = %+v, want no error and no failure", cyc)
	}
	if cyc.Stats.Matched == 0 {
		t.Errorf("restart cycle matched = 0, want the creates pending at the kill matched")
	}
	// The users missing, plus the group Everyone if it was not created yet.
	if maxCreated := int64(crashUsers - atKill + 1); cyc.Stats.Created > maxCreated {
		t.Errorf("restart cycle created %d with %d users already in the tenant, want at most %d", cyc.Stats.Created, atKill, maxCreated)
	}
	checkCrashTenant(t, target)
	lr, err := target.List(context.Background(), "Groups", client.Query{Filter: client.Eq("displayName", "Everyone"), Attributes: []string{"id"}})
	if err != nil || lr.TotalResults != 1 {
		t.Errorf("tenant groups named Everyone = %v (%v), want 1", lr, err)
	}
}

// freeAddr returns a loopback address with a free port, kept across
// the restart: the job's Tenant URL names it.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startBinary runs `provisio serve` on SQLite in dataDir and waits until
// it serves.
func startBinary(t *testing.T, dataDir, addr string) *exec.Cmd {
	t.Helper()
	bin, asBinary := provisioBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--log-format", "json")
	cmd.Env = append(os.Environ(), asBinary, "PROVISIO_DATA_DIR="+dataDir, "PROVISIO_DB=", "PROVISIO_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan map[string]any, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var rec map[string]any
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				select {
				case lines <- rec:
				default: // nobody reads after start-up
				}
			}
		}
	}()
	waitForLog(t, lines, "provisio serving")
	return cmd
}

// seedCrashDirectory imports crashUsers users from a CSV file and puts
// them all in the group Everyone.
func seedCrashDirectory(t *testing.T, s *serveProc, dir string) {
	t.Helper()
	seedDirectory(t, s, dir, crashUsers)
}

// seedDirectory imports n users from a CSV file and puts them all in the
// group Everyone.
func seedDirectory(t *testing.T, s *serveProc, dir string, n int) {
	t.Helper()
	var csv, members strings.Builder
	csv.WriteString("userPrincipalName,displayName,givenName,surname,mail\n")
	for i := range n {
		upn := fmt.Sprintf("user%05d@contoso.com", i)
		fmt.Fprintf(&csv, "%s,User %05d,User,Number%05d,%s\n", upn, i, i, upn)
		members.WriteString(upn + "\n")
	}
	csvPath, membersPath := filepath.Join(dir, "users.csv"), filepath.Join(dir, "members.txt")
	if err := os.WriteFile(csvPath, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(membersPath, []byte(members.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := s.cliIn(t, nil, "user", "import", csvPath); err != nil {
		t.Fatalf("user import: %v\n%s", err, out)
	}
	var obj map[string]any
	s.cliJSON(t, &obj, "group", "create", "Everyone")
	s.cliJSON(t, &obj, "group", "add-member", "Everyone", "--file", membersPath)
	if obj["added"] != float64(n) {
		t.Fatalf("group add-member = %v, want %d added", obj, n)
	}
}

func userCount(t *testing.T, c *client.Client) int {
	t.Helper()
	lr, err := c.List(context.Background(), "Users", client.Query{Count: 0, Attributes: []string{"id"}})
	if err != nil {
		t.Fatalf("count tenant users: %v", err)
	}
	return lr.TotalResults
}

// checkCrashTenant reads every user of the tenant: exactly crashUsers,
// each userName once, each with the attributes the default mapping
// gives it.
func checkCrashTenant(t *testing.T, c *client.Client) {
	t.Helper()
	checkTenantUsers(t, c, crashUsers)
}

// checkTenantUsers reads every user of the tenant: exactly n, each
// userName once, each with the attributes the default mapping gives it.
func checkTenantUsers(t *testing.T, c *client.Client, n int) {
	t.Helper()
	seen := map[string]bool{}
	for r, err := range c.All(context.Background(), "Users", client.Query{Count: 1000}) {
		if err != nil {
			t.Fatalf("list tenant users: %v", err)
		}
		name, _ := r["userName"].(string)
		if seen[name] {
			t.Errorf("userName %q appears twice in the tenant", name)
		}
		seen[name] = true
		checkCrashUser(t, r, n)
	}
	if len(seen) != n {
		t.Errorf("tenant holds %d distinct users, want %d", len(seen), n)
	}
}

func checkCrashUser(t *testing.T, r scim.Resource, users int) {
	t.Helper()
	name, _ := r["userName"].(string)
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "user"), "@contoso.com"))
	if err != nil || n < 0 || n >= users {
		t.Errorf("unexpected tenant user %q", name)
		return
	}
	num := fmt.Sprintf("%05d", n)
	nameAttr, _ := r["name"].(map[string]any)
	var work string
	emails, _ := r["emails"].([]any)
	for _, e := range emails {
		if m, _ := e.(map[string]any); m["type"] == "work" {
			work, _ = m["value"].(string)
		}
	}
	if r["displayName"] != "User "+num || nameAttr["givenName"] != "User" || nameAttr["familyName"] != "Number"+num ||
		r["active"] != true || work != name {
		t.Errorf("tenant user %s = %v, want displayName %q, name User Number%s, active, work email %s", name, r, "User "+num, num, name)
	}
}
