package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// Client talks SCIM 2.0 to one service provider (one Tenant URL). It is
// safe for concurrent use; every request passes through its rate limiter,
// concurrency cap and retry policy.
type Client struct {
	base     *url.URL
	hc       *http.Client
	token    func(context.Context) (string, error)
	timeout  time.Duration
	retry    RetryPolicy
	throttle *Throttle // the rate limit and concurrency cap
	// rateLimit, burst and maxConc are WithRateLimit and
	// WithMaxConcurrency, for the client's own Throttle.
	rateLimit float64
	burst     int
	maxConc   int
	sleep     func(context.Context, time.Duration) error
	now       func() time.Time
	log       *slog.Logger
	quirks    Quirks
	registry  *scim.Registry // resource types for Quirks.PatchNotSupported
	maxBody   int64
	control   func(network, address string, c syscall.RawConn) error // WithDialControl

	mu         sync.Mutex
	pauseUntil time.Time // set by a Retry-After; every request waits for it
}

// New returns a client for the SCIM service at baseURL (the Tenant URL,
// e.g. "https://app.example.com/scim/v2"); resource endpoints such as
// "Users" are resolved below it. The query of baseURL, if any, is sent
// verbatim on every request.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("parse base url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("base url %q: need an absolute http or https url", baseURL)
	}
	if u.User != nil {
		return nil, errors.New("base url must not contain credentials; use WithBearerToken")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath, u.Fragment = "", ""
	c := &Client{
		base:    u,
		timeout: DefaultTimeout,
		retry:   DefaultRetryPolicy,
		sleep:   sleepTimer,
		now:     time.Now,
		log:     slog.New(slog.DiscardHandler),
		maxBody: DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("scim client option: %w", err)
		}
	}
	if err := c.ownThrottle(); err != nil {
		return nil, fmt.Errorf("scim client option: %w", err)
	}
	if c.registry == nil {
		c.registry = scim.NewStandardRegistry()
	}
	switch {
	case c.hc == nil:
		c.hc = defaultHTTPClient(c.throttle.cfg.MaxConcurrency, c.control)
	case c.control != nil:
		return nil, errors.New("scim client option: WithDialControl cannot be combined with WithHTTPClient")
	}
	return c, nil
}

func defaultHTTPClient(conns int, control func(network, address string, c syscall.RawConn) error) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	if control != nil {
		// The dialer of http.DefaultTransport, plus the control; no proxy
		// from the environment, whose address the control would check
		// instead of the target's.
		t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: control}).DialContext
		t.Proxy = nil
	}
	t.MaxIdleConns = max(100, conns)
	t.MaxIdleConnsPerHost = conns
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	return &http.Client{
		Transport: t,
		// A redirected POST would turn into a GET; report the redirect instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// request is one logical request; it may take several attempts.
type request struct {
	method      string
	path        string // escaped, below the base url, e.g. "Users/2819c223"
	query       url.Values
	body        []byte // nil: no body
	maxAttempts int    // 0: the retry policy's
}

// response is a completed attempt with a fully read body.
type response struct {
	method   string
	url      string
	attempts int
	status   int
	header   http.Header
	body     []byte
}

func (c *Client) url(path string, query url.Values) string {
	u := *c.base
	u.RawPath = c.base.EscapedPath() + "/" + path
	u.Path, _ = url.PathUnescape(u.RawPath) // path segments are escaped by resourcePath
	if len(query) > 0 {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += query.Encode()
	}
	return u.String()
}

// do sends req, retrying per the retry policy, and returns a 2xx response
// or an *Error.
func (c *Client) do(ctx context.Context, req *request) (*response, error) {
	target := c.url(req.path, req.query)
	maxAttempts := c.retry.MaxAttempts
	if req.maxAttempts > 0 {
		maxAttempts = req.maxAttempts
	}
	began := c.now()
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, req, target)
		trace(ctx, req, resp)
		if err == nil && resp.status >= 200 && resp.status < 300 {
			resp.method, resp.url, resp.attempts = req.method, target, attempt
			return resp, nil
		}
		cerr := c.newError(req.method, target, attempt, resp, err)
		wait, retry := c.retryWait(ctx, req.method, attempt, cerr)
		if cerr.RetryAfter > 0 {
			c.pause(min(cerr.RetryAfter, c.retry.MaxRetryAfter))
		}
		if !retry || attempt >= maxAttempts || cerr.RetryAfter > c.retry.MaxRetryAfter || c.outOfTime(began, wait) {
			c.logFailure(ctx, req, cerr)
			return nil, cerr
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "scim request retry",
			slog.String("method", req.method), slog.String("path", req.path),
			slog.Int("status", cerr.StatusCode), slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.String("error", errString(err)))
		if err := c.sleep(ctx, wait); err != nil {
			cerr.Err = errors.Join(cerr.Err, err)
			return nil, cerr
		}
	}
}

// outOfTime reports whether a retry after wait would end past the
// policy's MaxElapsed, counted from began.
func (c *Client) outOfTime(began time.Time, wait time.Duration) bool {
	return c.retry.MaxElapsed > 0 && c.now().Add(wait).Sub(began) > c.retry.MaxElapsed
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (c *Client) logFailure(ctx context.Context, req *request, e *Error) {
	c.log.LogAttrs(ctx, slog.LevelDebug, "scim request failed",
		slog.String("method", req.method), slog.String("path", req.path),
		slog.Int("status", e.StatusCode), slog.Int("attempts", e.Attempts),
		slog.String("error", errString(e.Err)))
}

func (c *Client) newError(method, target string, attempt int, resp *response, err error) *Error {
	e := &Error{Method: method, URL: target, Attempts: attempt, Err: err}
	if resp == nil {
		return e
	}
	e.StatusCode = resp.status
	if resp.status == http.StatusTooManyRequests || resp.status == http.StatusServiceUnavailable {
		e.RetryAfter = parseRetryAfter(resp.header.Get("Retry-After"), c.now())
	}
	if isJSON(resp.header.Get("Content-Type")) && len(resp.body) > 0 {
		var se scim.Error
		if json.Unmarshal(resp.body, &se) == nil && (se.Status != 0 || se.Detail != "" || se.ScimType != "") {
			if se.Status == 0 {
				se.Status = resp.status
			}
			e.SCIM = &se
		}
	}
	return e
}

// retryWait decides whether a failed attempt is retried and how long to
// wait first. See RetryPolicy for the rules.
func (c *Client) retryWait(ctx context.Context, method string, attempt int, e *Error) (time.Duration, bool) {
	if ctx.Err() != nil {
		return 0, false
	}
	backoff := c.backoff(attempt)
	switch e.StatusCode {
	case 0:
		if notSent(e.Err) {
			return backoff, true
		}
		return backoff, c.idempotent(method) && transientTransport(e.Err)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if e.RetryAfter > 0 {
			return e.RetryAfter, true
		}
		return backoff, true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return backoff, c.idempotent(method)
	}
	return 0, false
}

// idempotent reports whether a request of method may be sent again after
// the server may have received it: GET, HEAD, PUT, DELETE, OPTIONS, and
// PATCH when the policy says RetryPatch.
func (c *Client) idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	case http.MethodPatch:
		return c.retry.RetryPatch
	}
	return false
}

// backoff is the wait after the given failed attempt: BaseDelay·2^(attempt-1)
// capped at MaxDelay, with equal jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay
	for i := 1; i < attempt && d < c.retry.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, c.retry.MaxDelay)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// maxRetryAfterSecs caps absurd Retry-After values (and avoids overflow).
const maxRetryAfterSecs = 24 * 60 * 60

// parseRetryAfter reads a Retry-After header as delay-seconds or an
// HTTP-date (RFC 9110 §10.2.3); 0 if absent, invalid or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(min(secs, maxRetryAfterSecs)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// pause makes every request of this client wait until d from now.
func (c *Client) pause(d time.Duration) {
	until := c.now().Add(d)
	c.mu.Lock()
	if until.After(c.pauseUntil) {
		c.pauseUntil = until
	}
	c.mu.Unlock()
}

// ownThrottle builds the client's Throttle unless WithThrottle gave one.
func (c *Client) ownThrottle() error {
	if c.throttle != nil {
		if c.rateLimit != 0 || c.maxConc != 0 {
			return errors.New("WithThrottle cannot be combined with WithRateLimit or WithMaxConcurrency")
		}
		return nil
	}
	t, err := NewThrottle(ThrottleConfig{Rate: c.rateLimit, Burst: c.burst, MaxConcurrency: c.maxConc, Now: c.now})
	c.throttle = t
	return err
}

// admit waits for a Retry-After pause, a concurrency slot and the rate
// limiter, in this order, so that a request leaves as soon as its token
// is due. The caller must call c.throttle.done after a nil return.
func (c *Client) admit(ctx context.Context) (ticket, error) {
	c.mu.Lock()
	wait := c.pauseUntil.Sub(c.now())
	c.mu.Unlock()
	if wait > 0 {
		if err := c.sleep(ctx, wait); err != nil {
			return ticket{}, err
		}
	}
	tk, err := c.throttle.acquire(ctx)
	if err != nil {
		return ticket{}, err
	}
	var waited time.Duration
	for {
		d := c.throttle.take()
		if d == 0 {
			break
		}
		if err := c.sleep(ctx, d); err != nil {
			c.throttle.done(tk, 0)
			return ticket{}, err
		}
		waited += d
	}
	if waited > 0 {
		c.throttle.tokenWait(waited)
		tk.sent = c.throttle.now()
	}
	return tk, nil
}

// attempt sends req once and reads the whole response body.
func (c *Client) attempt(ctx context.Context, req *request, target string) (*response, error) {
	tk, err := c.admit(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.attemptAdmitted(ctx, req, target)
	switch {
	case resp != nil:
		c.throttle.done(tk, resp.status)
	case errors.Is(err, ErrTimeout):
		c.throttle.timedOut(tk)
	default:
		c.throttle.done(tk, 0)
	}
	return resp, err
}

// attemptAdmitted is one attempt once admitted.
func (c *Client) attemptAdmitted(ctx context.Context, req *request, target string) (*response, error) {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if req.body != nil {
		body = bytes.NewReader(req.body)
	}
	hreq, err := http.NewRequestWithContext(actx, req.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errInvalidRequest, err)
	}
	hreq.Header.Set("Accept", "application/scim+json, application/json")
	hreq.Header.Set("User-Agent", "provisio-scim-client/1")
	if req.body != nil {
		hreq.Header.Set("Content-Type", scim.MediaType)
	}
	if c.token != nil {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errCredentials, err)
		}
		hreq.Header.Set("Authorization", "Bearer "+tok)
	}
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		return nil, timeoutCause(ctx, actx, err)
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", timeoutCause(ctx, actx, err))
	}
	if int64(len(data)) > c.maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.maxBody)
	}
	return &response{status: hresp.StatusCode, header: hresp.Header, body: data}, nil
}

// timeoutCause marks err as ErrTimeout when the attempt's own deadline (not
// the caller's context) ended it.
func timeoutCause(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}

// isJSON accepts application/scim+json, application/json and other +json types.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// decode unmarshals a SCIM JSON response body into v; on failure it
// returns an *Error wrapping ErrNotSCIM.
func (r *response) decode(v any) error {
	ct := r.header.Get("Content-Type")
	var err error
	if ct != "" && !isJSON(ct) {
		err = fmt.Errorf("%w: content type %q", ErrNotSCIM, ct)
	} else if jerr := json.Unmarshal(r.body, v); jerr != nil {
		err = fmt.Errorf("%w: %w", ErrNotSCIM, jerr)
	}
	if err != nil {
		return &Error{Method: r.method, URL: r.url, StatusCode: r.status, Attempts: r.attempts, Err: err}
	}
	return nil
}
