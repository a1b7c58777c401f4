package client

import (
	"context"
	"errors"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle is the request gate of one target: a token-bucket rate limit
// and a cap on requests in flight, both adapting to the target by AIMD
// (additive increase, multiplicative decrease, as TCP congestion control,
// RFC 5681 §3.1):
//
//   - Decrease: when the target throttles, answering 429 Too Many
//     Requests or 503 Service Unavailable (RFC 6585 §4, RFC 9110
//     §15.6.4) to at least [ThrottleThreshold] of its last answers (up
//     to [ThrottleWindow] of them, at least [ThrottleMinAnswers]), the
//     effective rate and concurrency halve, not below their floors
//     (MinRate, MinConcurrency), and the answers are counted afresh.
//     Only a request admitted after the last decrease can cause another,
//     so the answers of requests already in flight count once. A target
//     over its limit refuses what exceeds it, a large share; a few
//     sporadic refusals lower nothing (their Retry-After still pauses
//     the client, see [RetryPolicy], and the requests are retried), so
//     that a flaky target does not pin a large job to its floor.
//   - Increase: a success (any answer but 429 and 503; transport
//     failures count as neither) at least [AdaptInterval] after the last
//     change, while the target throttles less than the threshold, raises
//     the rate by a tenth of its maximum (at least 1/s), never above the
//     configured maximum. The concurrency grows back by latency windows.
//
// The concurrency cap adapts to the target's latency too (adaptive.go):
// it starts at [InitialConcurrency], grows while latency holds (slow
// start, then additive), and shrinks when latency rises or attempts time
// out, so that a distant target's pipe stays full. MaxConcurrency is its
// ceiling.
//
// With no rate configured (unlimited), the first decrease limits the
// rate to half of what was sent in the last second; once it is back at
// that rate, it is unlimited again.
//
// The configured rate is never exceeded: every attempt, retries
// included, takes a token, and the bucket holds at most Burst tokens, so
// any one-second window sees at most Rate+Burst requests leave.
//
// A Throttle may be shared by several clients of the same target (e.g.
// one per provisioning cycle, [WithThrottle]) so that what it learnt
// lasts and [Throttle.Stats] shows it. It is safe for concurrent use.
type Throttle struct {
	cfg     ThrottleConfig
	now     func() time.Time
	limiter *rate.Limiter

	mu       sync.Mutex
	conc     int // effective concurrency cap
	lat      latency
	inflight int
	peak     int // most requests in flight at once
	// waiters are the requests waiting for a slot, first come first:
	// a freed slot wakes one of them, not all (with a ceiling of 256
	// workers and a cap of 16, waking all would wake 240 per answer).
	waiters   []chan struct{}
	epoch     uint64    // bumped on every decrease
	lastAdapt time.Time // last increase or decrease
	ceiling   float64   // unlimited rate: what was sent in the second before it was limited
	throttled int64
	decreases int64
	timeouts  int64
	waits     int64         // requests that waited for a slot or a token
	waited    time.Duration // how long they waited in total
	// sent counts the requests admitted in the current and the previous
	// one-second window.
	sent windows
	// answers holds whether each of the last answers was a refusal (429,
	// 503): n of them, refused refusals, the next written at next.
	answers          [ThrottleWindow]bool
	n, refused, next int
}

// windows counts events in the current and the previous one-second
// window.
type windows struct {
	start     time.Time
	cur, prev int
}

// add counts one event at now.
func (w *windows) add(now time.Time) {
	w.roll(now)
	w.cur++
}

// roll moves the windows on to now.
func (w *windows) roll(now time.Time) {
	switch d := now.Sub(w.start); {
	case d >= 2*time.Second:
		w.start, w.prev, w.cur = now, 0, 0
	case d >= time.Second:
		w.start, w.prev, w.cur = w.start.Add(time.Second), w.cur, 0
	}
}

// ThrottleConfig configures a [Throttle]; zero fields take the defaults.
type ThrottleConfig struct {
	// Rate is the most requests per second ever sent; 0: unlimited.
	Rate float64
	// Burst is how many requests may leave at once when tokens have
	// accumulated (default 1).
	Burst int
	// MaxConcurrency caps the requests in flight (default
	// [DefaultMaxConcurrency]): the ceiling of the adaptive cap, which
	// starts at [InitialConcurrency] or MaxConcurrency if lower.
	MaxConcurrency int
	// MinRate and MinConcurrency are the floors of the adapted values
	// (defaults: 1/s and 1).
	MinRate        float64
	MinConcurrency int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// AdaptInterval is the least time between an adaptation of a [Throttle]
// and an increase that follows it.
const AdaptInterval = time.Second

// How a [Throttle] tells throttling from sporadic refusals: at least
// ThrottleThreshold of the last ThrottleWindow answers (and at least
// ThrottleMinAnswers answers) are 429 or 503. (BBRv2 likewise takes a
// loss rate below a threshold for noise, not congestion.)
const (
	ThrottleThreshold  = 0.2
	ThrottleWindow     = 50
	ThrottleMinAnswers = 10
)

// NewThrottle returns a Throttle at its configured rate and at
// [InitialConcurrency] requests in flight (or MaxConcurrency if lower).
func NewThrottle(cfg ThrottleConfig) (*Throttle, error) {
	if cfg.Rate < 0 || cfg.Burst < 0 || cfg.MaxConcurrency < 0 || cfg.MinRate < 0 || cfg.MinConcurrency < 0 {
		return nil, errors.New("throttle: rate, burst, concurrency and floors must not be negative")
	}
	if cfg.Burst == 0 {
		cfg.Burst = 1
	}
	if cfg.MaxConcurrency == 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.MinRate == 0 {
		cfg.MinRate = 1
	}
	if cfg.MinConcurrency == 0 {
		cfg.MinConcurrency = 1
	}
	if cfg.Rate > 0 {
		cfg.MinRate = min(cfg.MinRate, cfg.Rate)
	}
	cfg.MinConcurrency = min(cfg.MinConcurrency, cfg.MaxConcurrency)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &Throttle{cfg: cfg, now: cfg.Now}
	t.conc = t.latencyFloor()
	t.lat.slowStart = true
	t.limiter = rate.NewLimiter(t.limit(cfg.Rate), cfg.Burst)
	return t, nil
}

// limit is r as a rate.Limit; 0 is unlimited.
func (t *Throttle) limit(r float64) rate.Limit {
	if r <= 0 {
		return rate.Inf
	}
	return rate.Limit(r)
}

// ticket is an admitted request: the epoch it was admitted in, when it
// was admitted and when it left (after any rate-limit wait).
type ticket struct {
	epoch          uint64
	admitted, sent time.Time
}

// acquire waits for a slot under the effective concurrency cap.
func (t *Throttle) acquire(ctx context.Context) (ticket, error) {
	var since time.Time // when it started waiting (zero: it has not)
	for {
		t.mu.Lock()
		now := t.now()
		t.resetIdle(now)
		if t.inflight < t.conc && (len(t.waiters) == 0 || !since.IsZero()) {
			t.inflight++
			t.lat.peak = max(t.lat.peak, t.inflight)
			t.peak = max(t.peak, t.inflight)
			t.sent.add(now)
			if !since.IsZero() {
				t.waits++
				t.waited += now.Sub(since)
			}
			tk := ticket{epoch: t.epoch, admitted: now, sent: now}
			t.mu.Unlock()
			return tk, nil
		}
		if since.IsZero() {
			since = now
		}
		ch := make(chan struct{}, 1)
		t.waiters = append(t.waiters, ch)
		t.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			t.mu.Lock()
			if i := slices.Index(t.waiters, ch); i >= 0 {
				t.waiters = slices.Delete(t.waiters, i, i+1)
			} else {
				t.signal() // it was woken: pass the slot on
			}
			t.mu.Unlock()
			return ticket{}, ctx.Err()
		}
	}
}

// take takes a rate token if one is due now and returns 0; otherwise it
// takes none and returns how long until one is due, when the caller asks
// again. Taking the token at the moment of sending, rather than reserving
// a slot ahead, keeps the rate where it counts, when requests leave: on a
// loaded machine, requests that wake late find at most Burst tokens
// instead of all leaving at once on the slots they reserved earlier (with
// many requests in flight waiting for tokens, reservations reach far
// ahead and bunch when their sleepers wake together).
func (t *Throttle) take() time.Duration {
	now := t.now()
	if t.limiter.AllowN(now, 1) {
		return 0
	}
	need := 1 - t.limiter.TokensAt(now)
	return max(time.Nanosecond, time.Duration(math.Ceil(need/float64(t.limiter.Limit())*float64(time.Second))))
}

// tokenWait records that a request waited d for a rate token.
func (t *Throttle) tokenWait(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.waits++
	t.waited += d
	t.lat.rateWaits++
}

// release frees tk's slot. Called with mu held.
func (t *Throttle) release(now time.Time) {
	t.inflight--
	if t.inflight == 0 {
		t.lat.idleSince = now
	}
}

// timedOut releases tk's slot for an attempt that timed out, which
// halves the concurrency cap, once for the requests admitted in one
// epoch (as refusals do).
func (t *Throttle) timedOut(tk ticket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.signal()
	now := t.now()
	t.release(now)
	t.timeouts++
	if tk.epoch == t.epoch {
		t.epoch++
		t.decreases++
		t.halve(now)
	}
}

// done releases tk's slot and adapts to the answer's HTTP status (0: no
// answer, which neither raises nor lowers anything) and latency.
func (t *Throttle) done(tk ticket, status int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.signal() // after the cap adapted
	now := t.now()
	t.release(now)
	if status == 0 {
		return
	}
	refused := status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
	t.note(refused)
	if refused {
		t.throttled++
		if tk.epoch == t.epoch && t.throttling() {
			t.decrease()
		}
		return
	}
	if !t.throttling() {
		t.increase()
	}
	t.sample(tk, now)
}

// note records an answer in the window of the last answers. Called with
// mu held.
func (t *Throttle) note(refused bool) {
	if t.n == len(t.answers) {
		if t.answers[t.next] {
			t.refused--
		}
	} else {
		t.n++
	}
	t.answers[t.next] = refused
	if refused {
		t.refused++
	}
	t.next = (t.next + 1) % len(t.answers)
}

// throttling reports whether the target refuses at least
// ThrottleThreshold of its last answers. Called with mu held.
func (t *Throttle) throttling() bool {
	return t.n >= ThrottleMinAnswers && float64(t.refused) >= ThrottleThreshold*float64(t.n)
}

// signal wakes as many waiting requests as there are free slots, first
// come first. A woken request may still find the slot taken and wait
// again. Called with mu held.
func (t *Throttle) signal() {
	for free := t.conc - t.inflight; free > 0 && len(t.waiters) > 0; free-- {
		t.waiters[0] <- struct{}{}
		t.waiters = t.waiters[1:]
	}
}

// decrease halves the rate and the concurrency. Called with mu held.
func (t *Throttle) decrease() {
	now := t.now()
	t.epoch++
	t.decreases++
	t.n, t.refused, t.next = 0, 0, 0
	t.lastAdapt = now
	t.halve(now)
	cur := t.limiter.Limit()
	if cur == rate.Inf {
		t.sent.roll(now)
		seen := float64(max(t.sent.prev, t.sent.cur))
		t.ceiling = seen
		cur = rate.Limit(max(seen, 2*t.cfg.MinRate))
	}
	t.limiter.SetLimitAt(now, rate.Limit(max(t.cfg.MinRate, float64(cur)/2)))
}

// increase raises the rate one step, at most once per AdaptInterval
// (the concurrency grows by latency windows, see sample). Called with mu
// held.
func (t *Throttle) increase() {
	now := t.now()
	if now.Sub(t.lastAdapt) < AdaptInterval {
		return
	}
	cur := t.limiter.Limit()
	if cur == t.limit(t.cfg.Rate) {
		return
	}
	t.lastAdapt = now
	top := t.cfg.Rate
	if top == 0 {
		top = t.ceiling
	}
	next := float64(cur) + max(1, top/10)
	if next >= top {
		t.limiter.SetLimitAt(now, t.limit(t.cfg.Rate))
		return
	}
	t.limiter.SetLimitAt(now, rate.Limit(next))
}

// ThrottleStats is a [Throttle]'s state.
type ThrottleStats struct {
	// Rate is the effective rate limit (requests per second), MaxRate
	// the configured one; 0 is unlimited.
	Rate, MaxRate float64
	// Concurrency is the effective cap on requests in flight,
	// MaxConcurrency the configured one.
	Concurrency, MaxConcurrency int
	// Throttled counts the 429 and 503 answers seen, Timeouts the
	// attempts that timed out; Decreases the times either halved the
	// concurrency (and refusals the rate).
	Throttled, Timeouts, Decreases int64
	// Latency is the median latency of the last window of answers,
	// BaseLatency the lowest since the throttle was last idle (see
	// adaptive.go); 0 before the first window.
	Latency, BaseLatency time.Duration
	// Waits counts the requests that waited for a slot or a rate token
	// before they were sent, Waited how long they waited in all.
	Waits  int64
	Waited time.Duration
	// PeakInFlight is the most requests in flight at once since the
	// throttle was made.
	PeakInFlight int
}

// Stats returns the throttle's current state.
func (t *Throttle) Stats() ThrottleStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	var r float64
	if l := t.limiter.Limit(); l != rate.Inf {
		r = float64(l)
	}
	return ThrottleStats{Rate: r, MaxRate: t.cfg.Rate, Concurrency: t.conc, MaxConcurrency: t.cfg.MaxConcurrency,
		Throttled: t.throttled, Timeouts: t.timeouts, Decreases: t.decreases, Waits: t.waits, Waited: t.waited, PeakInFlight: t.peak,
		Latency: t.lat.last, BaseLatency: t.lat.baseline}
}
