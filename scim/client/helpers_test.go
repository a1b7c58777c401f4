package client

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// step is what the fault server does for one request.
type step struct {
	status      int
	retryAfter  string
	contentType string // default application/scim+json
	body        string
	reset       bool // hijack the connection and reset it
	hang        bool // never answer; wait for the client to give up
}

// recorded is a request the fault server received.
type recorded struct {
	method, path, rawQuery string
	header                 http.Header
	body                   string
}

// faultServer answers requests with a script of steps; after the script
// ends it repeats the last step.
type faultServer struct {
	*httptest.Server
	mu    sync.Mutex
	steps []step
	reqs  []recorded
}

func newFaultServer(t *testing.T, steps ...step) *faultServer {
	t.Helper()
	fs := &faultServer{steps: steps}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fs.mu.Lock()
	s := fs.steps[min(len(fs.reqs), len(fs.steps)-1)]
	fs.reqs = append(fs.reqs, recorded{method: r.Method, path: r.URL.EscapedPath(), rawQuery: r.URL.RawQuery, header: r.Header.Clone(), body: string(body)})
	fs.mu.Unlock()
	switch {
	case s.reset:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0) // close with RST
		}
		conn.Close()
		return
	case s.hang:
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	ct := s.contentType
	if ct == "" {
		ct = scim.MediaType
	}
	w.Header().Set("Content-Type", ct)
	if s.retryAfter != "" {
		w.Header().Set("Retry-After", s.retryAfter)
	}
	w.WriteHeader(s.status)
	_, _ = io.WriteString(w, s.body)
}

func (fs *faultServer) requests() []recorded {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recorded(nil), fs.reqs...)
}

// fakeClock is a clock that only moves when the client sleeps.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (f *fakeClock) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	f.t = f.t.Add(d)
	f.mu.Unlock()
	return ctx.Err()
}

func (f *fakeClock) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

const testToken = "s3cret-token"

// testPolicy retries quickly; waits go through the fake clock anyway.
var testPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRetryAfter: time.Minute}

// newTestClient returns a client with a fake clock, a static token and a
// transport without keep-alive (so the transport itself never retries a
// request on a reused connection and attempt counts are exact).
func newTestClient(t *testing.T, baseURL string, opts ...Option) (*Client, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	base := []Option{
		WithClock(clock.now), WithSleep(clock.sleep), WithStaticToken(testToken),
		WithRetryPolicy(testPolicy),
		WithHTTPClient(&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}),
	}
	c, err := New(baseURL, append(base, opts...)...)
	if err != nil {
		t.Fatalf("New(%q) error: %v", baseURL, err)
	}
	return c, clock
}
