package oidc_test

import (
	"net/http"
	"testing"

	"github.com/provisio-dev/provisio/internal/clientip"
	"github.com/provisio-dev/provisio/internal/oidc"
)

// TestThrottleTrustedProxies: the per-address sign-in throttle counts the
// X-Forwarded-For client address only when the peer (here 127.0.0.1) is a
// trusted proxy; from an untrusted peer a spoofed header changes nothing.
func TestThrottleTrustedProxies(t *testing.T) {
	// guess posts a wrong password for a new account each time (so only
	// the address limit, 5, can throttle) with the given X-Forwarded-For.
	guesses := 0
	guess := func(t *testing.T, e *signInEnv, xff string) int {
		t.Helper()
		guesses++
		c := browser(t)
		c.Transport = xffTransport(xff)
		resp := authorize(t, e.env, c, webQuery(), "x"+string(rune('a'+guesses%26))+"@example.com", "guess")
		readAll(resp)
		return resp.StatusCode
	}
	t.Run("untrusted peer: spoofed header ignored", func(t *testing.T) {
		e := newSignInEnv(t) // no trusted proxies
		for i := range 5 {
			if got := guess(t, e, "203.0.113."+string(rune('1'+i))); got != http.StatusUnauthorized {
				t.Fatalf("guess %d = %d, want 401", i+1, got)
			}
		}
		if got := guess(t, e, "203.0.113.99"); got != http.StatusTooManyRequests {
			t.Errorf("6th guess with yet another X-Forwarded-For = %d, want 429 (one peer, one address)", got)
		}
	})
	t.Run("trusted peer: forwarded address used", func(t *testing.T) {
		proxies, err := clientip.Parse("127.0.0.0/8,::1")
		if err != nil {
			t.Fatal(err)
		}
		e := newSignInEnvWith(t, func(c *oidc.Config) { c.SignIn.TrustedProxies = proxies })
		for i := range 5 {
			// The client's own claim (left) is ignored: the proxy appended 203.0.113.1.
			if got := guess(t, e, "198.51.100."+string(rune('1'+i))+", 203.0.113.1"); got != http.StatusUnauthorized {
				t.Fatalf("guess %d = %d, want 401", i+1, got)
			}
		}
		if got := guess(t, e, "198.51.100.9, 203.0.113.1"); got != http.StatusTooManyRequests {
			t.Errorf("6th guess from 203.0.113.1 = %d, want 429", got)
		}
		if got := guess(t, e, "203.0.113.2"); got != http.StatusUnauthorized {
			t.Errorf("guess from another client behind the proxy = %d, want 401 (not throttled)", got)
		}
	})
}

// xffTransport sets X-Forwarded-For on every request.
type xffTransport string

func (x xffTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(x))
	return http.DefaultTransport.RoundTrip(r)
}
