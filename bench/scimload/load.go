package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// load describes one measured workload.
type load struct {
	method   string
	url      template
	body     template // no parts: no body
	header   http.Header
	clients  int
	duration time.Duration // stop issuing requests after this (0: no limit)
	count    int64         // stop after this many requests (0: no limit)
	expect   func(status int) bool
	// expectBody, if set, must occur in every successful response body.
	expectBody []byte
	saveIDs    bool // collect the "id" of each successful JSON response
}

// result is what one repetition measured.
type result struct {
	Requests   int64         `json:"requests"`
	Errors     int64         `json:"errors"`
	Elapsed    time.Duration `json:"elapsed_ns"`
	RPS        float64       `json:"rps"`
	P50        time.Duration `json:"p50_ns"`
	P99        time.Duration `json:"p99_ns"`
	Max        time.Duration `json:"max_ns"`
	Statuses   map[int]int64 `json:"statuses"`
	FirstError string        `json:"first_error,omitempty"`
	ids        []string
}

// worker is one client's share of a repetition.
type worker struct {
	latencies  []time.Duration
	statuses   map[int]int64
	errors     int64 // failed requests, with or without a response
	noResponse int64 // failed requests that got no response
	firstErr   string
	ids        []string
	buf        bytes.Buffer
	url, body  []byte
}

// run executes one repetition of l with l.clients concurrent clients over
// client, which must keep connections alive. Requests already sent when
// the duration ends are completed, not cancelled. The request rate counts
// successful responses only.
func run(ctx context.Context, client *http.Client, l load, v *vars) result {
	var issued atomic.Int64
	deadline := time.Time{}
	start := time.Now()
	if l.duration > 0 {
		deadline = start.Add(l.duration)
	}
	workers := make([]*worker, l.clients)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{statuses: map[int]int64{}}
		workers[i] = w
		rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(i)))
		wg.Go(func() {
			for ctx.Err() == nil {
				if l.count > 0 && issued.Add(1) > l.count {
					return
				}
				if !deadline.IsZero() && time.Now().After(deadline) {
					return
				}
				w.do(ctx, client, l, v, rng)
			}
		})
	}
	wg.Wait()
	return merge(workers, time.Since(start))
}

// do sends one request and records its outcome.
func (w *worker) do(ctx context.Context, client *http.Client, l load, v *vars, rng *rand.Rand) {
	val := v.next(rng)
	w.url = l.url.expand(w.url[:0], val)
	var body io.Reader
	if len(l.body.parts) > 0 {
		w.body = l.body.expand(w.body[:0], val)
		body = bytes.NewReader(w.body)
	}
	req, err := http.NewRequestWithContext(ctx, l.method, string(w.url), body)
	if err != nil {
		w.noResponse++
		w.fail(fmt.Sprintf("build request: %v", err))
		return
	}
	req.Header = l.header.Clone()
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		w.noResponse++
		w.fail(err.Error())
		return
	}
	w.buf.Reset()
	_, err = w.buf.ReadFrom(resp.Body)
	resp.Body.Close()
	w.latencies = append(w.latencies, time.Since(t0))
	w.statuses[resp.StatusCode]++
	switch {
	case err != nil:
		w.fail(fmt.Sprintf("read body: %v", err))
	case !l.expect(resp.StatusCode):
		w.fail(fmt.Sprintf("status %d: %.300s", resp.StatusCode, w.buf.Bytes()))
	case l.expectBody != nil && !bytes.Contains(w.buf.Bytes(), l.expectBody):
		w.fail(fmt.Sprintf("body lacks %q: %.300s", l.expectBody, w.buf.Bytes()))
	case l.saveIDs:
		w.saveID()
	}
}

func (w *worker) saveID() {
	var doc struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(w.buf.Bytes(), &doc); err != nil || doc.ID == "" {
		w.fail(fmt.Sprintf("no id in response: %.300s", w.buf.Bytes()))
		return
	}
	w.ids = append(w.ids, doc.ID)
}

func (w *worker) fail(msg string) {
	if w.errors == 0 {
		w.firstErr = msg
	}
	w.errors++
}

// merge combines the workers' records into one result.
func merge(workers []*worker, elapsed time.Duration) result {
	r := result{Elapsed: elapsed, Statuses: map[int]int64{}}
	var lat []time.Duration
	for _, w := range workers {
		lat = append(lat, w.latencies...)
		for code, n := range w.statuses {
			r.Statuses[code] += n
			r.Requests += n
		}
		r.Requests += w.noResponse
		r.Errors += w.errors
		if r.FirstError == "" {
			r.FirstError = w.firstErr
		}
		r.ids = append(r.ids, w.ids...)
	}
	slices.Sort(lat)
	r.P50, r.P99 = percentile(lat, 50), percentile(lat, 99)
	if len(lat) > 0 {
		r.Max = lat[len(lat)-1]
	}
	if elapsed > 0 {
		r.RPS = float64(r.Requests-r.Errors) / elapsed.Seconds()
	}
	return r
}

// percentile returns the p-th percentile (nearest rank) of sorted.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
