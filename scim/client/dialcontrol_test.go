package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestWithDialControl: the control sees the address actually dialled;
// one it refuses fails at once, without retries, as ReasonNotAllowed,
// and no request reaches the server.
func TestWithDialControl(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/scim+json")
		_, _ = w.Write([]byte(emptyList))
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, tc := range []struct {
		name     string
		baseURL  string
		allow    string // the one address the control allows
		wantErr  Reason
		wantHits int32
	}{
		{"allowed address", srv.URL, srv.Listener.Addr().String(), "", 1},
		{"refused address", srv.URL, "192.0.2.1:443", ReasonNotAllowed, 0},
		{"host name resolving to a refused address", "http://localhost:" + port, "192.0.2.1:443", ReasonNotAllowed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			var mu sync.Mutex // dials of several addresses may race
			var dialled []string
			control := func(network, address string, _ syscall.RawConn) error {
				mu.Lock()
				defer mu.Unlock()
				dialled = append(dialled, address)
				if address != tc.allow {
					return fmt.Errorf("%s: %w", address, ErrNotAllowed)
				}
				return nil
			}
			c, _ := newControlledClient(t, tc.baseURL, control)
			err := c.TestConnection(context.Background(), "")
			var ce *ConnectionError
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("TestConnection() = %v, want nil", err)
			case tc.wantErr != "" && (!errors.As(err, &ce) || ce.Reason != tc.wantErr || !errors.Is(err, ErrNotAllowed)):
				t.Errorf("TestConnection() = %v, want reason %s wrapping ErrNotAllowed", err, tc.wantErr)
			}
			var e *Error
			if errors.As(err, &e) && e.Attempts != 1 {
				t.Errorf("TestConnection() made %d attempts, want 1", e.Attempts)
			}
			mu.Lock()
			defer mu.Unlock()
			if got := hits.Load(); got != tc.wantHits {
				t.Errorf("requests that reached the server = %d, want %d (dialled %v)", got, tc.wantHits, dialled)
			}
		})
	}
	t.Run("refused for other requests too, without retries", func(t *testing.T) {
		c, clk := newControlledClient(t, srv.URL, func(_, address string, _ syscall.RawConn) error {
			return fmt.Errorf("%s: %w", address, ErrNotAllowed)
		})
		_, err := c.Get(context.Background(), "Users", "2819c223")
		if !errors.Is(err, ErrNotAllowed) || IsRetryable(err) || len(clk.waits()) != 0 {
			t.Errorf("Get() = %v, retryable %v, waits %v; want ErrNotAllowed at once", err, IsRetryable(err), clk.waits())
		}
	})
	if _, err := New(srv.URL, WithHTTPClient(http.DefaultClient), WithDialControl(func(string, string, syscall.RawConn) error { return nil })); err == nil {
		t.Error("New(WithHTTPClient, WithDialControl) = nil error, want one: the control would not apply")
	}
}

// newControlledClient is newTestClient with the default HTTP client,
// which WithDialControl needs.
func newControlledClient(t *testing.T, baseURL string, control func(string, string, syscall.RawConn) error) (*Client, *fakeClock) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c, err := New(baseURL, WithClock(clock.now), WithSleep(clock.sleep), WithStaticToken(testToken),
		WithRetryPolicy(testPolicy), WithDialControl(control))
	if err != nil {
		t.Fatalf("New(%q) error: %v", baseURL, err)
	}
	return c, clock
}
