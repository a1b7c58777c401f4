// Package faultproxy owns the fault-injecting proxy that stands between
// the provisioning engine and an application in tests and benchmarks: on
// a configurable fraction of requests it answers 429 with Retry-After,
// 503 or 500 itself, answers slowly, drops the connection before the
// request reaches the application, or forwards the request and then drops
// the connection, so that the application applied a change whose answer
// is lost. Which request gets which fault is deterministic for a seed
// (see [Proxy.ServeHTTP]). It records the request rate the proxy and the
// application saw: the most requests in any one-second window.
package faultproxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limited is what Stats.Faults counts the requests over Config.Limit
// under: answered 429 without Retry-After, as an application's own rate
// limit would.
const Limited Kind = "limited"

// Kind is a fault.
type Kind string

// The faults.
const (
	TooManyRequests Kind = "429"  // 429 with Retry-After, not forwarded
	Unavailable     Kind = "503"  // 503 without Retry-After, not forwarded
	ServerError     Kind = "500"  // 500, not forwarded
	Slow            Kind = "slow" // forwarded after Config.SlowDelay
	Drop            Kind = "drop" // connection closed, not forwarded
	// Lost: forwarded, applied by the application, then the connection
	// is closed: the client never learns the outcome.
	Lost Kind = "lost"
)

// AllKinds are the faults in the order a Config's Kinds defaults to.
var AllKinds = []Kind{TooManyRequests, Unavailable, ServerError, Slow, Drop, Lost}

// ParseKinds reads a comma-separated list of fault kinds; "all" or ""
// is AllKinds.
func ParseKinds(s string) ([]Kind, error) {
	if s == "" || s == "all" {
		return AllKinds, nil
	}
	var out []Kind
	for _, f := range strings.Split(s, ",") {
		k := Kind(strings.TrimSpace(f))
		if !slices.Contains(AllKinds, k) {
			return nil, fmt.Errorf("fault kind %q: want one of 429, 503, 500, slow, drop, lost", k)
		}
		out = append(out, k)
	}
	return out, nil
}

// Config configures a Proxy.
type Config struct {
	// Upstream is the application (e.g. a scim/server handler, or an
	// httputil.ReverseProxy to one). Required.
	Upstream http.Handler
	// Fraction of requests that get a fault, in [0, 1].
	Fraction float64
	// Kinds are the faults, chosen with equal probability (default
	// AllKinds).
	Kinds []Kind
	// Seed makes the choice of faults reproducible.
	Seed uint64
	// RetryAfter is sent with 429, in whole seconds (default 1 s).
	RetryAfter time.Duration
	// SlowDelay is how long a slow answer waits (default 1 s).
	SlowDelay time.Duration
	// Limit plays an application's own rate limit: requests beyond it
	// (a token bucket of Limit per second, bursts of Limit) are answered
	// 429 without Retry-After. 0: none.
	Limit float64
	// Latency plays a distant application: every answer, refusals
	// included, comes this much later. The request's arrival (Stats) and
	// the limit count when it came in; it is forwarded after the wait.
	// 0: none.
	Latency time.Duration
}

// Proxy is an http.Handler injecting faults in front of Config.Upstream.
// It needs a server whose ResponseWriter can be hijacked (HTTP/1.x) for
// the Drop and Lost faults.
type Proxy struct {
	cfg Config

	limiter *rate.Limiter // Config.Limit; nil for none

	mu        sync.Mutex
	seen      map[uint64]uint64 // request key → times seen
	arrived   []time.Time       // every request, in arrival order
	forwarded []time.Time       // requests passed to Upstream
	faults    map[Kind]int
}

// New validates cfg and returns a Proxy.
func New(cfg Config) (*Proxy, error) {
	if cfg.Upstream == nil {
		return nil, errors.New("faultproxy: nil upstream")
	}
	if cfg.Limit < 0 {
		return nil, fmt.Errorf("faultproxy: limit %v: want 0 or more", cfg.Limit)
	}
	if cfg.Latency < 0 {
		return nil, fmt.Errorf("faultproxy: latency %v: want 0 or more", cfg.Latency)
	}
	if cfg.Fraction < 0 || cfg.Fraction > 1 {
		return nil, fmt.Errorf("faultproxy: fraction %v: want 0 to 1", cfg.Fraction)
	}
	if len(cfg.Kinds) == 0 {
		cfg.Kinds = AllKinds
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = time.Second
	}
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = time.Second
	}
	p := &Proxy{cfg: cfg, seen: map[uint64]uint64{}, faults: map[Kind]int{}}
	if cfg.Limit > 0 {
		p.limiter = rate.NewLimiter(rate.Limit(cfg.Limit), max(1, int(cfg.Limit)))
	}
	return p, nil
}

// ServeHTTP answers r with a fault or forwards it. The fault of a request
// depends only on the seed, the request (method, URI and body) and how
// many times the same request came before, so a run's faults do not
// depend on the order in which concurrent requests arrive, and a retried
// request gets a fresh draw.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read request body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	kind := p.decide(r, body)
	if kind == "" && p.limiter != nil && !p.limiter.Allow() {
		kind = Limited
		p.mu.Lock()
		p.faults[Limited]++
		p.mu.Unlock()
	}
	if p.cfg.Latency > 0 {
		select {
		case <-time.After(p.cfg.Latency):
		case <-r.Context().Done():
			return
		}
	}
	switch kind {
	case Limited:
		scimError(w, http.StatusTooManyRequests, "rate limit exceeded")
	case TooManyRequests:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(p.cfg.RetryAfter/time.Second))))
		scimError(w, http.StatusTooManyRequests, "injected: too many requests")
	case Unavailable:
		scimError(w, http.StatusServiceUnavailable, "injected: unavailable")
	case ServerError:
		scimError(w, http.StatusInternalServerError, "injected: server error")
	case Drop:
		hangUp(w)
	case Lost:
		p.forward(discard{h: http.Header{}}, r)
		hangUp(w)
	case Slow:
		select {
		case <-time.After(p.cfg.SlowDelay):
		case <-r.Context().Done():
			return
		}
		p.forward(w, r)
	default:
		p.forward(w, r)
	}
}

// decide records r's arrival and draws its fault ("" for none).
func (p *Proxy) decide(r *http.Request, body []byte) Kind {
	h := fnv.New64a()
	_, _ = io.WriteString(h, r.Method+" "+r.URL.RequestURI()+"\n")
	_, _ = h.Write(body)
	key := h.Sum64()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.arrived = append(p.arrived, time.Now())
	n := p.seen[key]
	p.seen[key] = n + 1
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	_, _ = h.Write(b[:])
	rng := rand.New(rand.NewPCG(p.cfg.Seed, h.Sum64()))
	if rng.Float64() >= p.cfg.Fraction {
		return ""
	}
	k := p.cfg.Kinds[rng.IntN(len(p.cfg.Kinds))]
	p.faults[k]++
	return k
}

func (p *Proxy) forward(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.forwarded = append(p.forwarded, time.Now())
	p.mu.Unlock()
	p.cfg.Upstream.ServeHTTP(w, r)
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http then drops the connection
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func scimError(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"%d","detail":%q}`, status, detail)
}

// discard is a ResponseWriter for an answer that is lost.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// Stats is what a Proxy saw.
type Stats struct {
	Requests  int          `json:"requests"`  // received
	Forwarded int          `json:"forwarded"` // passed to the application
	Faults    map[Kind]int `json:"faults"`
	// MaxPerSecond is the most requests received in any one-second
	// window; UpstreamMaxPerSecond the most forwarded.
	MaxPerSecond         int `json:"maxPerSecond"`
	UpstreamMaxPerSecond int `json:"upstreamMaxPerSecond"`
}

// Stats returns what the proxy saw so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Requests: len(p.arrived), Forwarded: len(p.forwarded), Faults: map[Kind]int{},
		MaxPerSecond: MaxInWindow(p.arrived, time.Second), UpstreamMaxPerSecond: MaxInWindow(p.forwarded, time.Second)}
	for k, n := range p.faults {
		s.Faults[k] = n
	}
	return s
}

// Reset forgets the requests seen so far (not the fault draws), so that
// Stats covers what follows.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.arrived, p.forwarded, p.faults = nil, nil, map[Kind]int{}
}

// MaxInWindow is the most of times (in ascending order) that fall in any
// half-open window [t, t+d).
func MaxInWindow(times []time.Time, d time.Duration) int {
	best, lo := 0, 0
	for hi, t := range times {
		for t.Sub(times[lo]) >= d {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
