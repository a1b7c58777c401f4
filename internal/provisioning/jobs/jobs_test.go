package jobs_test

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/provisioning/mapping"
	"github.com/provisio-dev/provisio/internal/provisioning/provisioningtest"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/server"
)

const (
	appID = "app-1"
	token = "tok-Pl41nText-MARKER-7f3a9c"
)

// target is a SCIM service (scim/server over the memory backend) behind a
// bearer token check, served over real HTTP; gate, when set, holds every
// request but schema discovery's until it is closed, and requests counts
// them.
type target struct {
	url      string
	requests atomic.Int64
	mu       sync.Mutex
	gate     chan struct{}
	reject   func(r *http.Request) bool // answer 500 to the requests it selects
}

func newTarget(t testing.TB) *target {
	t.Helper()
	h := server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	tg := &target{}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/Schemas" || r.URL.Path == "/ResourceTypes" { // discovery, not a cycle's
			h.ServeHTTP(w, r)
			return
		}
		tg.requests.Add(1)
		tg.mu.Lock()
		gate, reject := tg.gate, tg.reject
		tg.mu.Unlock()
		if gate != nil {
			<-gate
		}
		if reject != nil && reject(r) {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		h.ServeHTTP(w, r)
	})))
	mux.HandleFunc("/text/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tg.url = srv.URL + "/scim/v2"
	return tg
}

func (tg *target) hold() chan struct{} {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	tg.gate = make(chan struct{})
	return tg.gate
}

func (tg *target) count(t testing.TB, endpoint string) int {
	t.Helper()
	c, _ := client.New(tg.url, client.WithStaticToken(token))
	lr, err := c.List(context.Background(), endpoint, client.Query{Count: 1})
	if err != nil {
		t.Fatalf("list %s: %v", endpoint, err)
	}
	return lr.TotalResults
}

// clock is the service's injected time.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

type env struct {
	t      testing.TB
	svc    *jobs.Service
	dir    *provisioningtest.Directory
	target *target
	clock  *clock
	ticks  chan time.Time
	dbPath string // SQLite only
	box    *secretbox.Box
}

// backends lists the stores the end-to-end tests run on: SQLite always,
// PostgreSQL when PROVISIO_TEST_POSTGRES is set.
func backends() map[string]func(t testing.TB) (dsn, path string) {
	out := map[string]func(t testing.TB) (string, string){
		"sqlite": func(t testing.TB) (string, string) {
			p := filepath.Join(t.TempDir(), "provisio.db")
			return p, p
		},
	}
	if base := os.Getenv("PROVISIO_TEST_POSTGRES"); base != "" {
		out["postgres"] = func(t testing.TB) (string, string) { return freshSchema(t, base), "" }
	}
	return out
}

func freshSchema(t testing.TB, base string) string {
	t.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	schema := "t_" + strings.ToLower(rand.Text()[:16])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func newEnv(t testing.TB, dsn, path string, opts ...func(*jobs.Options)) *env {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dsn, nil)
	if err != nil {
		t.Fatalf("sqlstore.Open = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, _ := secretbox.New(key)
	e := &env{t: t, dir: provisioningtest.NewDirectory(), target: newTarget(t), clock: &clock{}, ticks: make(chan time.Time), dbPath: path, box: box}
	e.clock.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	o := jobs.Options{Store: st.Jobs(), Source: e.dir, Box: box, Now: e.clock.now,
		NewTicker:     func(time.Duration) (<-chan time.Time, func()) { return e.ticks, func() {} },
		ClientOptions: []client.Option{client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 1})}}
	for _, f := range opts {
		f(&o)
	}
	if e.svc, err = jobs.New(o); err != nil {
		t.Fatalf("jobs.New = %v", err)
	}
	t.Cleanup(e.svc.Close)
	return e
}

func sqliteEnv(t testing.TB, opts ...func(*jobs.Options)) *env {
	p := filepath.Join(t.TempDir(), "provisio.db")
	return newEnv(t, p, p, opts...)
}

func (e *env) configure(c jobs.Config) jobs.Job {
	e.t.Helper()
	if c.TenantURL == "" {
		c.TenantURL = e.target.url
	}
	if c.SecretToken == "" {
		c.SecretToken = token
	}
	j, err := e.svc.Configure(context.Background(), appID, c)
	if err != nil {
		e.t.Fatalf("Configure = %v", err)
	}
	return j
}

func (e *env) addUsers(from, to int) {
	for i := from; i <= to; i++ {
		id := fmt.Sprintf("u%d", i)
		e.dir.PutUser(directory.User{ObjectID: id, UserPrincipalName: fmt.Sprintf("user%d@example.com", i),
			DisplayName: fmt.Sprintf("User %d", i), GivenName: "User", Surname: fmt.Sprint(i), AccountEnabled: true})
		e.dir.Assign(directory.Assignment{AppID: appID, PrincipalID: id, PrincipalKind: directory.KindUser})
	}
}

func (e *env) run() *jobs.CycleSummary {
	e.t.Helper()
	e.clock.advance(time.Second)
	sum, err := e.svc.Run(context.Background(), appID)
	if err != nil {
		e.t.Fatalf("Run = %v", err)
	}
	return sum
}

func (e *env) status() *jobs.Status {
	e.t.Helper()
	st, err := e.svc.Status(context.Background(), appID)
	if err != nil {
		e.t.Fatalf("Status = %v", err)
	}
	return st
}

// TestEndToEnd configures a job against a SCIM service over HTTP, runs
// cycles, and reads status and logs through the service, on every store.
func TestEndToEnd(t *testing.T) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			dsn, path := open(t)
			e := newEnv(t, dsn, path)
			ctx := context.Background()
			e.configure(jobs.Config{})
			e.addUsers(1, 5)
			if st := e.status(); st.State != jobs.StateStopped || st.NextKind != provisioning.CycleInitial || st.LastCycle != nil {
				t.Errorf("Status(before any cycle) = %+v, want stopped, initial next, no last cycle", st)
			}

			sum := e.run()
			if sum.Kind != provisioning.CycleInitial || sum.Stats.Created != 5 || sum.Error != "" {
				t.Errorf("first Run = %+v, want initial with 5 created", sum)
			}
			if n := e.target.count(t, "Users"); n != 5 {
				t.Errorf("target users = %d, want 5", n)
			}
			st := e.status()
			if st.NextKind != provisioning.CycleIncremental || st.Links.Users != 5 || st.LastCycle == nil || st.LastCycle.ID != sum.ID {
				t.Errorf("Status = %+v, want incremental next, 5 user links, last cycle %s", st, sum.ID)
			}
			logs, err := e.svc.Logs(ctx, appID, jobs.LogQuery{Action: provisioning.ActionCreate, Status: provisioning.StatusSuccess})
			if err != nil || len(logs) != 5 {
				t.Fatalf("Logs(create, success) = %d, %v, want 5", len(logs), err)
			}
			if logs[0].CycleID != sum.ID || logs[0].Seq <= logs[1].Seq || logs[0].TargetID == "" {
				t.Errorf("Logs[0] = %+v, want cycle %s, newest first, a target id", logs[0], sum.ID)
			}
			one, err := e.svc.Logs(ctx, appID, jobs.LogQuery{Object: "user3@example.com"})
			if err != nil || len(one) != 1 || one[0].SourceID != "u3" {
				t.Errorf("Logs(object user3) = %+v, %v, want u3's create", one, err)
			}

			before := e.target.requests.Load()
			if sum := e.run(); sum.Kind != provisioning.CycleIncremental || sum.Stats.Requests != 0 {
				t.Errorf("second Run = %+v, want incremental with no requests", sum)
			}
			if n := e.target.requests.Load() - before; n != 0 {
				t.Errorf("second Run sent %d requests, want 0", n)
			}

			e.dir.UpdateUser("u2", func(u *directory.User) { u.Surname = "Lee" })
			e.dir.Unassign(appID, "u4")
			sum = e.run()
			if sum.Stats.Updated != 1 || sum.Stats.Disabled != 1 {
				t.Errorf("Run after a change and an unassignment = %+v, want 1 updated and 1 disabled", sum.Stats)
			}

			if err := e.svc.Restart(ctx, appID); err != nil {
				t.Fatalf("Restart = %v", err)
			}
			if st := e.status(); st.NextKind != provisioning.CycleInitial || st.Links.Users != 5 {
				t.Errorf("Status after Restart = %+v, want initial next and the 5 links kept", st)
			}
			if sum := e.run(); sum.Kind != provisioning.CycleInitial || sum.Stats.Created != 0 {
				t.Errorf("Run after Restart = %+v, want initial with nothing created", sum)
			}
			cycles, err := e.svc.Cycles(ctx, appID, 0)
			if err != nil || len(cycles) != 4 || cycles[0].Kind != provisioning.CycleInitial || cycles[3].Stats.Created != 5 {
				t.Errorf("Cycles = %+v, %v, want 4 cycles, newest first", cycles, err)
			}
		})
	}
}

func TestConfigureValidation(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	bad := "not-an-email"
	tests := []struct {
		name string
		c    jobs.Config
		want []string // parts of the error message
	}{
		{"nothing", jobs.Config{}, []string{"tenant url is required", "secret token is required"}},
		{"relative url", jobs.Config{TenantURL: "/scim", SecretToken: "t"}, []string{"absolute http or https"}},
		{"ftp url", jobs.Config{TenantURL: "ftp://x/scim", SecretToken: "t"}, []string{"absolute http or https"}},
		{"credentials in url", jobs.Config{TenantURL: "https://u:p@x/scim", SecretToken: "t"}, []string{"credentials"}},
		{"everything wrong", jobs.Config{TenantURL: "https://x/scim", SecretToken: "t", Scope: "some", Interval: time.Millisecond, NotificationEmail: &bad},
			[]string{`scope "some"`, "interval 1ms", "not-an-email"}},
		{"bad mapping", jobs.Config{TenantURL: "https://x/scim", SecretToken: "t", Mappings: &jobs.Mappings{
			Users: mapping.TypeMapping{Endpoint: "Users", Attributes: []mapping.AttributeMapping{{Target: "userName", Type: "magic"}}},
		}}, []string{`type "magic"`, "no matching attribute", "Group mapping: no endpoint"}},
	}
	for _, tc := range tests {
		_, err := e.svc.Configure(ctx, appID, tc.c)
		if !errors.Is(err, jobs.ErrInvalid) {
			t.Errorf("%s: Configure = %v, want ErrInvalid", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Configure = %q, want it to mention %q", tc.name, err, w)
			}
		}
	}
	if _, err := e.svc.Get(ctx, appID); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("Get after rejected configures = %v, want ErrNotFound", err)
	}
}

func TestConfigureKeepsAndHidesSettings(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	j := e.configure(jobs.Config{Scope: provisioning.ScopeAll})
	if !j.TokenSet || j.Interval != jobs.DefaultInterval || j.Scope != provisioning.ScopeAll || j.Enabled || len(j.Mappings.Users.Attributes) == 0 {
		t.Errorf("Configure(new) = %+v, want token set, 40m, scope all, stopped, default mappings", j)
	}
	email := "ops@example.com"
	j, err := e.svc.Configure(ctx, appID, jobs.Config{Interval: 5 * time.Second, NotificationEmail: &email})
	if err != nil {
		t.Fatalf("Configure(change) = %v", err)
	}
	if j.Interval != 5*time.Second || j.NotificationEmail != email || j.Scope != provisioning.ScopeAll || j.TenantURL != e.target.url || !j.TokenSet {
		t.Errorf("Configure(change) = %+v, want the interval and email changed and the rest kept", j)
	}
	if err := e.svc.TestConnection(ctx, appID); err != nil {
		t.Errorf("TestConnection with the kept token = %v", err)
	}
}

// TestTokenEncryptedAtRest reads the SQLite files byte for byte.
func TestTokenEncryptedAtRest(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{})
	e.addUsers(1, 2)
	e.run()
	e.svc.Close()
	files, _ := filepath.Glob(e.dbPath + "*")
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), token) {
			t.Errorf("%s contains the secret token in clear", filepath.Base(f))
		}
	}
}

func TestTestConnection(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	base := strings.TrimSuffix(e.target.url, "/scim/v2")
	tests := []struct {
		name  string
		url   string
		token string
		want  client.Reason // "" for success
	}{
		{"ok", e.target.url, token, ""},
		{"wrong token", e.target.url, "wrong", client.ReasonCredentials},
		{"no scim here", base + "/nothing", token, client.ReasonNotFound},
		{"not scim", base + "/text", token, client.ReasonNotSCIM},
		{"unreachable", closedURL + "/scim", token, client.ReasonUnreachable},
		{"tls to plain http", strings.Replace(e.target.url, "http://", "https://", 1), token, client.ReasonTLS},
	}
	for _, tc := range tests {
		err := e.svc.TestCredentials(ctx, tc.url, tc.token)
		var ce *client.ConnectionError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: TestCredentials = %v, want success", tc.name, err)
		case tc.want != "" && (!errors.As(err, &ce) || ce.Reason != tc.want):
			t.Errorf("%s: TestCredentials = %v, want reason %s", tc.name, err, tc.want)
		}
	}
	if err := e.svc.TestConnection(ctx, appID); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("TestConnection(unconfigured) = %v, want ErrNotFound", err)
	}
}

func TestPlanWritesNothing(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{})
	e.addUsers(1, 3)
	p, err := e.svc.Plan(context.Background(), appID)
	if err != nil {
		t.Fatalf("Plan = %v", err)
	}
	creates := 0
	for _, a := range p.Actions {
		if a.Kind == provisioning.ActionCreate {
			creates++
		}
	}
	if creates != 3 || p.Kind != provisioning.CycleInitial {
		t.Errorf("Plan = %d creates, kind %s, want 3 creates of an initial cycle", creates, p.Kind)
	}
	if n := e.target.count(t, "Users"); n != 0 {
		t.Errorf("target users after Plan = %d, want 0", n)
	}
	st := e.status()
	if st.Links.Users != 0 || st.LastCycle != nil {
		t.Errorf("Status after Plan = %+v, want no links and no cycle", st)
	}
}

// TestRunJoinsRunningCycle: a second request while a cycle runs joins it
// instead of starting another. The second caller is Trigger, which joins
// through the same start as Run but returns at once, so that it joins for
// certain before the held cycle is let go (a second Run in a goroutine
// might only get there after the cycle ended, and rightly start a new one).
func TestRunJoinsRunningCycle(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{})
	e.addUsers(1, 3)
	gate := e.target.hold()
	type result struct {
		sum *jobs.CycleSummary
		err error
	}
	results := make(chan result, 1)
	go func() { s, err := e.svc.Run(context.Background(), appID); results <- result{s, err} }()
	waitFor(t, "a running cycle", func() bool { return e.status().State == jobs.StateRunning })
	waitFor(t, "the held request", func() bool { return e.target.requests.Load() > 0 })
	joined, err := e.svc.Trigger(context.Background(), appID)
	if err != nil {
		t.Fatalf("Trigger while running = %v", err)
	}
	if st := e.status(); st.Progress == nil || st.Progress.Kind != provisioning.CycleInitial || st.NextKind != provisioning.CycleInitial {
		t.Errorf("Status while running = %+v, want the progress of an initial cycle", st)
	}
	select {
	case <-joined:
		t.Fatal("the joined cycle ended while its request was held")
	default:
	}
	close(gate)
	a := <-results
	<-joined
	if a.err != nil || a.sum.Stats.Created != 3 {
		t.Errorf("Run = %+v / %v, want one cycle creating 3", a.sum, a.err)
	}
	if cs, _ := e.svc.Cycles(context.Background(), appID, 0); len(cs) != 1 {
		t.Errorf("Cycles = %d, want 1", len(cs))
	}
}

func TestStopCancelsRunningCycle(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	if _, err := e.svc.Start(ctx, appID); err != nil {
		t.Fatalf("Start = %v", err)
	}
	e.addUsers(1, 3)
	gate := e.target.hold()
	done, err := e.svc.Trigger(ctx, appID)
	if err != nil {
		t.Fatalf("Trigger = %v", err)
	}
	waitFor(t, "the held request", func() bool { return e.target.requests.Load() > 0 })
	if _, err := e.svc.Stop(ctx, appID); err != nil {
		t.Fatalf("Stop = %v", err)
	}
	close(gate)
	<-done
	st := e.status()
	if st.State != jobs.StateStopped || st.LastCycle == nil || st.LastCycle.Error == "" || st.NextKind != provisioning.CycleInitial {
		t.Errorf("Status after Stop = %+v, want stopped, an interrupted last cycle, initial next", st)
	}
	// The next cycle converges without duplicates.
	e.target.mu.Lock()
	e.target.gate = nil
	e.target.mu.Unlock()
	e.run()
	if n := e.target.count(t, "Users"); n != 3 {
		t.Errorf("target users after the next cycle = %d, want 3", n)
	}
}

func TestScheduler(t *testing.T) {
	e := sqliteEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.svc.Schedule(ctx) }()
	e.configure(jobs.Config{Interval: 10 * time.Second})
	e.addUsers(1, 2)
	cycles := func() int {
		cs, err := e.svc.Cycles(context.Background(), appID, 0)
		if err != nil {
			t.Fatalf("Cycles = %v", err)
		}
		return len(cs)
	}
	tick := func() { e.ticks <- e.clock.now() }
	settle := func() {
		// The ticks channel is unbuffered: the second tick is taken only
		// after the first was handled, and it starts nothing new (the
		// clock stands still, the cycle just started).
		tick()
		tick()
		waitFor(t, "the cycle to end", func() bool { return e.status().State != jobs.StateRunning })
	}

	settle()
	if n := cycles(); n != 0 {
		t.Errorf("cycles of a stopped job after a tick = %d, want 0", n)
	}
	if _, err := e.svc.Start(context.Background(), appID); err != nil {
		t.Fatalf("Start = %v", err)
	}
	settle()
	if n := cycles(); n != 1 || e.target.count(t, "Users") != 2 {
		t.Errorf("after the first tick: %d cycles, want 1 with 2 users created", n)
	}
	e.clock.advance(9 * time.Second)
	settle()
	if n := cycles(); n != 1 {
		t.Errorf("9s later: %d cycles, want still 1", n)
	}
	if st := e.status(); !st.NextRun.Equal(e.clock.now().Add(time.Second)) {
		t.Errorf("NextRun = %v, want %v", st.NextRun, e.clock.now().Add(time.Second))
	}
	e.clock.advance(time.Second)
	settle()
	if n := cycles(); n != 2 {
		t.Errorf("10s later: %d cycles, want 2", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Schedule = %v, want nil after cancel", err)
	}
}

func TestMaxLogEntries(t *testing.T) {
	e := sqliteEnv(t, func(o *jobs.Options) { o.MaxLogEntries = 3 })
	e.configure(jobs.Config{})
	e.addUsers(1, 5)
	e.run()
	logs, err := e.svc.Logs(context.Background(), appID, jobs.LogQuery{})
	if err != nil || len(logs) != 3 {
		t.Errorf("Logs = %d entries, %v, want the newest 3", len(logs), err)
	}
}

func TestDeleteAndUnknownJob(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	if err := e.svc.Delete(ctx, appID); err != nil {
		t.Fatalf("Delete = %v", err)
	}
	calls := map[string]func() error{
		"Get":     func() error { _, err := e.svc.Get(ctx, appID); return err },
		"Run":     func() error { _, err := e.svc.Run(ctx, appID); return err },
		"Status":  func() error { _, err := e.svc.Status(ctx, appID); return err },
		"Start":   func() error { _, err := e.svc.Start(ctx, appID); return err },
		"Restart": func() error { return e.svc.Restart(ctx, appID) },
		"Logs":    func() error { _, err := e.svc.Logs(ctx, appID, jobs.LogQuery{}); return err },
		"Plan":    func() error { _, err := e.svc.Plan(ctx, appID); return err },
		"Preview": func() error { _, err := e.svc.Preview(ctx, appID, provisioning.TypeUser, "u1"); return err },
		"Delete":  func() error { return e.svc.Delete(ctx, appID) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("%s(deleted job) = %v, want ErrNotFound", name, err)
		}
	}
}

// waitFor polls cond (the cycle runs on its own goroutine).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestSchedulerBacksOffFailingStarts: a job whose engine cannot be built
// (its token no longer decrypts) is tried once per interval, not at every
// tick, and a new configuration is tried at once.
func TestSchedulerBacksOffFailingStarts(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "provisio.db")
	first := newEnv(t, p, p)
	first.configure(jobs.Config{Interval: time.Minute})
	if _, err := first.svc.Start(context.Background(), appID); err != nil {
		t.Fatalf("Start = %v", err)
	}
	first.svc.Close()
	// Another key: the stored token no longer decrypts.
	var logs lockedBuffer
	e := newEnv(t, p, p, func(o *jobs.Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.svc.Schedule(ctx) }()
	defer func() { cancel(); <-done }()
	if _, err := e.svc.Run(context.Background(), appID); err == nil || !strings.Contains(err.Error(), "decrypt") {
		t.Errorf("Run with the wrong key = %v, want a decrypt error", err)
	}
	for range 3 {
		e.ticks <- e.clock.now()
	}
	e.ticks <- e.clock.now() // handled after the third
	if st := e.status(); st.State != jobs.StateIdle || st.LastCycle != nil {
		t.Errorf("Status = %+v, want idle with no cycle", st)
	}
	if n := strings.Count(logs.String(), "start cycle"); n != 1 {
		t.Errorf("failed starts logged %d times in 4 ticks, want once:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Error("the log contains the secret token")
	}
	e.configure(jobs.Config{}) // the token again, under the new key
	e.ticks <- e.clock.now()
	e.ticks <- e.clock.now()
	waitFor(t, "the cycle to end", func() bool { return e.status().State != jobs.StateRunning })
	if st := e.status(); st.LastCycle == nil || st.LastCycle.Error != "" {
		t.Errorf("Status after reconfiguring = %+v, want a completed cycle", st)
	}
}

// lockedBuffer is a log destination safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestJobRunsOnOneServerAtATime: two job services on one PostgreSQL
// database, as two servers behind a load balancer. While one runs a cycle
// of the job, the other refuses to start one (ErrBusy); afterwards it can.
func TestJobRunsOnOneServerAtATime(t *testing.T) {
	a, b := twoServers(t)
	a.configure(jobs.Config{})
	a.addUsers(1, 2)
	gate := a.target.hold()
	done, err := a.svc.Trigger(context.Background(), appID)
	if err != nil {
		t.Fatalf("Trigger on the first server = %v", err)
	}
	waitFor(t, "the held request", func() bool { return a.target.requests.Load() > 0 })
	if _, err := b.svc.Run(context.Background(), appID); !errors.Is(err, jobs.ErrBusy) {
		t.Errorf("Run on the second server while the first runs = %v, want ErrBusy", err)
	}
	close(gate)
	<-done
	sum, err := b.svc.Run(context.Background(), appID)
	if err != nil || sum.Kind != provisioning.CycleIncremental || sum.Error != "" {
		t.Errorf("Run on the second server afterwards = %+v, %v; want an incremental cycle", sum, err)
	}
	if cs, _ := b.svc.Cycles(context.Background(), appID, 0); len(cs) != 2 {
		t.Errorf("cycles recorded = %d, want 2 (one per server)", len(cs))
	}
}

// TestMaxConcurrentCycles: with two cycle slots and five due jobs whose
// targets hold every request, the scheduler starts two cycles and leaves
// the rest due (held cycles never end, so two running is two at once); a
// manual run of a third job waits queued, a cancelled caller leaves it
// queued, and Stop cancels it before it starts. Once the held cycles end,
// the remaining jobs run at the next tick.
func TestMaxConcurrentCycles(t *testing.T) {
	const slots, n = 2, 5
	e := sqliteEnv(t, func(o *jobs.Options) { o.MaxConcurrentCycles = slots })
	ctx := context.Background()
	apps := make([]string, n)
	targets := make([]*target, n)
	gates := make([]chan struct{}, n)
	for i := range n {
		apps[i], targets[i] = fmt.Sprintf("app-%d", i), newTarget(t)
		gates[i] = targets[i].hold()
		if _, err := e.svc.Configure(ctx, apps[i], jobs.Config{TenantURL: targets[i].url, SecretToken: token, Interval: time.Hour}); err != nil {
			t.Fatalf("Configure(%s) = %v", apps[i], err)
		}
		if _, err := e.svc.Start(ctx, apps[i]); err != nil {
			t.Fatalf("Start(%s) = %v", apps[i], err)
		}
		id := fmt.Sprintf("u%d", i)
		e.dir.PutUser(directory.User{ObjectID: id, UserPrincipalName: id + "@example.com", DisplayName: id, AccountEnabled: true})
		e.dir.Assign(directory.Assignment{AppID: apps[i], PrincipalID: id, PrincipalKind: directory.KindUser})
	}
	sctx, cancel := context.WithCancel(ctx)
	scheduled := make(chan error)
	go func() { scheduled <- e.svc.Schedule(sctx) }()
	defer func() { cancel(); <-scheduled }()
	open := sync.OnceFunc(func() {
		for _, g := range gates {
			close(g)
		}
	})
	defer open() // before the scheduler stops, also when the test fails
	// The second tick is taken once the first was handled.
	tick := func() { e.ticks <- e.clock.now(); e.ticks <- e.clock.now() }
	states := func() map[jobs.State][]int {
		out := map[jobs.State][]int{}
		for i, app := range apps {
			st, err := e.svc.Status(ctx, app)
			if err != nil {
				t.Fatalf("Status(%s) = %v", app, err)
			}
			out[st.State] = append(out[st.State], i)
		}
		return out
	}
	held := func() (k int) {
		for _, tg := range targets {
			if tg.requests.Load() > 0 {
				k++
			}
		}
		return k
	}

	tick()
	waitFor(t, "two cycles' held requests", func() bool { return held() >= slots })
	tick()
	st := states()
	if len(st[jobs.StateRunning]) != slots || len(st[jobs.StateIdle]) != n-slots || held() != slots {
		t.Fatalf("states with %d slots and %d due jobs = %v, %d targets reached; want %d running, the rest idle",
			slots, n, st, held(), slots)
	}
	// A manual run of a due job waits for a slot; a caller's leaving
	// does not end the wait, Stop does.
	waiting := apps[st[jobs.StateIdle][0]]
	state := func(app string) jobs.State {
		st, err := e.svc.Status(ctx, app)
		if err != nil {
			t.Fatalf("Status(%s) = %v", app, err)
		}
		return st.State
	}
	run := func(ctx context.Context) <-chan error {
		ch := make(chan error, 1)
		go func() { _, err := e.svc.Run(ctx, waiting); ch <- err }()
		return ch
	}
	first := run(ctx)
	waitFor(t, "the manual run to be queued", func() bool { return state(waiting) == jobs.StateQueued })
	wctx, wcancel := context.WithCancel(ctx)
	second := run(wctx)
	wcancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Errorf("Run(%s) whose caller left = %v, want context.Canceled", waiting, err)
	}
	if got := state(waiting); got != jobs.StateQueued {
		t.Errorf("Status(%s) after a caller left = %s, want still queued", waiting, got)
	}
	if _, err := e.svc.Stop(ctx, waiting); err != nil {
		t.Fatalf("Stop(%s) = %v", waiting, err)
	}
	if err := <-first; !errors.Is(err, jobs.ErrCancelled) {
		t.Errorf("Run(%s) when Stop cancelled its queued cycle = %v, want ErrCancelled", waiting, err)
	}
	if got := state(waiting); got != jobs.StateStopped {
		t.Errorf("Status(%s) after Stop = %s, want stopped", waiting, got)
	}

	open()
	waitFor(t, "the held cycles to end", func() bool { return len(states()[jobs.StateRunning]) == 0 })
	tick()
	waitFor(t, "the remaining cycles to end", func() bool {
		st := states()
		return len(st[jobs.StateRunning]) == 0 && len(st[jobs.StateQueued]) == 0
	})
	for _, app := range apps {
		cs, err := e.svc.Cycles(ctx, app, 0)
		want := 1
		if app == waiting {
			want = 0
		}
		if err != nil || len(cs) != want {
			t.Errorf("Cycles(%s) = %d, %v; want %d", app, len(cs), err, want)
		}
	}
}

func TestPreviewAndObject(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	e.configure(jobs.Config{})
	e.addUsers(1, 1)
	p, err := e.svc.Preview(ctx, appID, provisioning.TypeUser, "u1")
	if err != nil || p.Action.Kind != provisioning.ActionCreate || len(p.Requests) != 1 || p.Requests[0].Path != "/Users" {
		t.Fatalf("Preview(u1) = %+v, %v, want a create POST /Users", p, err)
	}
	if n := e.target.count(t, "Users"); n != 0 {
		t.Errorf("Preview(u1) left %d target users, want 0", n)
	}
	if st := e.status(); st.Links.Users != 0 {
		t.Errorf("Preview(u1) stored %d links, want 0", st.Links.Users)
	}
	o, scope, err := e.svc.Object(ctx, appID, provisioning.TypeUser, "u1")
	if err != nil || o.User.UserPrincipalName != "user1@example.com" || o.SoftDeleted || scope != "in scope" {
		t.Errorf("Object(u1) = %+v, %q, %v, want user1 in scope", o, scope, err)
	}
	o, scope, err = e.svc.Object(ctx, "app-without-job", provisioning.TypeUser, "u1")
	if err != nil || !o.SoftDeleted || scope != "not assigned to the application" {
		t.Errorf("Object(app without a job, u1) = %+v, %q, %v, want u1 not assigned", o, scope, err)
	}
	if _, _, err := e.svc.Object(ctx, appID, provisioning.TypeUser, "u9"); svcerr.KindOf(err) != svcerr.NotFound {
		t.Errorf("Object(u9) = %v, want a not-found service error", err)
	}
}
