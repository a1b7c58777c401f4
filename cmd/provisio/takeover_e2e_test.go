package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/testdb"
	"github.com/provisio-dev/provisio/scim/client"
)

// takeoverUsers is the size of the takeover test's directory (issue 15:
// an initial cycle of 20,000 users).
const takeoverUsers = 20_000

// takeoverLease is the job lease the takeover test gives its nodes
// (serve --job-lease): short, so that the test stays well under 90 s.
const takeoverLease = 5 * time.Second

// node is one `provisio serve` process of a several-node test.
type node struct {
	name string
	base string
	cmd  *exec.Cmd
	log  string // its stderr, a file
}

// startNode runs the binary as `provisio serve` on PostgreSQL (dsn) with
// its own data directory, and waits until /healthz answers.
func startNode(t *testing.T, bin, dir, name, dsn string, env ...string) *node {
	t.Helper()
	addr := freeAddr(t)
	n := &node{name: name, base: "http://" + addr, log: filepath.Join(dir, name+".log")}
	logf, err := os.Create(n.log)
	if err != nil {
		t.Fatal(err)
	}
	n.cmd = exec.Command(bin, "serve", "--addr", addr, "--db", dsn, "--log-format", "json")
	n.cmd.Env = append(append(os.Environ(), "PROVISIO_DATA_DIR="+filepath.Join(dir, name), "PROVISIO_LOG_LEVEL=info"), env...)
	n.cmd.Stderr, n.cmd.Stdout = logf, logf
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.cmd.Process.Kill(); _ = n.cmd.Wait(); logf.Close() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(n.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return n
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(n.log)
			t.Fatalf("node %s not healthy after 60 s: %v\n%s", name, err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// balancer is a round-robin HTTP load balancer in front of the nodes, as
// in a deployment: a request that cannot reach a node (connection
// refused: it is dead) goes to the next one.
func balancer(t *testing.T, nodes []*node) *httptest.Server {
	var next atomic.Uint64
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		start := next.Add(1)
		var last error
		for i := range uint64(len(nodes)) {
			n := nodes[(start+i)%uint64(len(nodes))]
			req, err := http.NewRequestWithContext(r.Context(), r.Method, n.base+r.URL.RequestURI(), bytes.NewReader(body))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			req.Header = r.Header.Clone()
			resp, err := tr.RoundTrip(req)
			if err != nil {
				if strings.Contains(err.Error(), "connection refused") {
					last = err
					continue // never reached the node: safe to send elsewhere
				}
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			_, _ = io.Copy(w, resp.Body)
			resp.Body.Close()
			return
		}
		http.Error(w, fmt.Sprint(last), http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(tr.CloseIdleConnections)
	return srv
}

// TestKilledNodeJobTakenOver runs three serve processes on one
// PostgreSQL database behind a load balancer, with a provisioning job
// doing the initial cycle of takeoverUsers users into a tenant of the
// same database (reached through the balancer). The node running the
// cycle is killed with SIGKILL mid-way; another node must take the job
// over within the lease (plus a scheduler tick and a margin) and finish
// it, leaving the tenant with exactly the directory's users.
func TestKilledNodeJobTakenOver(t *testing.T) {
	base := os.Getenv(testdb.PostgresEnv)
	if base == "" {
		t.Skip(testdb.PostgresEnv + " is unset: PostgreSQL not tested")
	}
	start := time.Now()
	dsn := testdb.FreshPostgres(t, base)
	dir := t.TempDir()
	bin, asBinary := provisioBinary(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{asBinary, "PROVISIO_SECRET_KEY=" + base64.StdEncoding.EncodeToString(key), "PROVISIO_JOB_LEASE=" + takeoverLease.String()}
	var nodes []*node
	for _, name := range []string{"a", "b", "c"} {
		nodes = append(nodes, startNode(t, bin, dir, name, dsn, env...))
	}
	defer func() {
		if t.Failed() {
			for _, n := range nodes {
				b, _ := os.ReadFile(n.log)
				if len(b) > 20000 {
					b = b[len(b)-20000:]
				}
				t.Logf("node %s log (tail):\n%s", n.name, b)
			}
		}
	}()
	t.Logf("three nodes up %.1f s after the start", time.Since(start).Seconds())
	lb := balancer(t, nodes)
	// The CLI talks to a node; the admin token is in node a's data dir.
	via := func(n *node) *serveProc { return &serveProc{base: n.base, dataDir: filepath.Join(dir, "a")} }

	ten := via(nodes[0]).createTenant(t, "Takeover tenant")
	seedDirectory(t, via(nodes[0]), dir, takeoverUsers)
	t.Logf("directory of %d users seeded %.1f s after the start", takeoverUsers, time.Since(start).Seconds())
	var obj map[string]any
	via(nodes[1]).cliJSON(t, &obj, "app", "create", "Takeover")
	via(nodes[1]).cliJSON(t, &obj, "app", "assign", "Takeover", "--group", "Everyone")
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(ten.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	tenantURL := lb.URL + "/scim/" + ten.ID + "/v2"
	via(nodes[2]).cliJSON(t, &obj, "job", "configure", "Takeover", "--tenant-url", tenantURL, "--token-file", tokenFile)
	via(nodes[2]).cliJSON(t, &obj, "job", "start", "Takeover") // whichever scheduler ticks first runs it

	target, err := client.New(tenantURL, client.WithStaticToken(ten.Token))
	if err != nil {
		t.Fatal(err)
	}
	// runningOn is the node whose own status shows the cycle's progress
	// there. (A node whose scheduler only tries to start the job, and
	// finds it busy, says running for a moment, without progress.)
	runningOn := func(alive []*node) *node {
		for _, n := range alive {
			var st struct {
				State    string `json:"state"`
				Progress *struct {
					Kind string `json:"kind"`
				} `json:"progress"`
			}
			via(n).cliJSON(t, &st, "job", "status", "Takeover")
			if st.State == "running" && st.Progress != nil {
				return n
			}
		}
		return nil
	}
	var victim *node
	t0 := time.Now()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("no node ran the cycle to 30%% within 60 s (tenant: %d users)", userCount(t, target))
		}
		if victim == nil {
			victim = runningOn(nodes)
		}
		if victim != nil && userCount(t, target) >= takeoverUsers*3/10 {
			break
		}
		// Not faster: each poll costs the nodes a count of the tenant's
		// users and of the job's links, CPU the cycle needs.
		time.Sleep(250 * time.Millisecond)
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = victim.cmd.Wait()
	killed := time.Now()
	atKill := userCount(t, target)
	if atKill >= takeoverUsers {
		t.Fatalf("the tenant holds all %d users at the kill; want a kill mid-cycle", atKill)
	}
	t.Logf("killed node %s with %d of %d users in the tenant, %.1f s after the start", victim.name, atKill, takeoverUsers, killed.Sub(t0).Seconds())
	var alive []*node
	for _, n := range nodes {
		if n != victim {
			alive = append(alive, n)
		}
	}

	// Another node takes the job over within the lease, a scheduler
	// tick (1 s) and a margin for a loaded machine.
	limit := takeoverLease + 10*time.Second
	var heir *node
	for heir == nil {
		if time.Since(killed) > limit {
			for _, n := range alive {
				out, _ := cli(t, nil, "job", "status", "Takeover", "--server", n.base, "--data-dir", filepath.Join(dir, "a"))
				t.Logf("status on node %s:\n%s", n.name, out)
			}
			t.Fatalf("no node took the job over within %s of the kill", limit)
		}
		heir = runningOn(alive)
		if heir == nil {
			time.Sleep(200 * time.Millisecond)
		}
	}
	takeover := time.Since(killed)
	t.Logf("node %s took the job over %.1f s after the kill (lease %s)", heir.name, takeover.Seconds(), takeoverLease)

	// It finishes the cycle: the job's last cycle ends without error
	// after the kill, and the next one is incremental.
	var st struct {
		State     string `json:"state"`
		CycleKind string `json:"cycleKind"`
		LastCycle *struct {
			Finished time.Time      `json:"finished"`
			Error    string         `json:"error"`
			Stats    map[string]any `json:"stats"`
		} `json:"lastCycle"`
		Links struct {
			Pending int `json:"pending"`
			Failed  int `json:"failed"`
		} `json:"links"`
	}
	deadline = time.Now().Add(180 * time.Second)
	for logged := time.Now(); ; {
		via(heir).cliJSON(t, &st, "job", "status", "Takeover")
		if time.Since(logged) > 5*time.Second {
			t.Logf("%.0f s after the kill: %d users in the tenant, state %s", time.Since(killed).Seconds(), userCount(t, target), st.State)
			logged = time.Now()
		}
		if st.State == "idle" && st.LastCycle != nil && st.LastCycle.Finished.After(killed) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cycle taken over did not finish within 180 s: %+v", st)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("cycle taken over finished %.1f s after the kill: %+v", time.Since(killed).Seconds(), st.LastCycle.Stats)
	if st.LastCycle.Error != "" || st.CycleKind != "incremental" || st.Links.Pending != 0 || st.Links.Failed != 0 {
		t.Errorf("after the takeover: last cycle error %q, next kind %q, links %+v; want no error, incremental, none pending or failed",
			st.LastCycle.Error, st.CycleKind, st.Links)
	}
	checkTenantUsers(t, target, takeoverUsers)
	checkTenantGroup(t, target, "Everyone", takeoverUsers)
	t.Logf("tenant checked %.1f s after the start", time.Since(start).Seconds())
}

// checkTenantGroup: the tenant holds one group named name, with n
// distinct members.
func checkTenantGroup(t *testing.T, c *client.Client, name string, n int) {
	t.Helper()
	lr, err := c.List(context.Background(), "Groups", client.Query{Filter: client.Eq("displayName", name)})
	if err != nil || len(lr.Resources) != 1 {
		t.Fatalf("tenant group %q: %d found, %v; want one", name, len(lr.Resources), err)
	}
	members, _ := lr.Resources[0]["members"].([]any)
	distinct := map[string]bool{}
	for _, m := range members {
		v, _ := m.(map[string]any)["value"].(string)
		distinct[v] = true
	}
	if len(members) != n || len(distinct) != n {
		t.Errorf("tenant group %q has %d members (%d distinct), want %d", name, len(members), len(distinct), n)
	}
}

// TestThreeNodesSCIMWrites spreads concurrent SCIM creates and PATCHes
// of one tenant over three serve processes on one PostgreSQL database:
// every create lands once, every PATCH (membership add, attribute
// replace) is kept, and each node reads the same result.
func TestThreeNodesSCIMWrites(t *testing.T) {
	base := os.Getenv(testdb.PostgresEnv)
	if base == "" {
		t.Skip(testdb.PostgresEnv + " is unset: PostgreSQL not tested")
	}
	dsn := testdb.FreshPostgres(t, base)
	a := startServe(t, t.TempDir(), dsn)
	b := startServe(t, t.TempDir(), dsn)
	c := startServe(t, t.TempDir(), dsn)
	ten := a.createTenant(t, "Three", "--policy", "entra")
	urls := []string{ten.TenantURL, b.base + "/scim/" + ten.ID + "/v2", c.base + "/scim/" + ten.ID + "/v2"}

	r := scimDo(t, "POST", urls[2]+"/Groups", ten.Token, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"All","members":[]}`)
	if r.status != http.StatusCreated {
		t.Fatalf("POST group = %d %s", r.status, r.raw)
	}
	group, _ := r.body["id"].(string)
	const n = 60
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			u := urls[i%3]
			r := scimDo(t, "POST", u+"/Users", ten.Token, userJSON(fmt.Sprintf("w%d@three.example", i)))
			if r.status != http.StatusCreated {
				t.Errorf("POST user %d on node %d = %d %s", i, i%3, r.status, r.raw)
				return
			}
			id, _ := r.body["id"].(string)
			ids[i] = id
			// The membership through the next node, the title through the one after.
			r = scimDo(t, "PATCH", urls[(i+1)%3]+"/Groups/"+group, ten.Token,
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"value":"`+id+`"}]}]}`)
			if r.status != http.StatusNoContent {
				t.Errorf("PATCH add member %d on node %d = %d %s", i, (i+1)%3, r.status, r.raw)
			}
			r = scimDo(t, "PATCH", urls[(i+2)%3]+"/Users/"+id, ten.Token,
				`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"T`+fmt.Sprint(i)+`"}]}`)
			if r.status != http.StatusOK && r.status != http.StatusNoContent {
				t.Errorf("PATCH title %d on node %d = %d %s", i, (i+2)%3, r.status, r.raw)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for node, u := range urls {
		r := scimDo(t, "GET", u+"/Groups/"+group, ten.Token, "")
		members, _ := r.body["members"].([]any)
		got := map[string]bool{}
		for _, m := range members {
			v, _ := m.(map[string]any)["value"].(string)
			got[v] = true
		}
		if len(got) != n || len(members) != n {
			t.Errorf("node %d: group has %d members (%d distinct), want %d: an update was lost", node, len(members), len(got), n)
		}
		for i, id := range ids {
			if !got[id] {
				t.Errorf("node %d: user %d missing from the group", node, i)
			}
		}
		tc, err := client.New(u, client.WithStaticToken(ten.Token))
		if err != nil {
			t.Fatal(err)
		}
		titles := map[string]string{}
		for res, err := range tc.All(context.Background(), "Users", client.Query{Count: 100}) {
			if err != nil {
				t.Fatalf("node %d: list users: %v", node, err)
			}
			id, _ := res["id"].(string)
			titles[id], _ = res["title"].(string)
		}
		if len(titles) != n {
			t.Errorf("node %d lists %d users, want %d", node, len(titles), n)
		}
		for i, id := range ids {
			if titles[id] != fmt.Sprintf("T%d", i) {
				t.Errorf("node %d: user %d title %q, want T%d", node, i, titles[id], i)
			}
		}
	}
}
