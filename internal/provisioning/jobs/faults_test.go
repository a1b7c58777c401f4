package jobs_test

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/directory"
	"github.com/provisio-dev/provisio/internal/faultproxy"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/provisioning/provisioningtest"
	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend/memory"
	"github.com/provisio-dev/provisio/scim/client"
	"github.com/provisio-dev/provisio/scim/server"
)

// Issue 11's convergence test: the figures in docs/benchmarks.md, "Issue
// 11: faults and rate limits", come from its log (go test -v -run
// TestConvergesThroughFaults ./internal/provisioning/jobs/).
const (
	faultUsers    = 2000
	faultFraction = 0.2
	faultRate     = 100 // the job's rate limit, requests per second
	faultCycles   = 2   // cycles run back to back that must converge
	// rateSlack is the excess over faultRate allowed in any one-second
	// window at the proxy: the throttle's burst of 1, plus 2 for requests
	// that left the client on time but arrived bunched (scheduling and
	// loopback jitter).
	rateSlack = 3
)

// TestConvergesThroughFaults: an initial cycle of 2,000 users through a
// proxy that injects faults into 20% of the requests (429 with
// Retry-After, 503, 500, slow answers, dropped connections, answers lost
// after the application applied the request) converges in at most two
// cycles, the second once the first escrow backoff has passed (the
// service's clock is moved on): every user exists once in the application,
// and the application never saw more than the job's rate.
func TestConvergesThroughFaults(t *testing.T) {
	if testing.Short() {
		t.Log("runs in full even with -short: it is the issue's acceptance test")
	}
	h := server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	app := http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	direct := httptest.NewServer(app)
	t.Cleanup(direct.Close)
	proxy, err := faultproxy.New(faultproxy.Config{Upstream: app, Fraction: faultFraction, Seed: 11,
		RetryAfter: time.Second, SlowDelay: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	faulty := httptest.NewServer(proxy)
	t.Cleanup(faulty.Close)

	p := filepath.Join(t.TempDir(), "provisio.db")
	st, err := sqlstore.Open(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, _ := secretbox.New(make([]byte, secretbox.KeySize))
	dir := provisioningtest.NewDirectory()
	// The service's clock runs ahead by skew: before the second cycle it
	// moves past the first escrow backoff (1 min), so a request that still
	// failed after the in-cycle retries is due again, as it would be when
	// cycles are an interval apart.
	var skew atomic.Int64
	svc, err := jobs.New(jobs.Options{Store: st.Jobs(), Source: dir, Box: box, DiscoveryWait: time.Second,
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	ctx := context.Background()
	if _, err := svc.Configure(ctx, appID, jobs.Config{TenantURL: faulty.URL + "/scim/v2", SecretToken: token,
		RateLimit: ptr(float64(faultRate))}); err != nil {
		t.Fatalf("Configure = %v", err)
	}
	for i := 1; i <= faultUsers; i++ {
		id := fmt.Sprintf("u%d", i)
		dir.PutUser(directory.User{ObjectID: id, UserPrincipalName: fmt.Sprintf("user%d@example.com", i),
			DisplayName: fmt.Sprintf("User %d", i), GivenName: "User", Surname: fmt.Sprint(i), AccountEnabled: true})
		dir.Assign(directory.Assignment{AppID: appID, PrincipalID: id, PrincipalKind: directory.KindUser})
	}
	check, err := client.New(direct.URL+"/scim/v2", client.WithStaticToken(token))
	if err != nil {
		t.Fatal(err)
	}
	proxy.Reset()
	start := time.Now()
	var total, distinct int
	for cycle := 1; cycle <= faultCycles; cycle++ {
		if cycle > 1 {
			skew.Add(int64(2 * time.Minute))
		}
		began := time.Now()
		sum, err := svc.Run(ctx, appID)
		if err != nil {
			t.Fatalf("cycle %d: Run = %v", cycle, err)
		}
		total, distinct = targetUsers(t, check)
		status, _ := svc.Status(ctx, appID)
		t.Logf("cycle %d (%s, %.1fs): stats %+v; application: %d users, %d distinct userNames, %d missing; throttle %+v; links %+v",
			cycle, sum.Kind, time.Since(began).Seconds(), sum.Stats, total, distinct, faultUsers-distinct, status.Throttle, status.Links)
	}
	ps := proxy.Stats()
	t.Logf("proxy: %d requests, %d forwarded, faults %v; most in one second: %d at the proxy, %d at the application; %.1fs in all",
		ps.Requests, ps.Forwarded, ps.Faults, ps.MaxPerSecond, ps.UpstreamMaxPerSecond, time.Since(start).Seconds())
	if total != faultUsers || distinct != faultUsers {
		t.Errorf("after %d cycles: %d users with %d distinct userNames in the application, want %d of each (%d missing, %d duplicates)",
			faultCycles, total, distinct, faultUsers, faultUsers-distinct, total-distinct)
	}
	if ps.MaxPerSecond > faultRate+rateSlack {
		t.Errorf("the application saw %d requests in one second, want at most %d (rate %d + %d)", ps.MaxPerSecond, faultRate+rateSlack, faultRate, rateSlack)
	}
}

// targetUsers counts the application's users and their distinct
// userNames, read directly (not through the proxy).
func targetUsers(t *testing.T, c *client.Client) (total, distinct int) {
	t.Helper()
	names := map[string]bool{}
	for r, err := range c.All(context.Background(), "Users", client.Query{Count: 1000}) {
		if err != nil {
			t.Fatalf("list the application's users: %v", err)
		}
		total++
		name, _ := r["userName"].(string)
		names[name] = true
	}
	return total, len(names)
}
