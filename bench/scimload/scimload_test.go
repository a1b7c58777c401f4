package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTemplateExpand(t *testing.T) {
	tests := []struct {
		name string
		tmpl string
		v    *vars
		want []string // successive expansions
	}{
		{"literal", "plain", &vars{}, []string{"plain", "plain"}},
		{"seq", "u{{seq}}@x", &vars{}, []string{"u0@x", "u1@x", "u2@x"}},
		{"bool alternates", `{"active":"{{bool}}"}`, &vars{}, []string{`{"active":"False"}`, `{"active":"True"}`, `{"active":"False"}`}},
		{"id from one", "/Users/{{id}}", &vars{ids: []string{"abc"}}, []string{"/Users/abc"}},
		{"rand below one", "r{{rand}}", &vars{randMax: 1}, []string{"r0", "r0"}},
		{"one value per request", "{{seq}}-{{seq}}", &vars{}, []string{"0-0", "1-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := compileTemplate(tc.tmpl, tc.v)
			if err != nil {
				t.Fatalf("compileTemplate(%q) = %v", tc.tmpl, err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			for i, want := range tc.want {
				if got := string(tmpl.expand(nil, tc.v.next(rng))); got != want {
					t.Errorf("expansion %d of %q = %q, want %q", i, tc.tmpl, got, want)
				}
			}
		})
	}
}

func TestCompileTemplateErrors(t *testing.T) {
	tests := []struct{ name, tmpl, want string }{
		{"unknown", "{{nope}}", "unknown placeholder"},
		{"unterminated", "a{{seq", "unterminated"},
		{"rand without bound", "{{rand}}", "-rand"},
		{"id without ids", "{{id}}", "-ids"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileTemplate(tc.tmpl, &vars{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("compileTemplate(%q) = %v, want error containing %q", tc.tmpl, err, tc.want)
			}
		})
	}
}

func TestPercentileAndMedian(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var d []time.Duration
		for _, n := range ns {
			d = append(d, time.Duration(n)*time.Millisecond)
		}
		return d
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	pct := []struct {
		name string
		in   []time.Duration
		p    int
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"p50 of 100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 100", hundred, 99, 99 * time.Millisecond},
		{"p99 of 3", ms(1, 2, 3), 99, 3 * time.Millisecond},
	}
	for _, tc := range pct {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("percentile(%s, %d) = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
	med := []struct {
		name string
		in   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"odd unsorted", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 2, 3}, 2.5},
	}
	for _, tc := range med {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%s %v) = %v, want %v", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name, in string
		want     int64
		wantErr  bool
	}{
		{"present", "Name:\tx\nVmPeak:\t 9 kB\nVmRSS:\t  123456 kB\nThreads: 4\n", 123456, false},
		{"missing", "Name:\tx\n", 0, true},
		{"bad unit", "VmRSS:\t1 MB\n", 0, true},
	}
	for _, tc := range tests {
		got, err := parseVmRSS([]byte(tc.in))
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("parseVmRSS(%s) = %d, %v, want %d, error %v", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestRSSSamplerOwnProcess(t *testing.T) {
	s, err := startRSSSampler(os.Getpid(), time.Millisecond)
	if err != nil {
		t.Fatalf("startRSSSampler(self) = %v", err)
	}
	time.Sleep(5 * time.Millisecond)
	peak, err := s.Stop()
	if err != nil || peak <= 0 {
		t.Errorf("Stop() = %d, %v, want a positive peak", peak, err)
	}
}

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		url     string
		wantErr bool
	}{
		{"http://127.0.0.1:8080/Users", false},
		{"http://127.8.9.10/x", false},
		{"http://localhost:1/x", false},
		{"http://[::1]:8080/x?f={{rand}}", false},
		{"http://10.0.0.1/x", true},
		{"http://192.168.1.1/x", true},
		{"http://example.com/x", true},
		{"http://0.0.0.0:8080/x", true},
		{"ftp://127.0.0.1/x", true},
	}
	for _, tc := range tests {
		if err := checkTarget(tc.url); (err != nil) != tc.wantErr {
			t.Errorf("checkTarget(%q) = %v, want error %v", tc.url, err, tc.wantErr)
		}
	}
}

func TestParseExpect(t *testing.T) {
	tests := []struct {
		spec    string
		status  int
		want    bool
		wantErr bool
	}{
		{"2xx", 204, true, false},
		{"2xx", 409, false, false},
		{"200,204", 204, true, false},
		{"201", 200, false, false},
		{"abc", 0, false, true},
		{"99", 0, false, true},
	}
	for _, tc := range tests {
		f, err := parseExpect(tc.spec)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseExpect(%q) error = %v, want error %v", tc.spec, err, tc.wantErr)
			continue
		}
		if err == nil && f(tc.status) != tc.want {
			t.Errorf("parseExpect(%q)(%d) = %v, want %v", tc.spec, tc.status, !tc.want, tc.want)
		}
	}
}

func TestShare(t *testing.T) {
	tests := []struct {
		total int64
		reps  int
		want  []int64
	}{
		{0, 3, []int64{0, 0, 0}},
		{100000, 3, []int64{33334, 33333, 33333}},
		{9, 3, []int64{3, 3, 3}},
	}
	for _, tc := range tests {
		for i, want := range tc.want {
			if got := share(tc.total, tc.reps, i); got != want {
				t.Errorf("share(%d, %d, %d) = %d, want %d", tc.total, tc.reps, i, got, want)
			}
		}
	}
}

// fakeSCIM creates users (201 with an id), answers 409 for userName "dup",
// and counts requests.
type fakeSCIM struct {
	mu    sync.Mutex
	n     int
	names []string
}

func (f *fakeSCIM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.n++
	n := f.n
	f.names = append(f.names, string(body))
	f.mu.Unlock()
	if strings.Contains(string(body), `"dup"`) {
		w.WriteHeader(http.StatusConflict)
		fmt.Fprint(w, `{"status":"409"}`)
		return
	}
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"id":"id-%d"}`, n)
}

func TestRunCountMode(t *testing.T) {
	fake := &fakeSCIM{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	v := &vars{}
	body, err := compileTemplate(`{"userName":"u{{seq}}"}`, v)
	if err != nil {
		t.Fatal(err)
	}
	u, err := compileTemplate(srv.URL+"/Users", v)
	if err != nil {
		t.Fatal(err)
	}
	expect, _ := parseExpect("201")
	l := load{method: http.MethodPost, url: u, body: body, header: http.Header{}, clients: 4, count: 50, expect: expect, saveIDs: true}
	r := run(context.Background(), newClient(4, 5*time.Second), l, v)
	if r.Requests != 50 || r.Errors != 0 || len(r.ids) != 50 || r.Statuses[201] != 50 {
		t.Errorf("run(50 creates) = %d requests, %d errors, %d ids, statuses %v; want 50, 0, 50, 201:50", r.Requests, r.Errors, len(r.ids), r.Statuses)
	}
	seen := map[string]bool{}
	for _, name := range fake.names {
		if seen[name] {
			t.Errorf("body %s sent twice; {{seq}} must be unique", name)
		}
		seen[name] = true
	}
	if r.RPS <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Max < r.P99 {
		t.Errorf("run(50 creates) latencies p50 %v p99 %v max %v, rps %v; want 0 < p50 <= p99 <= max and rps > 0", r.P50, r.P99, r.Max, r.RPS)
	}
}

func TestRunCountsErrors(t *testing.T) {
	srv := httptest.NewServer(&fakeSCIM{})
	v := &vars{}
	body, _ := compileTemplate(`{"userName":"dup"}`, v)
	u, _ := compileTemplate(srv.URL+"/Users", v)
	expect, _ := parseExpect("201")
	l := load{method: http.MethodPost, url: u, body: body, header: http.Header{}, clients: 2, count: 10, expect: expect}
	r := run(context.Background(), newClient(2, 5*time.Second), l, v)
	if r.Requests != 10 || r.Errors != 10 || r.Statuses[409] != 10 || !strings.Contains(r.FirstError, "409") {
		t.Errorf("run(10 conflicts) = %d requests, %d errors, statuses %v, first error %q; want 10, 10, 409:10, a 409 error", r.Requests, r.Errors, r.Statuses, r.FirstError)
	}

	srv.Close() // now every request fails without a response
	r = run(context.Background(), newClient(2, time.Second), l, v)
	if r.Requests != 10 || r.Errors != 10 || len(r.Statuses) != 0 || r.RPS != 0 {
		t.Errorf("run(10 against closed server) = %d requests, %d errors, statuses %v, rps %v; want 10, 10, none, 0", r.Requests, r.Errors, r.Statuses, r.RPS)
	}
}

func TestRunDurationMode(t *testing.T) {
	srv := httptest.NewServer(bareHandler())
	defer srv.Close()
	v := &vars{}
	u, _ := compileTemplate(srv.URL+"/Users", v)
	expect, _ := parseExpect("200")
	l := load{method: http.MethodGet, url: u, header: http.Header{}, clients: 2, duration: 100 * time.Millisecond, expect: expect}
	r := run(context.Background(), newClient(2, 5*time.Second), l, v)
	if r.Requests == 0 || r.Errors != 0 || r.Elapsed < 100*time.Millisecond || r.Elapsed > 2*time.Second {
		t.Errorf("run(100ms) = %d requests, %d errors in %v; want some, none, about 100ms", r.Requests, r.Errors, r.Elapsed)
	}

	l.expectBody = []byte(`"totalResults":1`)
	if r := run(context.Background(), newClient(2, 5*time.Second), l, v); r.Requests == 0 || r.Errors != 0 {
		t.Errorf("run(expect body present) = %d requests, %d errors; want some, none", r.Requests, r.Errors)
	}
	l.expectBody = []byte(`"totalResults":2`)
	if r := run(context.Background(), newClient(2, 5*time.Second), l, v); r.Requests == 0 || r.Errors != r.Requests || r.RPS != 0 {
		t.Errorf("run(expect body absent) = %d requests, %d errors, %v req/s; want every request an error and 0 req/s", r.Requests, r.Errors, r.RPS)
	}
}

func TestMainErrWritesSummaryAndIDs(t *testing.T) {
	srv := httptest.NewServer(&fakeSCIM{})
	defer srv.Close()
	dir := t.TempDir()
	ids := filepath.Join(dir, "ids.txt")
	out := filepath.Join(dir, "out.json")
	var stdout strings.Builder
	args := []string{"-name", "create", "-method", "POST", "-url", srv.URL + "/Users", "-body", `{"userName":"u{{seq}}"}`,
		"-c", "2", "-n", "9", "-reps", "3", "-expect", "201", "-save-ids", ids, "-json", out, "-pid", fmt.Sprint(os.Getpid())}
	if err := mainErr(context.Background(), args, &stdout); err != nil {
		t.Fatalf("mainErr(%q) = %v", args, err)
	}
	got, err := os.ReadFile(ids)
	if err != nil || len(strings.Fields(string(got))) != 9 {
		t.Errorf("ids file = %q, %v; want 9 ids", got, err)
	}
	summary, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(summary), `"median_rps"`) || !strings.Contains(string(summary), `"peak_rss_bytes"`) {
		t.Errorf("summary file = %s, %v; want JSON with median_rps and peak_rss_bytes", summary, err)
	}
	if !strings.Contains(stdout.String(), "create median of 3") {
		t.Errorf("stdout = %q, want a median line", stdout.String())
	}
}

func TestParseFlagsErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no url", []string{}, "-url is required"},
		{"no clients", []string{"-url", "http://127.0.0.1/", "-c", "0"}, "-c"},
		{"nothing to do", []string{"-url", "http://127.0.0.1/", "-d", "0"}, "-n or -d"},
		{"too few requests", []string{"-url", "http://127.0.0.1/", "-n", "2", "-reps", "3"}, "-n must be at least -reps"},
		{"stray argument", []string{"-url", "http://127.0.0.1/", "extra"}, "unexpected arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseFlags(tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseFlags(%q) = %v, want error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestServeBareStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- serveBare(ctx, "127.0.0.1:0", pw) }()
	buf := make([]byte, 100)
	n, err := pr.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	base := strings.TrimSpace(string(buf[:n]))
	resp, err := http.Get(base + "/Users")
	if err != nil {
		t.Fatalf("GET %s/Users: %v", base, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != bareListResponse {
		t.Errorf("GET %s/Users = %d %.80s, want 200 and the fixed ListResponse", base, resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serveBare after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serveBare did not stop after its context ended")
	}
}

func TestServeBareRefusesNonLoopback(t *testing.T) {
	if err := serveBare(context.Background(), "0.0.0.0:0", io.Discard); err == nil {
		t.Error("serveBare(0.0.0.0:0) = nil, want a loopback error")
	}
}
