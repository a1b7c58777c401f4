package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// summary is the outcome of all repetitions of one measurement: each
// repetition and the medians across them.
type summary struct {
	Name       string        `json:"name"`
	Method     string        `json:"method"`
	URL        string        `json:"url"`
	Clients    int           `json:"clients"`
	Reps       []result      `json:"reps"`
	MedianRPS  float64       `json:"median_rps"`
	MedianP50  time.Duration `json:"median_p50_ns"`
	MedianP99  time.Duration `json:"median_p99_ns"`
	Requests   int64         `json:"requests"`
	Errors     int64         `json:"errors"`
	PeakRSS    int64         `json:"peak_rss_bytes"`
	FirstError string        `json:"first_error,omitempty"`
}

// finish computes the medians and totals from the repetitions.
func (s *summary) finish() {
	var rps []float64
	var p50, p99 []time.Duration
	for _, r := range s.Reps {
		rps = append(rps, r.RPS)
		p50 = append(p50, r.P50)
		p99 = append(p99, r.P99)
		s.Requests += r.Requests
		s.Errors += r.Errors
		if s.FirstError == "" {
			s.FirstError = r.FirstError
		}
	}
	s.MedianRPS = median(rps)
	s.MedianP50 = median(p50)
	s.MedianP99 = median(p99)
}

// median returns the middle value (the mean of the two middle values for
// an even count; zero for none).
func median[T float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

func (r result) String() string {
	s := fmt.Sprintf("%d requests in %.2fs = %.0f req/s, p50 %s, p99 %s, max %s, errors %d, statuses %v",
		r.Requests, r.Elapsed.Seconds(), r.RPS, ms(r.P50), ms(r.P99), ms(r.Max), r.Errors, r.Statuses)
	if r.FirstError != "" {
		s += ", first error: " + r.FirstError
	}
	return s
}

func (s summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s median of %d: %.0f req/s, p50 %s, p99 %s, %d requests, %d errors",
		s.Name, len(s.Reps), s.MedianRPS, ms(s.MedianP50), ms(s.MedianP99), s.Requests, s.Errors)
	if s.PeakRSS > 0 {
		fmt.Fprintf(&b, ", peak RSS %.1f MB", float64(s.PeakRSS)/1e6)
	}
	return b.String()
}

// ms renders a duration in milliseconds with two decimals.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}
