package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/faultproxy"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/scim/client"
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
	// The service's clock runs ahead by skew: before the second cycle it
	// moves past the first escrow backoff (1 min), so a request that still
	// failed after the in-cycle retries is due again, as it would be when
	// cycles are an interval apart.
	var skew atomic.Int64
	r := newDistantRig(t, faultUsers,
		faultproxy.Config{Fraction: faultFraction, Seed: 11, RetryAfter: time.Second, SlowDelay: 300 * time.Millisecond},
		jobs.Config{RateLimit: ptr(float64(faultRate))},
		func(o *jobs.Options) { o.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) } })
	svc, proxy, check := r.svc, r.proxy, r.direct
	ctx := context.Background()
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
