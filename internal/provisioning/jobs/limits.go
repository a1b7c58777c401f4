package jobs

import (
	"errors"
	"fmt"
	"math"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim/client"
)

// Bounds of a job's rate limit and concurrency.
const (
	MaxRateLimit      = 10_000 // requests per second
	MaxMaxConcurrency = 1024
)

// limits is what a job's settings ask of its application's gate.
type limits struct {
	rate        float64 // 0: unlimited
	concurrency int
}

// limits are j's, defaults applied.
func (s *Service) limits(j store.Job) limits {
	l := limits{rate: j.RateLimit, concurrency: j.MaxConcurrency}
	if l.concurrency <= 0 {
		l.concurrency = s.conc
	}
	if l.concurrency <= 0 {
		l.concurrency = provisioning.DefaultConcurrency
	}
	return l
}

// applyLimits validates c's rate limit and concurrency and sets them on j.
func applyLimits(j *store.Job, c Config) error {
	var errs []error
	if r := c.RateLimit; r != nil {
		if math.IsNaN(*r) || *r < 0 || *r > MaxRateLimit {
			errs = append(errs, fmt.Errorf("rate limit %v: want 0 (unlimited) to %d requests per second", *r, MaxRateLimit))
		} else {
			j.RateLimit = *r
		}
	}
	if n := c.MaxConcurrency; n != nil {
		if *n < 0 || *n > MaxMaxConcurrency {
			errs = append(errs, fmt.Errorf("concurrency %d: want 0 (the default) to %d", *n, MaxMaxConcurrency))
		} else {
			j.MaxConcurrency = *n
		}
	}
	return errors.Join(errs...)
}

// throttle returns the job's gate to its application: one per job, kept
// between its cycles (so what it learnt of the application lasts and
// Status shows it) until the job's limits change.
func (s *Service) throttle(j store.Job) (*client.Throttle, error) {
	l := s.limits(j)
	m := s.memory(j.ID)
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if m.throttle != nil && m.limits == l {
		return m.throttle, nil
	}
	t, err := client.NewThrottle(client.ThrottleConfig{Rate: l.rate, MaxConcurrency: l.concurrency})
	if err != nil {
		return nil, fmt.Errorf("throttle: %w", err)
	}
	m.throttle, m.limits = t, l
	return t, nil
}

// throttleStats is the job's throttle's state; nil before its first
// request since the server started.
func (s *Service) throttleStats(jobID string) *client.ThrottleStats {
	s.cmu.Lock()
	var t *client.Throttle
	if m := s.memories[jobID]; m != nil {
		t = m.throttle
	}
	s.cmu.Unlock()
	if t == nil {
		return nil
	}
	st := t.Stats()
	return &st
}
