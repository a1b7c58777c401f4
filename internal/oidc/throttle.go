package oidc

import (
	"strings"
	"sync"
	"time"
)

// Throttle defaults: failed sign-ins counted in a sliding window, per
// account (user name as typed, case-folded) and per client address.
const (
	DefaultThrottleWindow   = 15 * time.Minute
	DefaultAccountFailures  = 10
	DefaultAddressFailures  = 50
	throttleSweepEveryCalls = 1024
)

// Throttle limits failed sign-in attempts (issue 13; OWASP ASVS 2.2.1,
// NIST SP 800-63B §5.2.2): after AccountFailures failures for one user
// name, or AddressFailures failures from one client address, within
// Window, further attempts are refused with 429 until the oldest failure
// leaves the window. A successful sign-in clears its account's failures
// but never its address's, so one good account cannot launder guesses at
// others. Counters are in memory, per node: with N nodes an attacker gets
// at most N times the limit.
type Throttle struct {
	Window          time.Duration // 0: DefaultThrottleWindow
	AccountFailures int           // 0: DefaultAccountFailures; <0: no account limit
	AddressFailures int           // 0: DefaultAddressFailures; <0: no address limit
}

// throttle is a sliding-window log of failure times per key.
type throttle struct {
	cfg   Throttle
	mu    sync.Mutex
	fails map[string][]time.Time // "a:"+account or "i:"+address -> failure times, oldest first
	calls int
}

func newThrottle(cfg Throttle) *throttle {
	if cfg.Window <= 0 {
		cfg.Window = DefaultThrottleWindow
	}
	if cfg.AccountFailures == 0 {
		cfg.AccountFailures = DefaultAccountFailures
	}
	if cfg.AddressFailures == 0 {
		cfg.AddressFailures = DefaultAddressFailures
	}
	return &throttle{cfg: cfg, fails: map[string][]time.Time{}}
}

func accountKey(upn string) string  { return "a:" + strings.ToLower(strings.TrimSpace(upn)) }
func addressKey(addr string) string { return "i:" + addr }

// wait returns how long the account and the address must wait before
// another attempt; 0 when neither is throttled.
func (t *throttle) wait(upn, addr string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.waitLocked(accountKey(upn), t.cfg.AccountFailures, now), t.waitLocked(addressKey(addr), t.cfg.AddressFailures, now))
}

func (t *throttle) waitLocked(key string, limit int, now time.Time) time.Duration {
	if limit < 0 {
		return 0
	}
	f := t.pruneLocked(key, now)
	if len(f) < limit {
		return 0
	}
	return f[len(f)-limit].Add(t.cfg.Window).Sub(now)
}

// pruneLocked drops the key's failures older than the window.
func (t *throttle) pruneLocked(key string, now time.Time) []time.Time {
	f := t.fails[key]
	i := 0
	for i < len(f) && now.Sub(f[i]) >= t.cfg.Window {
		i++
	}
	if i == len(f) {
		delete(t.fails, key)
		return nil
	}
	f = f[i:]
	t.fails[key] = f
	return f
}

// fail records a failed attempt for the account and the address.
func (t *throttle) fail(upn, addr string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.add(accountKey(upn), t.cfg.AccountFailures, now)
	t.add(addressKey(addr), t.cfg.AddressFailures, now)
	if t.calls++; t.calls%throttleSweepEveryCalls == 0 {
		for k := range t.fails {
			t.pruneLocked(k, now)
		}
	}
}

// add appends a failure, keeping at most limit of them (the older ones
// no longer change when the limit is lifted).
func (t *throttle) add(key string, limit int, now time.Time) {
	if limit < 0 {
		return
	}
	f := append(t.pruneLocked(key, now), now)
	if len(f) > limit {
		f = f[len(f)-limit:]
	}
	t.fails[key] = f
}

// succeed clears the account's failures (not the address's).
func (t *throttle) succeed(upn string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, accountKey(upn))
}

// retryAfter is a Retry-After value in whole seconds, at least 1
// (RFC 9110 §10.2.3).
func retryAfter(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}
