package client

import (
	"net/http"
	"testing"
	"time"
)

// round admits n requests at once and answers them all status after rtt.
func round(t *testing.T, th *Throttle, clock *throttleClock, n int, rtt time.Duration, status int) {
	t.Helper()
	tks := make([]ticket, n)
	for i := range tks {
		tk, err := th.acquire(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		tks[i] = tk
	}
	clock.advance(rtt)
	for _, tk := range tks {
		th.done(tk, status)
	}
}

// full runs rounds of as many requests as the cap allows until they add
// up to a latency window, and returns the cap after it.
func full(t *testing.T, th *Throttle, clock *throttleClock, rtt time.Duration) int {
	t.Helper()
	for n, want := 0, max(LatencyWindow, th.Stats().Concurrency); n < want; {
		c := th.Stats().Concurrency
		round(t, th, clock, c, rtt, http.StatusCreated)
		n += c
	}
	return th.Stats().Concurrency
}

// TestAdaptiveSlowStart: the cap starts at InitialConcurrency and doubles
// per window while latency holds, up to the ceiling.
func TestAdaptiveSlowStart(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 200})
	if c := th.Stats().Concurrency; c != InitialConcurrency {
		t.Fatalf("initial concurrency %d, want %d", c, InitialConcurrency)
	}
	var got []int
	for range 5 {
		got = append(got, full(t, th, clock, 50*time.Millisecond))
	}
	want := []int{32, 64, 128, 200, 200}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("cap after each window = %v, want %v", got, want)
		}
	}
	if s := th.Stats(); s.Latency != 50*time.Millisecond || s.BaseLatency != 50*time.Millisecond {
		t.Errorf("Stats() latency %v, base %v; want 50ms and 50ms", s.Latency, s.BaseLatency)
	}
}

// TestAdaptiveLatencyRise: latency above twice the baseline (plus the
// slack) cuts the cap by their ratio and ends slow start; growth is then
// additive (√cap per window); latency never cuts below the floor.
func TestAdaptiveLatencyRise(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 256})
	full(t, th, clock, 50*time.Millisecond) // 32
	full(t, th, clock, 50*time.Millisecond) // 64
	// limit 2×50+2 = 102 ms; at 150 ms the cap is cut to 64×102/150 = 43.
	if c := full(t, th, clock, 150*time.Millisecond); c != 43 {
		t.Fatalf("cap after a window at 150 ms = %d, want 43", c)
	}
	if c := full(t, th, clock, 50*time.Millisecond); c != 43+7 {
		t.Fatalf("cap after a window at 50 ms = %d, want 50 (additive: 43 + ⌈√43⌉)", c)
	}
	if c := full(t, th, clock, 100*time.Millisecond); c != 50+8 {
		t.Fatalf("cap after a window at 100 ms (within the tolerance) = %d, want 58", c)
	}
	for range 5 {
		full(t, th, clock, time.Second)
	}
	if c := th.Stats().Concurrency; c != InitialConcurrency {
		t.Errorf("cap after windows at 1 s = %d, want the floor %d", c, InitialConcurrency)
	}
	small, clock2 := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 8})
	full(t, small, clock2, time.Millisecond)
	if c := full(t, small, clock2, time.Second); c != 8 {
		t.Errorf("ceiling 8: cap after a slow window = %d, want 8 (the floor is the ceiling)", c)
	}
}

// TestAdaptiveCallerLimited: windows in which the caller kept fewer than
// half of the slots busy raise nothing.
func TestAdaptiveCallerLimited(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 256})
	for range 3 * LatencyWindow / 4 { // three windows
		round(t, th, clock, 4, 50*time.Millisecond, http.StatusOK)
	}
	if c := th.Stats().Concurrency; c != InitialConcurrency {
		t.Errorf("cap after windows of 4 in flight = %d, want %d", c, InitialConcurrency)
	}
	if c := full(t, th, clock, 50*time.Millisecond); c != 2*InitialConcurrency {
		t.Errorf("cap after a full window = %d, want %d", c, 2*InitialConcurrency)
	}
}

// TestAdaptiveTimeouts: attempts that time out halve the cap, once for
// the requests of one epoch, down to MinConcurrency, and end slow start;
// no increase follows within AdaptInterval.
func TestAdaptiveTimeouts(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 256})
	var tks []ticket
	for range 16 {
		tk, _ := th.acquire(t.Context())
		tks = append(tks, tk)
	}
	for _, tk := range tks {
		th.timedOut(tk)
	}
	if s := th.Stats(); s.Concurrency != 8 || s.Timeouts != 16 || s.Decreases != 1 {
		t.Fatalf("after 16 timeouts in flight together: Stats() = %+v, want concurrency 8, 16 timeouts, 1 decrease", s)
	}
	for range 5 {
		tk, _ := th.acquire(t.Context())
		th.timedOut(tk)
	}
	if c := th.Stats().Concurrency; c != 1 {
		t.Fatalf("after 5 more timeouts one after another: concurrency %d, want 1", c)
	}
	if c := full(t, th, clock, time.Millisecond); c != 1 {
		t.Errorf("cap after a window within a second of the cut = %d, want 1", c)
	}
	clock.advance(AdaptInterval)
	if c := full(t, th, clock, time.Millisecond); c != 2 {
		t.Errorf("cap after a window a second later = %d, want 2 (additive, not slow start)", c)
	}
}

// TestAdaptiveRefusalsEndSlowStart: a halving by 429s ends slow start.
func TestAdaptiveRefusalsEndSlowStart(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 256})
	full(t, th, clock, 10*time.Millisecond) // 32
	for range ThrottleMinAnswers {
		answer(t, th, http.StatusTooManyRequests)
	}
	if c := th.Stats().Concurrency; c != 16 {
		t.Fatalf("after 10 refusals: concurrency %d, want 16", c)
	}
	clock.advance(AdaptInterval)
	// 40 answers to clear the refusals out of the throttling share.
	for range 40 {
		answer(t, th, http.StatusOK)
	}
	if c := full(t, th, clock, 10*time.Millisecond); c != 16+4 {
		t.Errorf("cap after a window = %d, want 20 (additive)", c)
	}
}

// TestAdaptiveIdleRestart: after IdleReset with nothing in flight, the
// next request restarts the search at InitialConcurrency with a fresh
// baseline (RFC 5681 §4.1).
func TestAdaptiveIdleRestart(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: 256})
	full(t, th, clock, 50*time.Millisecond)
	full(t, th, clock, 50*time.Millisecond)
	clock.advance(IdleReset - time.Millisecond)
	answer(t, th, http.StatusOK)
	if c := th.Stats().Concurrency; c != 64 {
		t.Fatalf("cap after a short pause = %d, want 64 kept", c)
	}
	clock.advance(IdleReset)
	answer(t, th, http.StatusOK)
	if s := th.Stats(); s.Concurrency != InitialConcurrency || s.BaseLatency != 0 {
		t.Fatalf("after %v idle: Stats() = %+v, want concurrency %d and no baseline", IdleReset, s, InitialConcurrency)
	}
	if c := full(t, th, clock, 200*time.Millisecond); c != 2*InitialConcurrency {
		t.Errorf("cap after a window at a new latency = %d, want %d (slow start again)", c, 2*InitialConcurrency)
	}
}

// TestAdaptiveRateBound: windows in which most requests waited for a
// rate token raise nothing.
func TestAdaptiveRateBound(t *testing.T) {
	th, clock := newTestThrottle(t, ThrottleConfig{Rate: 10, MaxConcurrency: 256})
	for range LatencyWindow / InitialConcurrency {
		var tks []ticket
		for range InitialConcurrency {
			tk, err := th.acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if d := th.take(); d > 0 { // the bucket holds one token: the others wait
				th.tokenWait(d)
			}
			tks = append(tks, tk)
		}
		clock.advance(time.Millisecond)
		for _, tk := range tks {
			th.done(tk, http.StatusOK)
		}
	}
	if s := th.Stats(); s.Concurrency != InitialConcurrency || s.Latency == 0 {
		t.Errorf("after a window bound by the rate: Stats() = %+v, want concurrency %d and a latency", s, InitialConcurrency)
	}
}

// TestAdaptiveDistantCycle is issue 15's distant application by the
// limiter's own arithmetic: 2,000 requests waiting, each answered 50 ms
// after it leaves, the default ceiling. Slow start reaches 64 in flight
// after 150 ms and the ceiling after 250 ms, so the 2,000 are answered
// within 600 ms (3,300/s), well above the 1,000 objects/s (one
// request per create); the engine, not the limiter, must keep the slots
// full (BenchmarkDistantApplication reports the peak it reached).
func TestAdaptiveDistantCycle(t *testing.T) {
	const (
		requests = 2000
		rtt      = 50 * time.Millisecond
	)
	th, clock := newTestThrottle(t, ThrottleConfig{MaxConcurrency: DefaultMaxConcurrency})
	var elapsed, to64 time.Duration
	for left := requests; left > 0; {
		n := min(th.Stats().Concurrency, left)
		round(t, th, clock, n, rtt, http.StatusCreated)
		left -= n
		elapsed += rtt
		if to64 == 0 && th.Stats().Concurrency >= 64 {
			to64 = elapsed
		}
	}
	s := th.Stats()
	t.Logf("%d requests through %v: %v, cap 64 after %v, peak %d in flight", requests, rtt, elapsed, to64, s.PeakInFlight)
	if to64 > 150*time.Millisecond {
		t.Errorf("cap reached 64 after %v, want within 150ms (three windows)", to64)
	}
	if elapsed > 600*time.Millisecond {
		t.Errorf("%d requests took %v, want at most 600ms", requests, elapsed)
	}
	if s.PeakInFlight != DefaultMaxConcurrency {
		t.Errorf("PeakInFlight = %d, want the ceiling %d", s.PeakInFlight, DefaultMaxConcurrency)
	}
}
