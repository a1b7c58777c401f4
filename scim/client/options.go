package client

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"syscall"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// Option configures a [Client]; see [New].
type Option func(*Client) error

// RetryPolicy decides how often and how long a failed request is retried.
//
// A request is retried when the server answers 429 or 503 (for every
// method: the server refused to process it), when it answers 500, 502 or
// 504 or the attempt fails on the network or times out (only for the
// idempotent methods GET, HEAD, PUT and DELETE), and when the connection
// could not be made at all (DNS or TCP connect failure; for every method,
// since the request certainly did not reach the server). POST is never
// retried after it may have been received: a create could be duplicated
// ([MayHaveApplied] tells the caller to look on the target first). PATCH
// is not either unless RetryPatch is set: a PATCH "add" to a multi-valued
// attribute could be applied twice.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts including the first;
	// 1 disables retries.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles for
	// every further attempt, up to MaxDelay, with "equal jitter" (the wait
	// is uniformly random in [d/2, d]).
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out in
	// place (0: none). A longer one ends the request with an [Error] whose
	// RetryAfter tells the caller when to come back. Either way every
	// request of the client then waits, up to MaxRetryAfter, before it is
	// sent: the target asked for a pause, not just this request.
	MaxRetryAfter time.Duration
	// MaxElapsed bounds one request's attempts and waits together (0: no
	// bound): no retry is started whose wait would end later than
	// MaxElapsed after the first attempt began.
	MaxElapsed time.Duration
	// RetryPatch retries PATCH like PUT: for callers whose operations are
	// safe to apply twice (replace, remove, and "add" of values already
	// present, which RFC 7644 §3.5.2.1 makes a no-op).
	RetryPatch bool
}

// DefaultRetryPolicy is used unless [WithRetryPolicy] says otherwise.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second, MaxRetryAfter: time.Minute}

// Defaults of a new Client.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxConcurrency   = 256
	DefaultMaxResponseBytes = 32 << 20
)

// WithBearerToken sets the source of the bearer token sent as
// "Authorization: Bearer <token>" on every attempt, so a rotated secret
// takes effect on the next request. The token is never logged.
func WithBearerToken(token func(ctx context.Context) (string, error)) Option {
	return func(c *Client) error {
		if token == nil {
			return errors.New("nil bearer token source")
		}
		c.token = token
		return nil
	}
}

// WithStaticToken sends a fixed bearer token.
func WithStaticToken(token string) Option {
	return WithBearerToken(func(context.Context) (string, error) { return token, nil })
}

// WithHTTPClient replaces the default *http.Client (a keep-alive transport
// with MaxIdleConnsPerHost equal to the concurrency cap, TLS 1.2 or later,
// and redirects not followed). The client's own Timeout should be zero or
// larger than the per-request timeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil http client")
		}
		c.hc = hc
		return nil
	}
}

// WithDialControl checks every address the client connects to, after
// name resolution, with control (see [net.Dialer.Control]): it is called
// with the IP address and port actually dialled, so a host name that
// resolves elsewhere than expected (DNS rebinding) cannot get around it.
// To refuse an address, return an error wrapping [ErrNotAllowed]: the
// request then fails without retries and [Client.TestConnection]
// reports [ReasonNotAllowed]. It applies to the default HTTP client,
// which then uses no proxy from the environment (the control would see
// the proxy's address, not the target's), and cannot be combined with
// [WithHTTPClient].
func WithDialControl(control func(network, address string, c syscall.RawConn) error) Option {
	return func(c *Client) error {
		if control == nil {
			return errors.New("nil dial control")
		}
		c.control = control
		return nil
	}
}

// WithTimeout bounds each attempt (connect, send, and reading the whole
// response); the default is [DefaultTimeout].
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return errors.New("timeout must be positive")
		}
		c.timeout = d
		return nil
	}
}

// WithRetryPolicy replaces [DefaultRetryPolicy].
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxAttempts < 1 || p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay || p.MaxRetryAfter < 0 || p.MaxElapsed < 0 {
			return errors.New("invalid retry policy: need MaxAttempts >= 1, 0 <= BaseDelay <= MaxDelay and MaxRetryAfter, MaxElapsed >= 0")
		}
		c.retry = p
		return nil
	}
}

// WithRateLimit limits requests to perSecond on average with bursts of up
// to burst. Every attempt, retries included, takes a token. The rate
// adapts to the target (see [Throttle]) and never exceeds perSecond.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(c *Client) error {
		if perSecond <= 0 || burst < 1 {
			return errors.New("rate limit needs perSecond > 0 and burst >= 1")
		}
		c.rateLimit, c.burst = perSecond, burst
		return nil
	}
}

// WithMaxConcurrency caps the requests in flight at once (default
// [DefaultMaxConcurrency]). A slot is held for one attempt, not during
// backoff. The cap adapts to the target (see [Throttle]) and never
// exceeds n.
func WithMaxConcurrency(n int) Option {
	return func(c *Client) error {
		if n < 1 {
			return errors.New("max concurrency must be >= 1")
		}
		c.maxConc = n
		return nil
	}
}

// WithThrottle makes the client's requests pass t, which other clients of
// the same target may share, so that what it learnt of the target
// outlives this client. It replaces [WithRateLimit] and
// [WithMaxConcurrency].
func WithThrottle(t *Throttle) Option {
	return func(c *Client) error {
		if t == nil {
			return errors.New("nil throttle")
		}
		c.throttle = t
		return nil
	}
}

// WithSleep replaces the function that waits out backoff, Retry-After and
// rate limits (default: a timer that returns ctx.Err() when ctx ends).
// Tests pass one that records the wait and returns at once.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if sleep == nil {
			return errors.New("nil sleep function")
		}
		c.sleep = sleep
		return nil
	}
}

// WithClock replaces time.Now for Retry-After dates and the rate limiter.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("nil clock")
		}
		c.now = now
		return nil
	}
}

// WithLogger logs retries and failures (method, path without query,
// status, attempt, wait). Headers and bodies are never logged. The default
// discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("nil logger")
		}
		c.log = l
		return nil
	}
}

// WithMaxResponseBytes limits how much of a response body is read
// (default [DefaultMaxResponseBytes]); a larger body fails with [ErrTooLarge].
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n < 1 {
			return errors.New("max response bytes must be >= 1")
		}
		c.maxBody = n
		return nil
	}
}

// WithQuirks adapts the client to a target's deviations from RFC 7644.
func WithQuirks(q Quirks) Option {
	return func(c *Client) error {
		if q.MaxMembersPerPatch < 0 {
			return errors.New("MaxMembersPerPatch must be >= 0")
		}
		c.quirks = q
		return nil
	}
}

// WithRegistry sets the schemas the client knows, used to apply PATCH
// operations locally for targets with Quirks.PatchNotSupported: the
// resource type is the one served at the request's endpoint. Default:
// [scim.NewStandardRegistry] (User with the enterprise extension, Group).
func WithRegistry(r *scim.Registry) Option {
	return func(c *Client) error {
		if r == nil {
			return errors.New("nil registry")
		}
		c.registry = r
		return nil
	}
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
