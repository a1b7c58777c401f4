// Command faultproxy runs internal/faultproxy in front of an application's
// SCIM endpoint, for benchmarks and manual tests: point a provisioning
// job's Tenant URL at the proxy instead of the application. GET
// /_faultproxy/stats (not forwarded) answers what it saw as JSON; so does
// its standard output when it stops (SIGINT, SIGTERM).
//
//	faultproxy -listen 127.0.0.1:9090 -upstream http://127.0.0.1:8080 -fraction 0.2 -seed 1
//	faultproxy -listen 127.0.0.1:9090 -upstream http://127.0.0.1:8080 -fraction 0 -latency 50ms
//
// A Tenant URL http://127.0.0.1:8080/scim/T/v2 then becomes
// http://127.0.0.1:9090/scim/T/v2.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/provisio-dev/provisio/internal/faultproxy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("faultproxy", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on")
	upstream := fs.String("upstream", "", "the application's base URL (scheme://host:port)")
	fraction := fs.Float64("fraction", 0.2, "fraction of requests that get a fault")
	kinds := fs.String("kinds", "all", "faults: all, or a comma-separated list of 429,503,500,slow,drop,lost")
	seed := fs.Uint64("seed", 1, "seed of the fault draws")
	retryAfter := fs.Duration("retry-after", time.Second, "Retry-After of a 429 (whole seconds)")
	slow := fs.Duration("slow", time.Second, "delay of a slow answer")
	latency := fs.Duration("latency", 0, "added to every answer (a distant application), e.g. 50ms")
	limit := fs.Float64("limit", 0, "the application's own rate limit: 429 beyond this many requests per second (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*upstream)
	if err != nil || u.Host == "" {
		return fmt.Errorf("-upstream %q: want an absolute URL", *upstream)
	}
	ks, err := faultproxy.ParseKinds(*kinds)
	if err != nil {
		return err
	}
	p, err := faultproxy.New(faultproxy.Config{Upstream: httputil.NewSingleHostReverseProxy(u), Fraction: *fraction,
		Kinds: ks, Seed: *seed, RetryAfter: *retryAfter, SlowDelay: *slow, Latency: *latency, Limit: *limit})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_faultproxy/stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p.Stats())
	})
	mux.Handle("/", p)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(out, "faultproxy: listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return json.NewEncoder(out).Encode(p.Stats())
}
