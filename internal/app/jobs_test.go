package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/testdb"
)

// hangingTarget accepts connections and never answers; it counts them.
type hangingTarget struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newHangingTarget(t *testing.T) *hangingTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hangingTarget{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range h.conns {
			c.Close()
		}
	})
	return h
}

func (h *hangingTarget) accepted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// call sends a JSON request with a bearer token and a deadline of its own,
// and returns the status and body; a request that does not answer in
// time fails the test.
func call(t *testing.T, deadline time.Duration, method, url, token, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: no answer within %s: %v", method, url, deadline, err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	t.Logf("%s %s = %d in %s", method, url, resp.StatusCode, time.Since(start).Round(time.Millisecond))
	return resp.StatusCode, b
}

// TestHangingJobsOnPostgres: more provisioning jobs than the PostgreSQL
// write pool has connections (17; 16 on 2 cores), scope all, against a
// target that accepts connections and never answers, all started by one
// scheduler tick. The server keeps answering (tenant creation, a SCIM
// create, the jobs' status) within a couple of seconds, and shuts down
// within its grace period while the cycles hang, answering a run that
// waited for one of them.
func TestHangingJobsOnPostgres(t *testing.T) {
	base := os.Getenv(testdb.PostgresEnv)
	if base == "" {
		t.Skip(testdb.PostgresEnv + " is unset: PostgreSQL not tested")
	}
	const njobs, answerWithin = 17, 3 * time.Second
	cfg := testConfig(t)
	cfg.DB = testdb.FreshPostgres(t, base)
	cfg.MaxConcurrentCycles = 2 * njobs // every job's cycle at once: the cap is not what is tested here
	a, err := New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	admin, err := os.ReadFile(cfg.AdminTokenPath())
	if err != nil {
		t.Fatal(err)
	}
	adminToken := strings.TrimSpace(string(admin))

	target := newHangingTarget(t)
	if _, err := a.dir.CreateUser(t.Context(), directory.User{UserPrincipalName: "ada@example.com", DisplayName: "Ada", AccountEnabled: true}); err != nil {
		t.Fatalf("CreateUser = %v", err)
	}
	apps := make([]string, njobs)
	for i := range apps {
		app, err := a.dir.CreateApp(t.Context(), fmt.Sprintf("app %d", i))
		if err != nil {
			t.Fatalf("CreateApp = %v", err)
		}
		apps[i] = app.ID
	}
	// Saving a job reads the application's schema; a save waits for it a
	// few seconds, and only its own job's edits wait with it.
	var saves sync.WaitGroup
	for _, app := range apps {
		saves.Go(func() {
			if _, err := a.jobs.Configure(t.Context(), app, jobs.Config{TenantURL: "http://" + target.ln.Addr().String() + "/scim/v2",
				SecretToken: "tok", Scope: provisioning.ScopeAll, Interval: time.Hour}); err != nil {
				t.Errorf("Configure = %v", err)
			}
		})
	}
	saves.Wait()
	discoveries := target.accepted() // still hanging, in the background
	for _, app := range apps {       // within one tick (a second) on any machine
		if _, err := a.jobs.Start(t.Context(), app); err != nil {
			t.Fatalf("Start = %v", err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for target.accepted()-discoveries < njobs && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := target.accepted() - discoveries; n < njobs {
		t.Errorf("cycles reaching the target = %d, want all %d running", n, njobs)
	}

	status, body := call(t, answerWithin, "POST", a.BaseURL()+"/api/v1/tenants", adminToken, `{"name":"acme"}`)
	var ten struct {
		TenantURL string `json:"tenant_url"`
		Token     string `json:"token"`
	}
	if status != http.StatusCreated || json.Unmarshal(body, &ten) != nil {
		t.Errorf("create tenant while %d cycles hang = %d %s, want 201", njobs, status, body)
	} else if status, body := call(t, answerWithin, "POST", ten.TenantURL+"/Users", ten.Token,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob@example.com"}`); status != http.StatusCreated {
		t.Errorf("SCIM create while %d cycles hang = %d %s, want 201", njobs, status, body)
	}
	for _, app := range []string{apps[0], apps[njobs-1]} {
		status, body := call(t, answerWithin, "GET", a.BaseURL()+"/api/v1/apps/"+app+"/job/status", adminToken, "")
		if status != http.StatusOK || !bytes.Contains(body, []byte(`"state":"running"`)) {
			t.Errorf("job status while %d cycles hang = %d %s, want 200 running", njobs, status, body)
		}
	}

	// Shutdown while the cycles hang, with a run waiting on one of them
	// (as `job run --wait` does): it is answered too.
	waited := make(chan error, 1)
	go func() { _, err := a.jobs.Run(context.Background(), apps[0]); waited <- err }()
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		t.Logf("Run returned %s after its context ended", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Errorf("Run() = %v, want nil", err)
		}
	case <-time.After(jobsShutdownWithin):
		t.Fatalf("Run() did not return within %s of its context ending while cycles hang", jobsShutdownWithin)
	}
	closed := make(chan error, 1)
	go func() { closed <- a.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Errorf("Close() = %v", err)
		}
	case <-time.After(jobsShutdownWithin):
		t.Fatalf("Close() did not return within %s", jobsShutdownWithin)
	}
	select {
	case err := <-waited:
		t.Logf("the waiting run answered %v", err)
	case <-time.After(time.Second): // Close returned: every cycle has ended
		t.Error("a run waiting on a cycle was not answered by the shutdown")
	}
}

// jobsShutdownWithin is the grace period the shutdown must keep.
const jobsShutdownWithin = ShutdownTimeout
