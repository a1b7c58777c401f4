package faultproxy

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim/client"
)

func TestMaxInWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms ...int) []time.Time {
		var out []time.Time
		for _, m := range ms {
			out = append(out, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return out
	}
	tests := []struct {
		name  string
		times []time.Time
		want  int
	}{
		{"none", nil, 0},
		{"one", at(5), 1},
		{"spread", at(0, 1000, 2000), 1},
		{"window is half-open", at(0, 999, 1000), 2},
		{"densest second wins", at(0, 100, 1500, 1600, 1700, 2400), 4},
	}
	for _, tt := range tests {
		if got := MaxInWindow(tt.times, time.Second); got != tt.want {
			t.Errorf("%s: MaxInWindow() = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// upstream counts the requests it receives and answers 200.
type upstream struct{ n atomic.Int64 }

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.n.Add(1)
	_, _ = io.WriteString(w, "ok")
}

func newProxy(t *testing.T, cfg Config) (*Proxy, *upstream, string) {
	t.Helper()
	up := &upstream{}
	cfg.Upstream = up
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, up, srv.URL
}

func TestFaults(t *testing.T) {
	tests := []struct {
		kind       Kind
		wantStatus int // 0: no answer
		wantUp     int64
		retryAfter string
	}{
		{TooManyRequests, 429, 0, "2"},
		{Unavailable, 503, 0, ""},
		{ServerError, 500, 0, ""},
		{Slow, 200, 1, ""},
		{Drop, 0, 0, ""},
		{Lost, 0, 1, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			p, up, url := newProxy(t, Config{Fraction: 1, Kinds: []Kind{tt.kind}, RetryAfter: 2 * time.Second, SlowDelay: 50 * time.Millisecond})
			start := time.Now()
			resp, err := http.Post(url+"/Users", "application/scim+json", strings.NewReader(`{"userName":"a"}`))
			status := 0
			if err == nil {
				status = resp.StatusCode
				if got := resp.Header.Get("Retry-After"); got != tt.retryAfter {
					t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
				}
				resp.Body.Close()
			}
			if status != tt.wantStatus || up.n.Load() != tt.wantUp {
				t.Errorf("POST = status %d (err %v), upstream saw %d; want status %d, upstream %d", status, err, up.n.Load(), tt.wantStatus, tt.wantUp)
			}
			if tt.kind == Slow && time.Since(start) < 50*time.Millisecond {
				t.Errorf("slow answer took %s, want at least 50ms", time.Since(start))
			}
			if s := p.Stats(); s.Requests != 1 || s.Faults[tt.kind] != 1 || s.Forwarded != int(tt.wantUp) {
				t.Errorf("Stats() = %+v, want 1 request, 1 %s fault, %d forwarded", s, tt.kind, tt.wantUp)
			}
		})
	}
}

// TestDeterministic: the same seed gives each request the same fault
// whatever the order of the requests; a repeated request draws afresh.
func TestDeterministic(t *testing.T) {
	draw := func(seed uint64, order []int) map[string]Kind {
		p, err := New(Config{Upstream: &upstream{}, Fraction: 0.5, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Kind{}
		for _, i := range order {
			for rep := range 3 {
				r := httptest.NewRequest("GET", fmt.Sprintf("/Users/%d", i), nil)
				out[fmt.Sprintf("%d#%d", i, rep)] = p.decide(r, nil)
			}
		}
		return out
	}
	var fwd, rev []int
	for i := range 200 {
		fwd = append(fwd, i)
		rev = append([]int{i}, rev...)
	}
	a, b, c := draw(7, fwd), draw(7, rev), draw(8, fwd)
	same, differ, faults, repeatsDiffer := true, false, 0, false
	for k, v := range a {
		same = same && b[k] == v
		differ = differ || c[k] != v
		if v != "" {
			faults++
		}
	}
	for i := range 200 {
		repeatsDiffer = repeatsDiffer || a[fmt.Sprintf("%d#0", i)] != a[fmt.Sprintf("%d#1", i)]
	}
	if !same || !differ || !repeatsDiffer {
		t.Errorf("draws: same seed other order equal %v (want true), other seed differs %v (want true), repeats differ %v (want true)", same, differ, repeatsDiffer)
	}
	if faults < 240 || faults > 360 { // 600 draws at 0.5
		t.Errorf("%d faults of 600 draws at fraction 0.5, want about 300", faults)
	}
}

func TestNewInvalid(t *testing.T) {
	for _, cfg := range []Config{{}, {Upstream: &upstream{}, Fraction: 1.5}, {Upstream: &upstream{}, Fraction: -0.1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error, want one", cfg)
		}
	}
	if _, err := ParseKinds("429,bogus"); err == nil {
		t.Error(`ParseKinds("429,bogus") = nil error, want one`)
	}
	if k, err := ParseKinds("lost, drop"); err != nil || len(k) != 2 || k[0] != Lost || k[1] != Drop {
		t.Errorf(`ParseKinds("lost, drop") = %v, %v; want [lost drop]`, k, err)
	}
}

// TestThrottleAdaptsToLimit: a client allowed 200 requests a second
// against an application that takes 40 halves its rate when refused and
// gets every request through.
func TestThrottleAdaptsToLimit(t *testing.T) {
	p, up, url := newProxy(t, Config{Limit: 40})
	th, err := client.NewThrottle(client.ThrottleConfig{Rate: 200, MaxConcurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(url, client.WithThrottle(th), client.WithRetryPolicy(client.RetryPolicy{
		MaxAttempts: 20, BaseDelay: 50 * time.Millisecond, MaxDelay: 500 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	const total = 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				if _, err := c.Get(t.Context(), "Users", fmt.Sprint(i)); err != nil && !errors.Is(err, client.ErrNotSCIM) {
					failed.Add(1)
				}
			}
		})
	}
	for i := range total {
		work <- i
	}
	close(work)
	wg.Wait()
	s, ps := th.Stats(), p.Stats()
	t.Logf("throttle %+v; proxy %+v", s, ps)
	if failed.Load() != 0 || up.n.Load() != total {
		t.Errorf("%d requests failed, the application answered %d; want 0 and %d", failed.Load(), up.n.Load(), total)
	}
	if s.Decreases == 0 || s.Rate >= 200 {
		t.Errorf("throttle after %d refusals = %+v, want it halved at least once, below 200/s", ps.Faults[Limited], s)
	}
}

// TestLatency: every answer, a refusal over the limit included, comes
// Latency later.
func TestLatency(t *testing.T) {
	const latency = 60 * time.Millisecond
	p, up, url := newProxy(t, Config{Latency: latency, Limit: 1})
	for i := range 2 {
		began := time.Now()
		resp, err := http.Get(url + "/Users")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if took := time.Since(began); took < latency {
			t.Errorf("request %d answered %d after %v, want at least %v", i, resp.StatusCode, took, latency)
		}
	}
	if up.n.Load() != 1 || p.Stats().Faults[Limited] != 1 {
		t.Errorf("application saw %d, limited %d; want 1 and 1", up.n.Load(), p.Stats().Faults[Limited])
	}
	if _, err := New(Config{Upstream: up, Latency: -time.Second}); err == nil {
		t.Error("New(negative latency) = nil error, want one")
	}
}
