// Command scimload is the load generator of Provisio's benchmark
// (bench/run.sh): N concurrent keep-alive clients send one kind of request
// to a loopback URL for a fixed duration or count, repeated -reps times,
// and it reports requests/s, p50/p99 latency, errors and, with -pid, the
// peak resident memory of the server process.
//
// URL and body are templates (see template.go): {{seq}}, {{rand}}, {{id}}
// and {{bool}} vary each request. It only ever talks to loopback
// addresses.
//
//	scimload -serve-bare 127.0.0.1:0     # baseline server; prints its URL
//	scimload -name filter -url 'http://127.0.0.1:8080/scim/T/v2/Users?filter=userName%20eq%20%22user{{rand}}%22' \
//	    -rand 100000 -H 'Authorization: Bearer X' -c 16 -d 10s -reps 3 -pid 1234 -json out.json
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
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := mainErr(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scimload:", err)
		os.Exit(1)
	}
}

// options are the command-line flags.
type options struct {
	serveBare  string
	name       string
	method     string
	url        string
	body       string
	headers    headerFlag
	clients    int
	duration   time.Duration
	count      int64
	reps       int
	warmup     time.Duration
	expect     string
	expectBody string
	randMax    int
	idsFile    string
	saveIDs    string
	seqStart   int64
	pid        int
	jsonOut    string
	timeout    time.Duration
}

// headerFlag collects repeated -H "Name: value" flags.
type headerFlag []string

func (h *headerFlag) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlag) Set(v string) error { *h = append(*h, v); return nil }

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("scimload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.serveBare, "serve-bare", "", "serve the baseline handler on this loopback `addr` (e.g. 127.0.0.1:0) and print its URL")
	fs.StringVar(&o.name, "name", "load", "label of this measurement")
	fs.StringVar(&o.method, "method", http.MethodGet, "HTTP method")
	fs.StringVar(&o.url, "url", "", "target URL template (loopback only)")
	fs.StringVar(&o.body, "body", "", "request body template")
	fs.Var(&o.headers, "H", "request header `Name: value` (repeatable)")
	fs.IntVar(&o.clients, "c", 16, "concurrent keep-alive clients")
	fs.DurationVar(&o.duration, "d", 10*time.Second, "duration of each repetition, unless -n is set")
	fs.Int64Var(&o.count, "n", 0, "total requests, split evenly across repetitions (0: run for -d instead)")
	fs.IntVar(&o.reps, "reps", 3, "repetitions; medians are reported")
	fs.DurationVar(&o.warmup, "warmup", 0, "unmeasured warm-up before the repetitions")
	fs.StringVar(&o.expect, "expect", "2xx", "expected status: 2xx or a comma-separated list of codes")
	fs.StringVar(&o.expectBody, "expect-body", "", "a `string` every successful response body must contain (e.g. '\"totalResults\":1')")
	fs.IntVar(&o.randMax, "rand", 0, "upper bound (exclusive) of {{rand}}")
	fs.StringVar(&o.idsFile, "ids", "", "`file` of ids, one a line, for {{id}}")
	fs.StringVar(&o.saveIDs, "save-ids", "", "append the id of each successful response to `file`")
	fs.Int64Var(&o.seqStart, "seq-start", 0, "first value of {{seq}}")
	fs.IntVar(&o.pid, "pid", 0, "sample the peak VmRSS of this process during the run")
	fs.StringVar(&o.jsonOut, "json", "", "write the summary as JSON to `file`")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "timeout of one request")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return o, o.validate()
}

func (o options) validate() error {
	if o.serveBare != "" {
		return nil
	}
	var errs []error
	if o.url == "" {
		errs = append(errs, errors.New("-url is required"))
	}
	if o.clients < 1 {
		errs = append(errs, errors.New("-c must be at least 1"))
	}
	if o.reps < 1 {
		errs = append(errs, errors.New("-reps must be at least 1"))
	}
	if o.count < 0 || (o.count == 0 && o.duration <= 0) {
		errs = append(errs, errors.New("-n or -d must be positive"))
	}
	if o.count > 0 && o.count < int64(o.reps) {
		errs = append(errs, errors.New("-n must be at least -reps"))
	}
	return errors.Join(errs...)
}

func mainErr(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseFlags(args, os.Stderr)
	if err != nil {
		return err
	}
	if o.serveBare != "" {
		return serveBare(ctx, o.serveBare, stdout)
	}
	l, v, err := o.load()
	if err != nil {
		return err
	}
	client := newClient(o.clients, o.timeout)
	var sampler *rssSampler
	if o.pid > 0 {
		if sampler, err = startRSSSampler(o.pid, 100*time.Millisecond); err != nil {
			return err
		}
	}
	if o.warmup > 0 {
		w := l
		w.duration, w.count, w.saveIDs = o.warmup, 0, false
		run(ctx, client, w, v)
	}
	s := summary{Name: o.name, Method: o.method, URL: o.url, Clients: o.clients}
	for i := range o.reps {
		rep := l
		if o.count > 0 {
			rep.count, rep.duration = share(o.count, o.reps, i), 0
		}
		r := run(ctx, client, rep, v)
		if err := appendIDs(o.saveIDs, r.ids); err != nil {
			return err
		}
		s.Reps = append(s.Reps, r)
		fmt.Fprintf(stdout, "%s rep %d: %s\n", o.name, i+1, r)
		if ctx.Err() != nil {
			break
		}
	}
	if sampler != nil {
		if s.PeakRSS, err = sampler.Stop(); err != nil {
			return err
		}
	}
	s.finish()
	fmt.Fprintln(stdout, s)
	if o.jsonOut != "" {
		return writeJSON(o.jsonOut, s)
	}
	return nil
}

// load builds the workload the options describe.
func (o options) load() (load, *vars, error) {
	if err := checkTarget(o.url); err != nil {
		return load{}, nil, err
	}
	v := &vars{randMax: o.randMax}
	v.seq.Store(o.seqStart)
	if o.idsFile != "" {
		ids, err := readIDs(o.idsFile)
		if err != nil {
			return load{}, nil, err
		}
		v.ids = ids
	}
	u, err := compileTemplate(o.url, v)
	if err != nil {
		return load{}, nil, fmt.Errorf("-url: %w", err)
	}
	b, err := compileTemplate(o.body, v)
	if err != nil {
		return load{}, nil, fmt.Errorf("-body: %w", err)
	}
	h, err := parseHeaders(o.headers)
	if err != nil {
		return load{}, nil, err
	}
	expect, err := parseExpect(o.expect)
	if err != nil {
		return load{}, nil, err
	}
	l := load{
		method: o.method, url: u, body: b, header: h, clients: o.clients,
		duration: o.duration, expect: expect, saveIDs: o.saveIDs != "",
	}
	if o.expectBody != "" {
		l.expectBody = []byte(o.expectBody)
	}
	return l, v, nil
}

// share is repetition i's part of total requests (0 stays 0).
func share(total int64, reps, i int) int64 {
	if total == 0 {
		return 0
	}
	n := total / int64(reps)
	if int64(i) < total%int64(reps) {
		n++
	}
	return n
}

// checkTarget refuses any URL whose host is not a loopback address.
func checkTarget(raw string) error {
	u, err := url.Parse(strings.NewReplacer("{{", "", "}}", "").Replace(raw))
	if err != nil {
		return fmt.Errorf("-url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("-url: scheme %q, want http or https", u.Scheme)
	}
	return checkLoopback(u.Hostname())
}

// checkLoopback accepts "localhost" and loopback IP addresses only.
func checkLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("host %q is not a loopback address; scimload only loads this machine", host)
}

func newClient(clients int, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:               nil, // never route load through a proxy
			MaxIdleConns:        clients,
			MaxIdleConnsPerHost: clients,
			MaxConnsPerHost:     clients,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

func parseHeaders(lines []string) (http.Header, error) {
	h := http.Header{}
	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("-H %q: want \"Name: value\"", line)
		}
		h.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return h, nil
}

// parseExpect turns "2xx" or "200,204" into a status predicate.
func parseExpect(s string) (func(int) bool, error) {
	if s == "2xx" {
		return func(code int) bool { return code >= 200 && code < 300 }, nil
	}
	var codes []int
	for _, f := range strings.Split(s, ",") {
		code, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || code < 100 || code > 599 {
			return nil, fmt.Errorf("-expect %q: want 2xx or status codes", s)
		}
		codes = append(codes, code)
	}
	return func(code int) bool { return slices.Contains(codes, code) }, nil
}

func readIDs(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read ids: %w", err)
	}
	ids := strings.Fields(string(data))
	if len(ids) == 0 {
		return nil, fmt.Errorf("read ids: %s is empty", path)
	}
	return ids, nil
}

func appendIDs(path string, ids []string) error {
	if path == "" || len(ids) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("save ids: %w", err)
	}
	_, werr := f.WriteString(strings.Join(ids, "\n") + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("save ids: %w", werr)
	}
	return nil
}

func writeJSON(path string, s summary) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
