package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

const userJSON = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1","userName":"bjensen"}`

func TestRetries(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) // the fake clock's start
	ok := step{status: 200, body: userJSON}
	created := step{status: 201, body: userJSON}
	tests := []struct {
		name         string
		method       string
		steps        []step
		wantAttempts int
		wantStatus   int             // 0: success expected
		wantWaits    []time.Duration // exact waits; nil: check wantWaitMin/Max
		wantWaitMin  []time.Duration
		wantWaitMax  []time.Duration
		policy       *RetryPolicy // nil: testPolicy
	}{
		{name: "429 retry-after seconds", method: http.MethodGet,
			steps: []step{{status: 429, retryAfter: "3"}, ok}, wantAttempts: 2, wantWaits: []time.Duration{3 * time.Second}},
		{name: "429 retry-after http-date", method: http.MethodGet,
			steps: []step{{status: 429, retryAfter: now.Add(7 * time.Second).Format(http.TimeFormat)}, ok}, wantAttempts: 2, wantWaits: []time.Duration{7 * time.Second}},
		{name: "503 retry-after on POST", method: http.MethodPost,
			steps: []step{{status: 503, retryAfter: "2"}, created}, wantAttempts: 2, wantWaits: []time.Duration{2 * time.Second}},
		{name: "503 without retry-after backs off", method: http.MethodGet,
			steps: []step{{status: 503}, ok}, wantAttempts: 2,
			wantWaitMin: []time.Duration{50 * time.Millisecond}, wantWaitMax: []time.Duration{100 * time.Millisecond}},
		{name: "500 on GET retried with growing backoff", method: http.MethodGet,
			steps: []step{{status: 500}, {status: 502}, {status: 504}, ok}, wantAttempts: 4,
			wantWaitMin: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
			wantWaitMax: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{name: "500 on POST not retried", method: http.MethodPost,
			steps: []step{{status: 500}, created}, wantAttempts: 1, wantStatus: 500, wantWaits: []time.Duration{}},
		{name: "500 on PATCH not retried", method: http.MethodPatch,
			steps: []step{{status: 500}, ok}, wantAttempts: 1, wantStatus: 500, wantWaits: []time.Duration{}},
		{name: "attempts exhausted", method: http.MethodGet,
			steps: []step{{status: 500}}, wantAttempts: 4, wantStatus: 500,
			wantWaitMin: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond},
			wantWaitMax: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond}},
		{name: "retry-after beyond MaxRetryAfter returned", method: http.MethodGet,
			steps: []step{{status: 429, retryAfter: "3600"}, ok}, wantAttempts: 1, wantStatus: 429, wantWaits: []time.Duration{}},
		{name: "401 not retried", method: http.MethodGet,
			steps: []step{{status: 401}, ok}, wantAttempts: 1, wantStatus: 401, wantWaits: []time.Duration{}},
		{name: "connection reset on GET retried", method: http.MethodGet,
			steps: []step{{reset: true}, ok}, wantAttempts: 2,
			wantWaitMin: []time.Duration{50 * time.Millisecond}, wantWaitMax: []time.Duration{100 * time.Millisecond}},
		{name: "connection reset on PUT retried", method: http.MethodPut,
			steps: []step{{reset: true}, ok}, wantAttempts: 2,
			wantWaitMin: []time.Duration{50 * time.Millisecond}, wantWaitMax: []time.Duration{100 * time.Millisecond}},
		{name: "connection reset on POST not retried", method: http.MethodPost,
			steps: []step{{reset: true}, created}, wantAttempts: 1, wantStatus: -1, wantWaits: []time.Duration{}},
		{name: "500 on PATCH retried with RetryPatch", method: http.MethodPatch,
			steps: []step{{status: 500}, {reset: true}, ok}, wantAttempts: 3,
			policy:      &RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, RetryPatch: true},
			wantWaitMin: []time.Duration{50 * time.Millisecond, 100 * time.Millisecond},
			wantWaitMax: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}},
		{name: "500 on POST not retried with RetryPatch", method: http.MethodPost,
			steps: []step{{status: 500}, created}, wantAttempts: 1, wantStatus: 500, wantWaits: []time.Duration{},
			policy: &RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, RetryPatch: true}},
		{name: "MaxElapsed ends retries", method: http.MethodGet,
			steps: []step{{status: 503, retryAfter: "20"}, {status: 503, retryAfter: "20"}, ok}, wantAttempts: 2, wantStatus: 503,
			policy:    &RetryPolicy{MaxAttempts: 5, BaseDelay: time.Second, MaxDelay: time.Second, MaxRetryAfter: time.Minute, MaxElapsed: 30 * time.Second},
			wantWaits: []time.Duration{20 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.steps...)
			var opts []Option
			if tt.policy != nil {
				opts = append(opts, WithRetryPolicy(*tt.policy))
			}
			c, clock := newTestClient(t, fs.URL+"/scim/v2", opts...)
			err := call(t.Context(), c, tt.method)
			if got := len(fs.requests()); got != tt.wantAttempts {
				t.Errorf("server saw %d requests, want %d", got, tt.wantAttempts)
			}
			switch {
			case tt.wantStatus == 0 && err != nil:
				t.Fatalf("%s = %v, want success", tt.method, err)
			case tt.wantStatus != 0:
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("%s error = %v, want *Error", tt.method, err)
				}
				if e.Attempts != tt.wantAttempts {
					t.Errorf("Error.Attempts = %d, want %d", e.Attempts, tt.wantAttempts)
				}
				if tt.wantStatus > 0 && e.StatusCode != tt.wantStatus {
					t.Errorf("Error.StatusCode = %d, want %d", e.StatusCode, tt.wantStatus)
				}
			}
			checkWaits(t, clock.waits(), tt.wantWaits, tt.wantWaitMin, tt.wantWaitMax)
		})
	}
}

// call runs one request of the given method through the public API.
func call(ctx context.Context, c *Client, method string) error {
	var err error
	switch method {
	case http.MethodGet:
		_, err = c.Get(ctx, "Users", "u1")
	case http.MethodPost:
		_, err = c.Create(ctx, "Users", scim.Resource{"userName": "bjensen"})
	case http.MethodPut:
		_, err = c.Replace(ctx, "Users", "u1", scim.Resource{"userName": "bjensen"})
	case http.MethodPatch:
		_, err = c.Patch(ctx, "Users", "u1", []scim.PatchOperation{{Op: "replace", Path: "displayName", Value: []byte(`"B"`)}})
	case http.MethodDelete:
		err = c.Delete(ctx, "Users", "u1")
	}
	return err
}

func checkWaits(t *testing.T, got, want, lo, hi []time.Duration) {
	t.Helper()
	if want != nil {
		if len(got) != len(want) {
			t.Fatalf("waits = %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("waits = %v, want %v", got, want)
			}
		}
		return
	}
	if len(got) != len(lo) {
		t.Fatalf("waits = %v, want %d waits in [%v, %v]", got, len(lo), lo, hi)
	}
	for i := range lo {
		if got[i] < lo[i] || got[i] > hi[i] {
			t.Errorf("wait %d = %v, want in [%v, %v]", i, got[i], lo[i], hi[i])
		}
	}
}

func TestTimeout(t *testing.T) {
	fs := newFaultServer(t, step{hang: true})
	c, clock := newTestClient(t, fs.URL, WithTimeout(50*time.Millisecond),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Second, MaxDelay: time.Second}))
	_, err := c.Get(t.Context(), "Users", "u1")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Get error = %v, want *Error", err)
	}
	if !e.Timeout() || !errors.Is(err, ErrTimeout) {
		t.Errorf("Get error = %v, want a timeout", err)
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
	if e.Attempts != 2 || len(clock.waits()) != 1 {
		t.Errorf("attempts = %d, waits = %v; want 2 attempts and 1 wait", e.Attempts, clock.waits())
	}
}

func TestCallerCancelStopsRetries(t *testing.T) {
	fs := newFaultServer(t, step{status: 503})
	ctx, cancel := context.WithCancel(t.Context())
	c, err := New(fs.URL, WithSleep(func(context.Context, time.Duration) error { cancel(); return context.Canceled }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(ctx, "Users", "u1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Get error = %v, want context.Canceled", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1", n)
	}
}

// TestConnectRefusedPOSTRetried: a POST that could not connect certainly
// did not reach the server, so it is retried.
func TestConnectRefusedPOSTRetried(t *testing.T) {
	addr := closedAddr(t)
	c, clock := newTestClient(t, "http://"+addr)
	_, err := c.Create(t.Context(), "Users", scim.Resource{"userName": "x"})
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 0 {
		t.Fatalf("Create error = %v, want transport *Error", err)
	}
	if e.Attempts != testPolicy.MaxAttempts || len(clock.waits()) != testPolicy.MaxAttempts-1 {
		t.Errorf("attempts = %d, waits = %v; want %d attempts", e.Attempts, clock.waits(), testPolicy.MaxAttempts)
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

// closedAddr returns a 127.0.0.1 address nobody listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestRateLimit(t *testing.T) {
	fs := newFaultServer(t, step{status: 200, body: userJSON})
	c, clock := newTestClient(t, fs.URL, WithRateLimit(10, 1))
	for range 5 {
		if _, err := c.Get(t.Context(), "Users", "u1"); err != nil {
			t.Fatal(err)
		}
	}
	want := []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	checkWaits(t, clock.waits(), want, nil, nil)
}

// TestRetryAfterPausesWholeClient: after a 429 with Retry-After, other
// requests of the same client wait too.
func TestRetryAfterPausesWholeClient(t *testing.T) {
	fs := newFaultServer(t, step{status: 429, retryAfter: "5"}, step{status: 200, body: userJSON})
	c, clock := newTestClient(t, fs.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1, MaxRetryAfter: time.Minute}))
	_, err := c.Get(t.Context(), "Users", "u1")
	var e *Error
	if !errors.As(err, &e) || e.RetryAfter != 5*time.Second {
		t.Fatalf("first Get error = %v, want 429 with RetryAfter 5s", err)
	}
	if _, err := c.Get(t.Context(), "Users", "u1"); err != nil {
		t.Fatalf("second Get: %v", err)
	}
	checkWaits(t, clock.waits(), []time.Duration{5 * time.Second}, nil, nil)
}

func TestConcurrencyCap(t *testing.T) {
	const limit, total = 3, 12
	var inflight, peak, started atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		started.Add(1)
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		// Hold the request until the cap is reached (or every request has
		// started), so an uncapped client would exceed the cap.
		deadline := time.Now().Add(5 * time.Second)
		for inflight.Load() < limit && started.Load() < total && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond)
		w.Header().Set("Content-Type", scim.MediaType)
		_, _ = w.Write([]byte(userJSON))
	}))
	defer srv.Close()
	c, _ := newTestClient(t, srv.URL, WithMaxConcurrency(limit))
	var wg sync.WaitGroup
	for range total {
		wg.Go(func() {
			if _, err := c.Get(t.Context(), "Users", "u1"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != limit {
		t.Errorf("peak concurrent requests = %d, want %d", p, limit)
	}
}

func TestRequestHeadersAndRotatingToken(t *testing.T) {
	fs := newFaultServer(t, step{status: 201, body: userJSON})
	var n atomic.Int32
	var logs bytes.Buffer
	c, err := New(fs.URL+"/scim/", WithBearerToken(func(context.Context) (string, error) {
		return "tok-" + string(rune('a'+n.Add(1)-1)), nil
	}), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Create(t.Context(), "Users", scim.Resource{"userName": "bjensen"}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := fs.requests()
	for i, want := range []string{"Bearer tok-a", "Bearer tok-b"} {
		h := reqs[i].header
		if got := h.Get("Authorization"); got != want {
			t.Errorf("request %d Authorization = %q, want %q", i, got, want)
		}
		if got := h.Get("Content-Type"); got != scim.MediaType {
			t.Errorf("request %d Content-Type = %q, want %q", i, got, scim.MediaType)
		}
		if got := h.Get("Accept"); got != "application/scim+json, application/json" {
			t.Errorf("request %d Accept = %q", i, got)
		}
		if reqs[i].path != "/scim/Users" {
			t.Errorf("request %d path = %q, want /scim/Users", i, reqs[i].path)
		}
	}
}

func TestTokenNeverLogged(t *testing.T) {
	fs := newFaultServer(t, step{status: 503}, step{status: 401, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"bad token"}`})
	var logs bytes.Buffer
	c, _ := newTestClient(t, fs.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.Get(t.Context(), "Users", "u1", "userName")
	if !IsUnauthorized(err) {
		t.Fatalf("Get error = %v, want 401", err)
	}
	if !strings.Contains(logs.String(), "scim request retry") {
		t.Errorf("logs = %q, want a retry entry", logs.String())
	}
	if strings.Contains(logs.String(), testToken) || strings.Contains(err.Error(), testToken) {
		t.Errorf("token leaked: logs %q, error %q", logs.String(), err)
	}
}

func TestErrorPredicatesAndBody(t *testing.T) {
	scimErr := func(status, typ string) string {
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"` + status + `","scimType":"` + typ + `","detail":"d"}`
	}
	tests := []struct {
		name                                  string
		step                                  step
		notFound, conflict, unauth, retryable bool
		wantScimType                          string
	}{
		{name: "404", step: step{status: 404, body: scimErr("404", "")}, notFound: true},
		{name: "409 uniqueness", step: step{status: 409, body: scimErr("409", "uniqueness")}, conflict: true, wantScimType: "uniqueness"},
		{name: "401", step: step{status: 401}, unauth: true},
		{name: "403 html", step: step{status: 403, contentType: "text/html", body: "<html>no</html>"}, unauth: true},
		{name: "400 invalid filter", step: step{status: 400, body: scimErr("400", "invalidFilter")}, wantScimType: "invalidFilter"},
		{name: "503", step: step{status: 503}, retryable: true},
		{name: "json error body", step: step{status: 409, contentType: "application/json", body: scimErr("409", "uniqueness")}, conflict: true, wantScimType: "uniqueness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.step)
			c, _ := newTestClient(t, fs.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			_, err := c.Get(t.Context(), "Users", "u1")
			if got := IsNotFound(err); got != tt.notFound {
				t.Errorf("IsNotFound(%v) = %v, want %v", err, got, tt.notFound)
			}
			if got := IsConflict(err); got != tt.conflict {
				t.Errorf("IsConflict(%v) = %v, want %v", err, got, tt.conflict)
			}
			if got := IsUnauthorized(err); got != tt.unauth {
				t.Errorf("IsUnauthorized(%v) = %v, want %v", err, got, tt.unauth)
			}
			if got := IsRetryable(err); got != tt.retryable {
				t.Errorf("IsRetryable(%v) = %v, want %v", err, got, tt.retryable)
			}
			var se *scim.Error
			if tt.wantScimType != "" && (!errors.As(err, &se) || se.ScimType != tt.wantScimType) {
				t.Errorf("errors.As(%v, *scim.Error) scimType = %v, want %q", err, se, tt.wantScimType)
			}
		})
	}
}

func TestNotSCIMResponses(t *testing.T) {
	tests := []struct {
		name string
		step step
	}{
		{name: "html page", step: step{status: 200, contentType: "text/html; charset=utf-8", body: "<html>login</html>"}},
		{name: "json content type but not json", step: step{status: 200, body: "not json"}},
		{name: "empty create answer", step: step{status: 201}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.step)
			c, _ := newTestClient(t, fs.URL)
			_, err := c.Create(t.Context(), "Users", scim.Resource{"userName": "x"})
			var e *Error
			if !errors.Is(err, ErrNotSCIM) || !errors.As(err, &e) || e.StatusCode != tt.step.status {
				t.Errorf("Create error = %v, want ErrNotSCIM with status %d", err, tt.step.status)
			}
			if IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = true, want false", err)
			}
		})
	}
}

func TestResponseSizeLimit(t *testing.T) {
	fs := newFaultServer(t, step{status: 200, body: `{"id":"` + strings.Repeat("x", 2000) + `"}`})
	c, _ := newTestClient(t, fs.URL, WithMaxResponseBytes(1000))
	_, err := c.Get(t.Context(), "Users", "u1")
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Get error = %v, want ErrTooLarge", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("server saw %d requests, want 1 (too large is not retried)", n)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Duration
	}{
		{"empty", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"huge capped", "99999999999999", 24 * time.Hour},
		{"http-date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"rfc850 date", now.Add(time.Hour).Format(time.RFC850), time.Hour},
		{"past date", now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{"garbage", "soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		url  string
		opts []Option
	}{
		{"relative url", "/scim", nil},
		{"ftp scheme", "ftp://host/scim", nil},
		{"credentials in url", "https://u:p@host/scim", nil},
		{"bad retry policy", "https://host", []Option{WithRetryPolicy(RetryPolicy{})}},
		{"zero timeout", "https://host", []Option{WithTimeout(0)}},
		{"bad rate", "https://host", []Option{WithRateLimit(0, 1)}},
		{"zero concurrency", "https://host", []Option{WithMaxConcurrency(0)}},
		{"negative member chunk", "https://host", []Option{WithQuirks(Quirks{MaxMembersPerPatch: -1})}},
		{"nil registry", "https://host", []Option{WithRegistry(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := New(tt.url, tt.opts...); err == nil {
				t.Errorf("New(%q) = %v, want error", tt.url, c)
			}
		})
	}
}

func TestInvalidArguments(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1")
	ctx := t.Context()
	tests := []struct {
		name string
		run  func() error
	}{
		{"empty id", func() error { _, err := c.Get(ctx, "Users", ""); return err }},
		{"empty endpoint", func() error { _, err := c.List(ctx, "", Query{}); return err }},
		{"endpoint with query", func() error { _, err := c.List(ctx, "Users?x=1", Query{}); return err }},
		{"no patch ops", func() error { _, err := c.Patch(ctx, "Users", "u1", nil); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); err == nil {
				t.Errorf("%s: error = nil, want an error", tt.name)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"scim error body", &Error{Method: "POST", URL: "https://t/Users", StatusCode: 409, Attempts: 1,
			SCIM: &scim.Error{Status: 409, ScimType: "uniqueness", Detail: "userName taken"}},
			"scim client: POST https://t/Users: status 409 (uniqueness: userName taken)"},
		{"retry after and attempts", &Error{Method: "GET", URL: "https://t/Users/1", StatusCode: 429, RetryAfter: 2 * time.Minute, Attempts: 3},
			"scim client: GET https://t/Users/1: status 429, retry after 2m0s (after 3 attempts)"},
		{"transport cause", &Error{Method: "GET", URL: "https://t/Users", Attempts: 1, Err: ErrTimeout},
			"scim client: GET https://t/Users: request timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSleepTimer(t *testing.T) {
	if err := sleepTimer(t.Context(), time.Millisecond); err != nil {
		t.Errorf("sleepTimer(1ms) = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := sleepTimer(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleepTimer(cancelled, 1h) = %v, want context.Canceled", err)
	}
}

func TestDefaultHTTPClient(t *testing.T) {
	c, err := New("https://tenant.example/scim", WithMaxConcurrency(7))
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("default transport = %T, want *http.Transport", c.hc.Transport)
	}
	if tr.MaxIdleConnsPerHost != 7 || tr.DisableKeepAlives || tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
		t.Errorf("transport: MaxIdleConnsPerHost %d, DisableKeepAlives %v, TLS min %x; want 7, false, TLS 1.2",
			tr.MaxIdleConnsPerHost, tr.DisableKeepAlives, tr.TLSClientConfig.MinVersion)
	}
}

// TestRedirectNotFollowed: a redirected POST would silently become a GET.
func TestRedirectNotFollowed(t *testing.T) {
	srv := httptest.NewServer(http.RedirectHandler("/elsewhere/Users", http.StatusFound))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Create(t.Context(), "Users", scim.Resource{"userName": "a"})
	if statusOf(err) != http.StatusFound {
		t.Errorf("Create error = %v, want status 302", err)
	}
}

func TestMayHaveApplied(t *testing.T) {
	tests := []struct {
		name string
		step step
		want bool
	}{
		{name: "500", step: step{status: 500}, want: true},
		{name: "502", step: step{status: 502}, want: true},
		{name: "504", step: step{status: 504}, want: true},
		{name: "connection reset after send", step: step{reset: true}, want: true},
		{name: "201", step: step{status: 201, body: userJSON}, want: false},
		{name: "409", step: step{status: 409}, want: false},
		{name: "429", step: step{status: 429}, want: false},
		{name: "503", step: step{status: 503}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultServer(t, tt.step)
			c, _ := newTestClient(t, fs.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			_, err := c.Create(t.Context(), "Users", scim.Resource{"userName": "bjensen"})
			if got := MayHaveApplied(err); got != tt.want {
				t.Errorf("MayHaveApplied(%v) = %v, want %v", err, got, tt.want)
			}
		})
	}
	// A connection that was never made: the request did not reach anyone.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, _ := newTestClient(t, "http://"+addr, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	_, err = c.Create(t.Context(), "Users", scim.Resource{"userName": "bjensen"})
	if MayHaveApplied(err) {
		t.Errorf("MayHaveApplied(%v) = true for a refused connection, want false", err)
	}
	if MayHaveApplied(errors.New("other")) {
		t.Errorf("MayHaveApplied(non-client error) = true, want false")
	}
}
