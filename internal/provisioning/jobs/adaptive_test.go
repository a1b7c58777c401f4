package jobs_test

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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

// Issue 15's distant application: the figures in docs/benchmarks.md,
// "Issue 15: adaptive concurrency", come from these tests' logs and from
// BenchmarkDistantApplication.
const (
	distantUsers   = 2000
	distantLatency = 50 * time.Millisecond
	// The test runs through a farther application than the 50 ms
	// so that its bound holds on a loaded 2-core machine: through 50 ms
	// the engine, the proxy and the application, all in this process,
	// run out of CPU before the pipe is full when other work runs (2,000
	// users at 230 to 320 objects/s with a load average of 22, fixed 16
	// or not), whereas through 200 ms a fixed 16 in flight cannot pass
	// 80 objects/s (16 / 200 ms) whatever the CPU. testFloor is 1.5 times
	// that (measured: 136 to 258 objects/s at load averages of 27 to
	// 33); BenchmarkDistantApplication measures the 50 ms.
	testLatency = 200 * time.Millisecond
	testUsers   = 1500
	testFloor   = 120 // objects/s: 1.5 × 16 / 200 ms
)

// distantRig is a job on SQLite whose application (scim/server over the
// memory backend) answers through a faultproxy.
type distantRig struct {
	svc    *jobs.Service
	proxy  *faultproxy.Proxy
	direct *client.Client // the application without the proxy
}

// newDistantRig builds a rig of users users, the proxy configured by pc
// (its Upstream set here), the job by jc (its Tenant URL and token set
// here) and the service by opts.
func newDistantRig(tb testing.TB, users int, pc faultproxy.Config, jc jobs.Config, opts ...func(*jobs.Options)) *distantRig {
	tb.Helper()
	h := server.New(server.Config{Registry: scim.NewStandardRegistry(), Backend: memory.New(), Logger: slog.New(slog.DiscardHandler)})
	app := http.StripPrefix("/scim/v2", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	direct := httptest.NewServer(app)
	tb.Cleanup(direct.Close)
	pc.Upstream = app
	proxy, err := faultproxy.New(pc)
	if err != nil {
		tb.Fatal(err)
	}
	far := httptest.NewServer(proxy)
	tb.Cleanup(far.Close)
	st, err := sqlstore.Open(context.Background(), filepath.Join(tb.TempDir(), "provisio.db"), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	box, _ := secretbox.New(make([]byte, secretbox.KeySize))
	dir := provisioningtest.NewDirectory()
	o := jobs.Options{Store: st.Jobs(), Source: dir, Box: box, DiscoveryWait: time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	svc, err := jobs.New(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(svc.Close)
	jc.TenantURL, jc.SecretToken = far.URL+"/scim/v2", token
	if _, err := svc.Configure(context.Background(), appID, jc); err != nil {
		tb.Fatalf("Configure = %v", err)
	}
	for i := 1; i <= users; i++ {
		id := fmt.Sprintf("u%d", i)
		dir.PutUser(directory.User{ObjectID: id, UserPrincipalName: fmt.Sprintf("user%d@example.com", i),
			DisplayName: fmt.Sprintf("User %d", i), GivenName: "User", Surname: fmt.Sprint(i), AccountEnabled: true})
		dir.Assign(directory.Assignment{AppID: appID, PrincipalID: id, PrincipalKind: directory.KindUser})
	}
	check, err := client.New(direct.URL+"/scim/v2", client.WithStaticToken(token))
	if err != nil {
		tb.Fatal(err)
	}
	proxy.Reset()
	return &distantRig{svc: svc, proxy: proxy, direct: check}
}

// cycle runs one cycle and returns it with its duration.
func (r *distantRig) cycle(tb testing.TB) (*jobs.CycleSummary, time.Duration) {
	tb.Helper()
	began := time.Now()
	sum, err := r.svc.Run(context.Background(), appID)
	if err != nil {
		tb.Fatalf("Run = %v", err)
	}
	return sum, time.Since(began)
}

// throttle is the job's throttle's state.
func (r *distantRig) throttle(tb testing.TB) client.ThrottleStats {
	tb.Helper()
	st, err := r.svc.Status(context.Background(), appID)
	if err != nil || st.Throttle == nil {
		tb.Fatalf("Status = %+v, %v; want a throttle", st, err)
	}
	return *st.Throttle
}

// slow is a proxy adding latency to every answer.
func slow(d time.Duration) faultproxy.Config { return faultproxy.Config{Latency: d} }

// TestAdaptiveConcurrencyDistantApplication: with the default settings,
// an initial cycle of 1,500 users through a proxy that adds 200 ms to
// every answer runs at more than testFloor objects per second, 1.5 times
// what a fixed 16 in flight can (16 / 200 ms = 80/s), and creates every
// user once.
func TestAdaptiveConcurrencyDistantApplication(t *testing.T) {
	r := newDistantRig(t, testUsers, slow(testLatency), jobs.Config{})
	sum, took := r.cycle(t)
	rate := float64(testUsers) / took.Seconds()
	th := r.throttle(t)
	t.Logf("%d users through %v: %.2fs, %.0f objects/s; stats %+v; throttle %+v", testUsers, testLatency, took.Seconds(), rate, sum.Stats, th)
	if sum.Stats.Created != testUsers || sum.Stats.Failed != 0 {
		t.Fatalf("cycle stats = %+v, want %d created and none failed", sum.Stats, testUsers)
	}
	if total, distinct := targetUsers(t, r.direct); total != testUsers || distinct != testUsers {
		t.Errorf("application: %d users, %d distinct; want %d", total, distinct, testUsers)
	}
	if rate < testFloor {
		t.Errorf("%.0f objects/s through %v, want at least %d (a fixed 16 in flight gives at most 80)", rate, testLatency, int(testFloor))
	}
	if th.Concurrency <= 2*client.InitialConcurrency {
		t.Errorf("throttle at concurrency %d after the cycle, want it raised above %d", th.Concurrency, 2*client.InitialConcurrency)
	}
}

// TestAdaptiveConcurrencyThrottlingApplication: an application that
// answers 429 (without Retry-After) to what exceeds its own limit of
// throttleLimit requests per second, 50 ms away. With the job's --rate
// below that limit, the application never sees more than the rate, and
// nothing is refused; without a rate, the job finds the limit itself
// (concurrency and rate halve on the refusals) and still creates every
// user, with no object failed.
func TestAdaptiveConcurrencyThrottlingApplication(t *testing.T) {
	const (
		users         = 1000
		throttleLimit = 300
		jobRate       = 200
	)
	for _, tc := range []struct {
		name string
		rate float64
	}{{"rate below the limit", jobRate}, {"no rate", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			pc := slow(distantLatency)
			pc.Limit = throttleLimit
			r := newDistantRig(t, users, pc, jobs.Config{RateLimit: ptr(tc.rate)})
			sum, took := r.cycle(t)
			ps, th := r.proxy.Stats(), r.throttle(t)
			t.Logf("%d users: %.2fs, %.0f objects/s; stats %+v; proxy: %d requests, faults %v, most in one second %d (application %d); throttle %+v",
				users, took.Seconds(), float64(users)/took.Seconds(), sum.Stats, ps.Requests, ps.Faults, ps.MaxPerSecond, ps.UpstreamMaxPerSecond, th)
			if sum.Stats.Created != users || sum.Stats.Failed != 0 {
				t.Errorf("cycle stats = %+v, want %d created and none failed", sum.Stats, users)
			}
			if total, distinct := targetUsers(t, r.direct); total != users || distinct != users {
				t.Errorf("application: %d users, %d distinct; want %d", total, distinct, users)
			}
			if tc.rate == 0 {
				return
			}
			if ps.MaxPerSecond > jobRate+rateSlack {
				t.Errorf("the proxy saw %d requests in one second, want at most the job's rate %d (+%d)", ps.MaxPerSecond, jobRate, rateSlack)
			}
			if n := ps.Faults[faultproxy.Limited]; n != 0 {
				t.Errorf("the application refused %d requests, want none below its limit", n)
			}
		})
	}
}

// BenchmarkDistantApplication is the before and after of issue 15 in one
// run: initial cycles of 2,000 users through the 50 ms proxy, and of
// 10,000 users straight to the application on loopback, each with the
// old fixed 16 in flight (--concurrency 16: the adaptive cap cannot grow
// past its ceiling) and with the default settings. It reports objects/s
// (its time per op is one cycle, setup excluded) and the most requests
// in flight at once the job's throttle saw (peak-in-flight: through 50 ms,
// 1,000 objects/s needs 50 on average).
//
//	go test -run '^$' -bench BenchmarkDistantApplication -benchtime 3x -count 3 ./internal/provisioning/jobs/
func BenchmarkDistantApplication(b *testing.B) {
	for _, p := range []struct {
		name    string
		users   int
		latency time.Duration
	}{{"50ms", distantUsers, distantLatency}, {"200ms", distantUsers, 200 * time.Millisecond}, {"loopback", 10_000, 0}} {
		for _, c := range []struct {
			name string
			conc int
		}{{"fixed16", client.InitialConcurrency}, {"adaptive", 0}} {
			b.Run(p.name+"/"+c.name, func(b *testing.B) {
				var objects float64
				var took time.Duration
				peak := 0
				for b.Loop() {
					b.StopTimer()
					pc := faultproxy.Config{}
					if p.latency > 0 {
						pc = slow(p.latency)
					}
					r := newDistantRig(b, p.users, pc, jobs.Config{MaxConcurrency: ptr(c.conc)})
					b.StartTimer()
					sum, d := r.cycle(b)
					if sum.Stats.Created != int64(p.users) || sum.Stats.Failed != 0 {
						b.Fatalf("cycle stats = %+v, want %d created", sum.Stats, p.users)
					}
					objects += float64(p.users)
					took += d
					peak = max(peak, r.throttle(b).PeakInFlight)
				}
				b.ReportMetric(objects/took.Seconds(), "objects/s")
				b.ReportMetric(float64(peak), "peak-in-flight")
			})
		}
	}
}
