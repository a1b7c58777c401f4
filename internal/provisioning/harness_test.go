package provisioning_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/provisioningtest"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/server"
)

const appID = "app-1"

// counter is an http.RoundTripper that counts and records every request
// the engine sends, and can cancel a context after a number of them.
type counter struct {
	next     http.RoundTripper
	n        atomic.Int64
	mu       sync.Mutex
	requests []string // "METHOD /path"
	cancelAt int64
	cancel   context.CancelFunc
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	n := c.n.Add(1)
	c.mu.Lock()
	c.requests = append(c.requests, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/scim/v2"))
	cancel := c.cancel
	c.mu.Unlock()
	resp, err := c.next.RoundTrip(r)
	if cancel != nil && n >= c.cancelAt {
		cancel()
	}
	return resp, err
}

// reset forgets the requests so far and returns them.
func (c *counter) reset() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.requests
	c.requests = nil
	c.n.Store(0)
	return out
}

func (c *counter) cancelAfter(n int64, cancel context.CancelFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelAt, c.cancel = n, cancel
}

// fault makes the target answer 500 to requests it selects (fail), or
// injects what inject returns.
type fault struct {
	mu     sync.Mutex
	fail   func(r *http.Request, body string) bool
	inject func(r *http.Request, body string) injected
}

// injected is a fault for one request: answer status (with Retry-After
// when set) instead of the target, or drop the connection (drop); with
// apply, the target applies the request first and its answer is lost.
type injected struct {
	status     int
	retryAfter string
	drop       bool
	apply      bool
}

func (f *fault) setInject(fn func(r *http.Request, body string) injected) {
	f.mu.Lock()
	f.inject = fn
	f.mu.Unlock()
}

// serveInjected carries out in, reporting false when there is nothing
// to inject.
func serveInjected(w http.ResponseWriter, r *http.Request, h http.Handler, in injected) bool {
	if in.status == 0 && !in.drop {
		return false
	}
	if in.apply {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if in.drop {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return true
	}
	w.Header().Set("Content-Type", scim.MediaType)
	if in.retryAfter != "" {
		w.Header().Set("Retry-After", in.retryAfter)
	}
	w.WriteHeader(in.status)
	_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"`+strconv.Itoa(in.status)+`","detail":"injected"}`)
	return true
}

func (f *fault) set(fn func(r *http.Request, body string) bool) {
	f.mu.Lock()
	f.fail = fn
	f.mu.Unlock()
}

func (f *fault) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fail, inject := f.fail, f.inject
		f.mu.Unlock()
		if inject != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			in := inject(r, string(body))
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			if serveInjected(w, r, h, in) {
				return
			}
		}
		if fail != nil {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			if fail(r, string(body)) {
				w.Header().Set("Content-Type", scim.MediaType)
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"injected"}`)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// env is an engine wired to the real SCIM handler over real HTTP.
type env struct {
	t      testing.TB
	dir    *provisioningtest.Directory
	links  *provisioningtest.Links
	logs   *provisioningtest.Logs
	count  *counter
	fault  *fault
	target *client.Client // an uncounted client for assertions
	client *client.Client // the engine's counted client
	engine *provisioning.Engine
	cfg    provisioning.Config // the engine's, to build another
	base   string              // the target's base URL
	clock  atomic.Int64        // unix nanos of the engine's clock
}

func newEnv(t testing.TB, opts ...func(*provisioning.Config)) *env {
	t.Helper()
	return newEnvWithPolicy(t, server.DefaultPolicy, opts...)
}

// newEnvWithPolicy serves the target with a compatibility policy, e.g.
// server.PolicyRFC (no value-path upserts, unknown attributes rejected).
func newEnvWithPolicy(t testing.TB, pol server.Policy, opts ...func(*provisioning.Config)) *env {
	t.Helper()
	h := server.New(server.Config{
		Registry: scim.NewStandardRegistry(),
		Backend:  memory.New(),
		Logger:   slog.New(slog.DiscardHandler),
		Policy:   &pol,
	})
	e := &env{t: t, dir: provisioningtest.NewDirectory(), links: provisioningtest.NewLinks(),
		logs: &provisioningtest.Logs{}, fault: &fault{}}
	srv := httptest.NewServer(http.StripPrefix("/scim/v2", e.fault.wrap(h)))
	t.Cleanup(srv.Close)
	base := srv.URL + "/scim/v2"
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 32
	e.count = &counter{next: transport}
	c, err := client.New(base, client.WithHTTPClient(&http.Client{Transport: e.count}),
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	e.client, e.base = c, base
	if e.target, err = client.New(base); err != nil {
		t.Fatal(err)
	}
	warmUp(t, e.target)
	e.clock.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	cfg := provisioning.Config{
		JobID: "job-1", AppID: appID,
		Users: provisioning.DefaultUserMapping(), Groups: provisioning.DefaultGroupMapping(),
		Source: e.dir, Links: e.links, Logs: e.logs, Target: c,
		Now: func() time.Time { return time.Unix(0, e.clock.Load()).UTC() },
		// kept between cycles as the job service keeps them: incremental
		// cycles re-examine only what changed (see CycleMemory)
		Table: &provisioning.LinkTable{}, Settled: &provisioning.Settled{}, Memory: &provisioning.CycleMemory{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.cfg = cfg
	e.rebuild()
	return e
}

// rebuild replaces the engine by a new one with the same configuration,
// as the job service does for every cycle.
func (e *env) rebuild() {
	e.t.Helper()
	var err error
	if e.engine, err = provisioning.New(e.cfg); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) advance(d time.Duration) { e.clock.Add(int64(d)) }

// run runs a cycle and fails the test on a cycle error.
func (e *env) run() *provisioning.Result {
	e.t.Helper()
	e.count.reset()
	res, err := e.engine.Run(context.Background())
	if err != nil {
		e.t.Fatalf("Run() error: %v", err)
	}
	return res
}

func user(n int) directory.User {
	return directory.User{
		ObjectID:          fmt.Sprintf("u%d", n),
		UserPrincipalName: fmt.Sprintf("user%d@example.com", n),
		Mail:              fmt.Sprintf("user%d@example.com", n),
		MailNickname:      fmt.Sprintf("user%d", n),
		DisplayName:       fmt.Sprintf("User %d", n),
		GivenName:         "User",
		Surname:           fmt.Sprintf("Number%d", n),
		AccountEnabled:    true,
	}
}

// addUsers creates users 1..n, each assigned directly to the app.
func (e *env) addUsers(n int) {
	for i := 1; i <= n; i++ {
		e.dir.PutUser(user(i))
		e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: fmt.Sprintf("u%d", i), PrincipalKind: directory.KindUser})
	}
}

// targetUser finds a target user by userName; nil if absent.
func (e *env) targetUser(userName string) scim.Resource {
	e.t.Helper()
	lr, err := e.target.List(context.Background(), "Users", client.Query{Filter: client.Eq("userName", userName)})
	if err != nil {
		e.t.Fatalf("query target user %q: %v", userName, err)
	}
	if len(lr.Resources) > 1 {
		e.t.Fatalf("%d target users named %q", len(lr.Resources), userName)
	}
	if len(lr.Resources) == 0 {
		return nil
	}
	return lr.Resources[0]
}

func (e *env) targetCount(endpoint string) int {
	e.t.Helper()
	lr, err := e.target.List(context.Background(), endpoint, client.Query{Count: 1})
	if err != nil {
		e.t.Fatalf("list %s: %v", endpoint, err)
	}
	return lr.TotalResults
}

// warmUp creates and deletes one user and one group, so the memory
// backend's tables exist before concurrent requests arrive: its List
// creates a missing table under a read lock (a data race the race
// detector reports when two lists hit an empty backend at once).
func warmUp(t testing.TB, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	for _, r := range []struct {
		endpoint string
		doc      scim.Resource
	}{
		{"Users", scim.Resource{"schemas": []any{scim.UserSchema}, "userName": "warm-up"}},
		{"Groups", scim.Resource{"schemas": []any{scim.GroupSchema}, "displayName": "warm-up"}},
	} {
		res, err := c.Create(ctx, r.endpoint, r.doc)
		if err != nil {
			t.Fatalf("warm up %s: %v", r.endpoint, err)
		}
		if err := c.Delete(ctx, r.endpoint, res["id"].(string)); err != nil {
			t.Fatalf("warm up %s: %v", r.endpoint, err)
		}
	}
}
