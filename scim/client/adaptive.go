package client

import (
	"math"
	"slices"
	"time"
)

// The adaptive concurrency limit of a [Throttle] (issue 15: keep a
// distant target's pipe full without tuning). A fixed cap of requests in
// flight caps throughput at cap/latency: 16 through 50 ms is 320 requests
// per second at best. The Throttle instead looks for the cap itself, as
// adaptive concurrency limiters do (Netflix's concurrency-limits,
// Envoy's adaptive concurrency filter) and as TCP does for its window:
//
//   - Latency is measured per attempt (from the moment it leaves, after
//     any rate-limit wait, to its answer) and judged per window of
//     answers: at least [LatencyWindow] of them, and at least as many as
//     the cap, so a window spans about one round trip. Its median is the
//     window's latency; the lowest since the last idle period is the
//     baseline, the target's latency without queueing (as TCP Vegas and
//     BBR's min_rtt).
//   - Slow start (RFC 5681 §3.1): from [InitialConcurrency], the cap
//     doubles after every window whose latency holds, until the first
//     sign of congestion, then grows by √cap per window (the queue
//     allowance of Netflix's Gradient limit).
//   - Latency rising above [LatencyTolerance] times the baseline plus
//     [LatencySlack] lowers the cap by the ratio of the two (at most by
//     half), never below InitialConcurrency (or the configured maximum,
//     when lower): a slow answer alone says the target is busy, not that
//     16 is too many, and the engine never does worse than the old fixed
//     cap because of latency.
//   - 429 and 503 answers (see [Throttle]) and attempts that time out
//     halve the cap down to MinConcurrency: those are the target
//     refusing work.
//   - A window in which fewer than half of the slots were used raises
//     nothing (the caller, not the target, limited the traffic), nor
//     does one in which at least half of the requests waited for a rate
//     token (the rate limit, not the cap, holds the traffic: more
//     requests in flight would only queue for tokens further ahead, and
//     wake together on a loaded machine).
//   - No increase while the target throttles, nor within [AdaptInterval]
//     of a halving.
//   - After [IdleReset] with nothing in flight, the cap restarts at most
//     at InitialConcurrency in slow start with a fresh baseline, as TCP
//     restarts an idle connection (RFC 5681 §4.1): what was learnt of a
//     target between two cycles far apart may no longer hold.
//
// The cap never exceeds MaxConcurrency (the job's --concurrency: the
// ceiling), and the rate limit applies on top of it.

// Tuning of the adaptive concurrency limit.
const (
	// InitialConcurrency is the cap a Throttle starts at (at most its
	// MaxConcurrency), and the floor of decreases caused by latency.
	InitialConcurrency = 16
	// LatencyWindow is the fewest answers a latency window holds.
	LatencyWindow = 32
	// LatencyTolerance and LatencySlack: a window's latency above
	// LatencyTolerance × baseline + LatencySlack is congestion.
	LatencyTolerance = 2.0
	LatencySlack     = 2 * time.Millisecond
	// IdleReset is how long a Throttle must have nothing in flight for its
	// next request to restart the search.
	IdleReset = 5 * time.Second
)

// latency is the adaptive state of a Throttle's cap. Its fields are
// guarded by the Throttle's mu.
type latency struct {
	slowStart bool
	baseline  time.Duration // lowest window median since the last reset; 0: none yet
	last      time.Duration // the last window's median
	start     time.Time     // the window's start: answers to earlier requests are not counted
	samples   []time.Duration
	peak      int       // most requests in flight during the window
	rateWaits int       // requests that waited for a rate token during the window
	cut       time.Time // last halving (refusals, timeouts)
	idleSince time.Time // when inflight last dropped to 0
}

// floor is the least a latency decrease leaves the cap at.
func (t *Throttle) latencyFloor() int {
	return max(t.cfg.MinConcurrency, min(InitialConcurrency, t.cfg.MaxConcurrency))
}

// restart begins a new latency window at now. Called with mu held.
func (t *Throttle) restart(now time.Time) {
	t.lat.start = now
	t.lat.samples = t.lat.samples[:0]
	t.lat.peak = t.inflight
	t.lat.rateWaits = 0
}

// resetIdle restarts the search when the throttle was idle for IdleReset.
// Called with mu held, before a request is admitted.
func (t *Throttle) resetIdle(now time.Time) {
	if t.inflight != 0 || t.lat.idleSince.IsZero() || now.Sub(t.lat.idleSince) < IdleReset {
		return
	}
	t.conc = max(t.cfg.MinConcurrency, min(t.conc, t.latencyFloor()))
	t.lat.slowStart, t.lat.baseline = true, 0
	t.restart(now)
}

// halve halves the cap for a refusal or a timeout. Called with mu held.
func (t *Throttle) halve(now time.Time) {
	t.conc = max(t.cfg.MinConcurrency, t.conc/2)
	t.lat.slowStart = false
	t.lat.cut = now
	t.restart(now)
}

// sample records the latency of an answered request admitted at tk and
// adapts the cap when a window is complete. Called with mu held.
func (t *Throttle) sample(tk ticket, now time.Time) {
	if tk.admitted.Before(t.lat.start) {
		return // sent under an older cap
	}
	t.lat.samples = append(t.lat.samples, max(0, now.Sub(tk.sent)))
	if len(t.lat.samples) < max(LatencyWindow, t.conc) {
		return
	}
	slices.Sort(t.lat.samples)
	m := t.lat.samples[len(t.lat.samples)/2]
	peak, rateBound := t.lat.peak, 2*t.lat.rateWaits >= len(t.lat.samples)
	t.restart(now)
	t.lat.last = m
	if t.lat.baseline == 0 || m < t.lat.baseline {
		t.lat.baseline = m
	}
	limit := time.Duration(LatencyTolerance*float64(t.lat.baseline)) + LatencySlack
	switch {
	case m > limit:
		t.lat.slowStart = false
		cut := max(0.5, float64(limit)/float64(m))
		t.conc = min(t.conc, max(t.latencyFloor(), int(float64(t.conc)*cut)))
	case t.throttling() || (!t.lat.cut.IsZero() && now.Sub(t.lat.cut) < AdaptInterval):
	case 2*peak < t.conc || rateBound: // the caller or the rate limit, not the target, held the traffic back
	case t.lat.slowStart:
		t.conc = min(t.cfg.MaxConcurrency, 2*t.conc)
	default:
		t.conc = min(t.cfg.MaxConcurrency, t.conc+int(math.Ceil(math.Sqrt(float64(t.conc)))))
	}
}
