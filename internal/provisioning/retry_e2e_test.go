package provisioning_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/scim/client"
)

// waitLog records the client's waits (backoff, Retry-After).
type waitLog struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (w *waitLog) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.waits = append(w.waits, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waitLog) max() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	var m time.Duration
	for _, d := range w.waits {
		m = max(m, d)
	}
	return m
}

// newRetryEnv is newEnv whose engine's client retries with
// provisioning.RetryPolicy, waiting in no time.
func newRetryEnv(t *testing.T) (*env, *waitLog) {
	t.Helper()
	waits := &waitLog{}
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	c, err := client.New(e.base, client.WithHTTPClient(&http.Client{Transport: e.count}),
		client.WithRetryPolicy(provisioning.RetryPolicy), client.WithSleep(waits.sleep))
	if err != nil {
		t.Fatal(err)
	}
	e.cfg.Target = c
	e.rebuild()
	return e, waits
}

// once fails each distinct request (method, path, query, body) the first
// time it is seen with what pick returns.
func once(pick func(r *http.Request, body string) injected) func(r *http.Request, body string) injected {
	var mu sync.Mutex
	seen := map[string]bool{}
	return func(r *http.Request, body string) injected {
		in := pick(r, body)
		if in.status == 0 && !in.drop {
			return in
		}
		key := r.Method + " " + r.URL.String() + " " + body
		mu.Lock()
		defer mu.Unlock()
		if seen[key] {
			return injected{}
		}
		seen[key] = true
		return in
	}
}

// Transient failures (429 and 503 with Retry-After, 500, 502, dropped
// connections) are retried within the cycle: it ends with every object
// provisioned and nothing failed or escrowed.
func TestTransientFailuresRetriedWithinCycle(t *testing.T) {
	e, waits := newRetryEnv(t)
	e.addUsers(12)
	e.fault.setInject(once(func(r *http.Request, body string) injected {
		switch {
		case strings.Contains(body, "user1@") || strings.Contains(r.URL.RawQuery, "user1%40"):
			return injected{status: http.StatusTooManyRequests, retryAfter: "7"}
		case strings.Contains(body, "user2@") || strings.Contains(r.URL.RawQuery, "user2%40"):
			return injected{status: http.StatusServiceUnavailable, retryAfter: "3"}
		case strings.Contains(r.URL.RawQuery, "user3%40"):
			return injected{status: http.StatusInternalServerError}
		case strings.Contains(r.URL.RawQuery, "user4%40"):
			return injected{drop: true}
		case strings.Contains(body, "user5@"):
			return injected{status: http.StatusBadGateway}
		case r.Method == http.MethodPatch:
			return injected{status: http.StatusInternalServerError}
		}
		return injected{}
	}))
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 12})
	if n := e.targetCount("Users"); n != 12 {
		t.Errorf("target users = %d, want 12", n)
	}
	if got := waits.max(); got != 7*time.Second {
		t.Errorf("longest wait = %v, want the 7s Retry-After", got)
	}
	// An update whose PATCH fails once is retried in place.
	e.dir.UpdateUser("u6", func(u *directory.User) { u.DisplayName = "Renamed" })
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Updated: 1})
	if u := e.targetUser("user6@example.com"); u["displayName"] != "Renamed" {
		t.Errorf("displayName after a retried PATCH = %v, want Renamed", u["displayName"])
	}
	for _, le := range e.logs.Entries() {
		if le.Status == provisioning.StatusFailure {
			t.Errorf("failure logged: %+v", le)
		}
	}
}

// A create whose answer is lost after the target applied it (connection
// dropped, 500, 502 or 504) is looked up on the target and linked, never
// sent twice; the cycle counts it as matched.
func TestLostCreateIsMatchedNotRepeated(t *testing.T) {
	tests := []struct {
		name string
		in   injected
	}{
		{"connection dropped after apply", injected{drop: true, apply: true}},
		{"500 after apply", injected{status: http.StatusInternalServerError, apply: true}},
		{"504 after apply", injected{status: http.StatusGatewayTimeout, apply: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
			e.addUsers(5)
			var mu sync.Mutex
			posts := 0
			e.fault.setInject(func(r *http.Request, body string) injected {
				if r.Method != http.MethodPost || !strings.Contains(body, "user3@") {
					return injected{}
				}
				mu.Lock()
				defer mu.Unlock()
				posts++
				return tt.in
			})
			res := e.run()
			wantStats(t, res.Stats, provisioning.Stats{Created: 4, Matched: 1})
			if n := e.targetCount("Users"); n != 5 {
				t.Errorf("target users = %d, want 5", n)
			}
			if posts != 1 {
				t.Errorf("POSTs of user3 = %d, want 1", posts)
			}
			l, ok := e.links.Get(provisioning.TypeUser, "u3")
			if !ok || l.State != provisioning.LinkActive || l.TargetID == "" || l.Failed() {
				t.Errorf("link of u3 = %+v, want active and linked", l)
			}
			e.fault.setInject(nil)
			e.run()
			if got := e.count.reset(); len(got) != 0 {
				t.Errorf("next cycle sent %v, want nothing", got)
			}
		})
	}
}

// A create whose answer is lost and that the target did not apply is
// sent again after the lookup finds nothing.
func TestLostCreateNotAppliedIsSentAgain(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	e.addUsers(3)
	e.fault.setInject(once(func(r *http.Request, body string) injected {
		if r.Method == http.MethodPost && strings.Contains(body, "user2@") {
			return injected{drop: true}
		}
		return injected{}
	}))
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 3})
	if e.targetUser("user2@example.com") == nil {
		t.Errorf("user2 missing on the target")
	}
}

// After a crash between the pending link and the create's answer, the
// next cycle finds the account on the target and counts it as matched,
// not skipped or created.
func TestPendingCreateAfterCrashCountsAsMatched(t *testing.T) {
	e := newEnv(t)
	e.addUsers(3)
	e.fault.setInject(func(r *http.Request, body string) injected {
		if r.Method == http.MethodPost && strings.Contains(body, "user2@") {
			return injected{status: http.StatusBadRequest, apply: true} // applied; the engine never learns its id
		}
		return injected{}
	})
	res := e.run()
	wantStats(t, res.Stats, provisioning.Stats{Created: 2, Failed: 1})
	e.fault.setInject(nil)
	e.advance(time.Hour)
	res = e.run()
	wantStats(t, res.Stats, provisioning.Stats{Matched: 1})
	if n := e.targetCount("Users"); n != 3 {
		t.Errorf("target users = %d, want 3", n)
	}
	var matched int
	for _, le := range e.logs.Entries() {
		if le.Matched {
			matched++
		}
	}
	if matched != 1 {
		t.Errorf("log entries marked matched = %d, want 1", matched)
	}
}

// What still fails after the retries within the cycle becomes an escrow:
// its link records the action, the object's name, the error and a next
// retry a minute later, doubling.
func TestEscrowRecordsActionAndBacksOff(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	e.addUsers(2)
	e.run()
	e.fault.set(func(r *http.Request, body string) bool { return r.Method == http.MethodPatch })
	e.dir.UpdateUser("u1", func(u *directory.User) { u.DisplayName = "Renamed" })
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		res := e.run()
		wantStats(t, res.Stats, provisioning.Stats{Failed: 1})
		l, _ := e.links.Get(provisioning.TypeUser, "u1")
		now := time.Unix(0, e.clock.Load()).UTC()
		if l.Attempts != i+1 || l.FailedAction != provisioning.ActionUpdate || l.SourceName != "user1@example.com" ||
			!l.NextRetry.Equal(now.Add(want)) || l.LastError == "" {
			t.Errorf("escrow after failure %d = %+v, want attempts %d, action update, name user1@example.com, next retry %v",
				i+1, l, i+1, now.Add(want))
		}
		// Not due yet: the next cycle leaves it alone.
		wantStats(t, e.run().Stats, provisioning.Stats{})
		e.advance(want)
	}
	e.fault.set(nil)
	wantStats(t, e.run().Stats, provisioning.Stats{Updated: 1})
	if l, _ := e.links.Get(provisioning.TypeUser, "u1"); l.Failed() || l.FailedAction != "" || l.SourceName != "" {
		t.Errorf("link after success = %+v, want no failure", l)
	}
}

// A Retry-After longer than the cycle waits out fails the object, whose
// escrow then waits at least as long.
func TestLongRetryAfterDelaysEscrow(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	e.addUsers(1)
	e.fault.setInject(func(r *http.Request, body string) injected {
		if r.Method == http.MethodPost {
			return injected{status: http.StatusTooManyRequests, retryAfter: "600"}
		}
		return injected{}
	})
	wantStats(t, e.run().Stats, provisioning.Stats{Failed: 1})
	now := time.Unix(0, e.clock.Load()).UTC()
	if l, _ := e.links.Get(provisioning.TypeUser, "u1"); !l.NextRetry.Equal(now.Add(10 * time.Minute)) {
		t.Errorf("escrow next retry = %v, want the Retry-After's %v", l.NextRetry, now.Add(10*time.Minute))
	}
}

// A disable that failed and then succeeds leaves no failure behind: the
// link is no escrow any more.
func TestFailedDisableClearsOnSuccess(t *testing.T) {
	e := newEnv(t, func(c *provisioning.Config) { c.ListThreshold = -1 })
	e.addUsers(2)
	e.run()
	e.dir.Unassign(appID, "u2")
	e.fault.set(func(r *http.Request, body string) bool { return r.Method == http.MethodPatch })
	wantStats(t, e.run().Stats, provisioning.Stats{Failed: 1})
	if l, _ := e.links.Get(provisioning.TypeUser, "u2"); l.Attempts != 1 || l.FailedAction != provisioning.ActionDisable {
		t.Errorf("escrow = %+v, want a failed disable", l)
	}
	e.fault.set(nil)
	e.advance(time.Minute)
	wantStats(t, e.run().Stats, provisioning.Stats{Disabled: 1})
	if l, _ := e.links.Get(provisioning.TypeUser, "u2"); l.Failed() || l.State != provisioning.LinkDisabled || l.FailedAction != "" {
		t.Errorf("link after the disable succeeded = %+v, want disabled with no failure", l)
	}
}

// With a fifth of all requests failing in every way (429 and 503 with
// Retry-After, 500, 502, dropped connections, and answers lost after the
// target applied the request), an initial cycle converges within two
// cycles: every user exactly once, none missing.
func TestConvergesUnderFaults(t *testing.T) {
	const users = 300
	e, _ := newRetryEnv(t)
	e.addUsers(users)
	faults := []injected{
		{status: http.StatusTooManyRequests, retryAfter: "1"},
		{status: http.StatusServiceUnavailable, retryAfter: "2"},
		{status: http.StatusInternalServerError},
		{status: http.StatusBadGateway},
		{drop: true},
		{drop: true, apply: true},
		{status: http.StatusInternalServerError, apply: true},
	}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(11, 11))
	e.fault.setInject(func(r *http.Request, body string) injected {
		mu.Lock()
		defer mu.Unlock()
		if rng.IntN(5) != 0 {
			return injected{}
		}
		return faults[rng.IntN(len(faults))]
	})
	res := e.run()
	cycles := 1
	if res.Stats.Failed > 0 {
		e.advance(time.Hour)
		res = e.run()
		cycles++
	}
	if res.Stats.Failed != 0 {
		t.Fatalf("cycle %d stats = %+v, want no failure", cycles, res.Stats)
	}
	e.fault.setInject(nil)
	seen := map[string]bool{}
	for r, err := range e.target.All(context.Background(), "Users", client.Query{}) {
		if err != nil {
			t.Fatal(err)
		}
		name, _ := r["userName"].(string)
		if seen[name] {
			t.Errorf("userName %q twice on the target", name)
		}
		seen[name] = true
	}
	if len(seen) != users {
		t.Errorf("target users = %d after %d cycles, want %d", len(seen), cycles, users)
	}
	for i := 1; i <= users; i++ {
		if l, ok := e.links.Get(provisioning.TypeUser, fmt.Sprintf("u%d", i)); !ok || l.State != provisioning.LinkActive || l.Failed() {
			t.Errorf("link of u%d = %+v, want active", i, l)
		}
	}
}
