package client

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"
)

// throttleClock is a settable clock for Throttle tests.
type throttleClock struct{ t time.Time }

func (c *throttleClock) now() time.Time          { return c.t }
func (c *throttleClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestThrottle(t *testing.T, cfg ThrottleConfig) (*Throttle, *throttleClock) {
	t.Helper()
	clock := &throttleClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg.Now = clock.now
	th, err := NewThrottle(cfg)
	if err != nil {
		t.Fatalf("NewThrottle(%+v) = %v", cfg, err)
	}
	return th, clock
}

// answer admits one request and completes it with status.
func answer(t *testing.T, th *Throttle, status int) {
	t.Helper()
	tk, err := th.acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	th.done(tk, status)
}

// event is an answer to a Throttle's request.
type event struct {
	wait   time.Duration // clock advance before the answer
	status int
}

// refusals is n answers with status at once.
func refusals(status, n int) []event { return slices.Repeat([]event{{0, status}}, n) }

func TestThrottleAIMD(t *testing.T) {
	tests := []struct {
		name     string
		cfg      ThrottleConfig
		events   []event
		wantRate float64
		wantConc int
		wantDecr int64
	}{
		{"fewer than 10 answers lower nothing", ThrottleConfig{Rate: 40, MaxConcurrency: 16}, refusals(429, 9), 40, 16, 0},
		{"429s halve", ThrottleConfig{Rate: 40, MaxConcurrency: 16}, refusals(429, 10), 20, 8, 1},
		{"503s halve", ThrottleConfig{Rate: 40, MaxConcurrency: 16}, refusals(503, 10), 20, 8, 1},
		{"sporadic 429s below the threshold", ThrottleConfig{Rate: 40, MaxConcurrency: 16},
			append(refusals(200, 40), refusals(429, 9)...), 40, 16, 0},
		{"500 does not", ThrottleConfig{Rate: 40, MaxConcurrency: 16}, append(refusals(500, 10), event{0, 0}), 40, 16, 0},
		{"floors", ThrottleConfig{Rate: 40, MaxConcurrency: 16, MinRate: 15, MinConcurrency: 6}, refusals(429, 30), 15, 6, 3},
		{"floor of 1", ThrottleConfig{Rate: 4, MaxConcurrency: 2}, refusals(429, 40), 1, 1, 4},
		{"no increase within a second", ThrottleConfig{Rate: 40, MaxConcurrency: 16},
			append(refusals(429, 10), event{500 * time.Millisecond, 200}, event{400 * time.Millisecond, 200}), 20, 8, 1},
		{"no increase while throttled", ThrottleConfig{Rate: 40, MaxConcurrency: 16},
			append(refusals(429, 19), event{time.Second, 200}), 20, 8, 1},
		// The concurrency grows back by latency windows (adaptive_test.go),
		// not by these few answers.
		{"additive increase", ThrottleConfig{Rate: 40, MaxConcurrency: 16},
			append(refusals(429, 10), event{time.Second, 200}, event{100 * time.Millisecond, 200}, event{time.Second, 201}), 28, 8, 1},
		{"increase capped at the maximum", ThrottleConfig{Rate: 40, MaxConcurrency: 9},
			append(refusals(429, 10), slices.Repeat([]event{{time.Second, 200}}, 7)...), 40, 4, 1},
		{"transport failure does not increase", ThrottleConfig{Rate: 40, MaxConcurrency: 16},
			append(refusals(429, 10), event{time.Second, 0}), 20, 8, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, clock := newTestThrottle(t, tt.cfg)
			for _, ev := range tt.events {
				clock.advance(ev.wait)
				answer(t, th, ev.status)
			}
			s := th.Stats()
			if s.Rate != tt.wantRate || s.Concurrency != tt.wantConc || s.Decreases != tt.wantDecr {
				t.Errorf("Stats() = rate %v, concurrency %d, decreases %d; want %v, %d, %d",
					s.Rate, s.Concurrency, s.Decreases, tt.wantRate, tt.wantConc, tt.wantDecr)
			}
		})
	}
}

// TestThrottleOneDecreasePerEpoch: requests in flight when the target
// starts throttling lower the limits once, not once each.
func TestThrottleOneDecreasePerEpoch(t *testing.T) {
	th, _ := newTestThrottle(t, ThrottleConfig{Rate: 64, MaxConcurrency: 16})
	var tks []ticket
	for range 12 {
		tk, err := th.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		tks = append(tks, tk)
	}
	for _, tk := range tks {
		th.done(tk, http.StatusTooManyRequests)
	}
	for range 10 { // admitted after the decrease
		answer(t, th, http.StatusTooManyRequests)
	}
	s := th.Stats()
	if s.Throttled != 22 || s.Decreases != 2 || s.Rate != 16 || s.Concurrency != 4 {
		t.Errorf("Stats() = %+v, want 22 throttled, 2 decreases, rate 16, concurrency 4", s)
	}
}

// TestThrottleUnlimited: without a configured rate, a throttle limits the
// rate to half of what was sent in the last second, and recovery ends
// unlimited again.
func TestThrottleUnlimited(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 4})
	for range 30 {
		answer(t, th, http.StatusOK)
	}
	clock.advance(time.Second)
	for range 8 { // the 8th makes 20% of the last answers
		answer(t, th, http.StatusTooManyRequests)
	}
	if s := th.Stats(); s.Rate != 15 || s.Concurrency != 2 || s.Decreases != 1 {
		t.Fatalf("after throttles: Stats() = %+v, want rate 15 (half of 30/s), concurrency 2, 1 decrease", s)
	}
	for range 10 {
		clock.advance(time.Second)
		answer(t, th, http.StatusOK)
	}
	for range LatencyWindow - 10 { // completes a latency window: concurrency 2 + √2
		answer(t, th, http.StatusOK)
	}
	if s := th.Stats(); s.Rate != 0 || s.Concurrency != 4 {
		t.Errorf("after 10 s of success and a latency window: Stats() = %+v, want unlimited (0) and concurrency 4", s)
	}
}

// TestThrottleConcurrency: acquire blocks at the effective cap, a halved
// cap holds new requests back, and a cancelled wait returns ctx's error.
func TestThrottleConcurrency(t *testing.T) {
	th, _ := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 4})
	for range 10 {
		answer(t, th, http.StatusTooManyRequests) // cap 2
	}
	var tks []ticket
	for range 2 {
		tk, err := th.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		tks = append(tks, tk)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := th.acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire(3rd of cap 2) = %v, want DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() {
		_, err := th.acquire(t.Context())
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("acquire at 2 in flight of cap 2 returned %v, want it to wait", err)
	case <-time.After(20 * time.Millisecond):
	}
	th.done(tks[0], http.StatusOK)
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("acquire after a release = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("acquire still waits after a slot was released")
	}
}

func TestNewThrottleInvalid(t *testing.T) {
	for _, cfg := range []ThrottleConfig{{Rate: -1}, {Burst: -1}, {MaxConcurrency: -2}, {MinRate: -1}, {MinConcurrency: -1}} {
		if _, err := NewThrottle(cfg); err == nil {
			t.Errorf("NewThrottle(%+v) = nil error, want one", cfg)
		}
	}
	if _, err := New("https://host", WithThrottle(&Throttle{}), WithRateLimit(5, 1)); err == nil {
		t.Error("New(WithThrottle, WithRateLimit) = nil error, want one")
	}
}

// TestClientThrottleAdapts: a client's answers reach its throttle.
func TestClientThrottleAdapts(t *testing.T) {
	fs := newFaultServer(t, append(slices.Repeat([]step{{status: 429}}, 10), step{status: 200, body: userJSON})...)
	th, clock := newTestThrottle(t, ThrottleConfig{Rate: 50, MaxConcurrency: 8})
	c, _ := newTestClient(t, fs.URL, WithThrottle(th), WithSleep(func(_ context.Context, d time.Duration) error {
		clock.advance(d) // the throttle's clock: its tokens come with it
		return nil
	}))
	for range 3 { // 4 attempts each
		_, _ = c.Get(t.Context(), "Users", "u1")
	}
	if s := th.Stats(); s.Throttled != 10 || s.Rate != 25 || s.Concurrency != 4 {
		t.Errorf("Stats() after ten 429s = %+v, want 10 throttled, rate 25, concurrency 4", s)
	}
}

// TestThrottleCountsWaits: a request that must wait for a rate token is
// counted with how long it waits; one that need not is not.
func TestThrottleCountsWaits(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{Rate: 10, Burst: 1})
	c, _ := newTestClient(t, "http://127.0.0.1:1", WithThrottle(th), WithSleep(func(_ context.Context, d time.Duration) error {
		clock.advance(d)
		return nil
	}))
	for i := range 2 {
		tk, err := c.admit(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		th.done(tk, 0)
		if s := th.Stats(); s.Waits != int64(i) || s.Waited != time.Duration(i)*100*time.Millisecond {
			t.Errorf("after request %d: Stats() = %d waits, %s waited; want %d and %s", i+1, s.Waits, s.Waited, i, time.Duration(i)*100*time.Millisecond)
		}
	}
	if d := th.take(); d != 100*time.Millisecond {
		t.Errorf("take() right after a token was taken = %s, want 100ms at 10/s (and no token taken)", d)
	}
	if d := th.take(); d != 100*time.Millisecond {
		t.Errorf("take() again = %s, want 100ms: the first took nothing", d)
	}
}
