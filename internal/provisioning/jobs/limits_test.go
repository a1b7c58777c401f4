package jobs_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

func ptr[T any](v T) *T { return &v }

func TestConfigureLimits(t *testing.T) {
	e := sqliteEnv(t)
	ctx := context.Background()
	j := e.configure(jobs.Config{})
	if j.RateLimit != 0 || j.MaxConcurrency != 0 {
		t.Errorf("new job: rate %v, concurrency %d; want 0 (unlimited) and 0 (default)", j.RateLimit, j.MaxConcurrency)
	}
	j = e.configure(jobs.Config{RateLimit: ptr(25.0), MaxConcurrency: ptr(4)})
	if j.RateLimit != 25 || j.MaxConcurrency != 4 {
		t.Errorf("Configure(rate 25, concurrency 4) = rate %v, concurrency %d", j.RateLimit, j.MaxConcurrency)
	}
	if j, _ = e.svc.Get(ctx, appID); j.RateLimit != 25 || j.MaxConcurrency != 4 {
		t.Errorf("Get after Configure = rate %v, concurrency %d; want 25, 4", j.RateLimit, j.MaxConcurrency)
	}
	j = e.configure(jobs.Config{Scope: "all"})
	if j.RateLimit != 25 || j.MaxConcurrency != 4 {
		t.Errorf("Configure(scope only) = rate %v, concurrency %d; want them kept", j.RateLimit, j.MaxConcurrency)
	}
	tests := []struct {
		name string
		c    jobs.Config
		want []string
	}{
		{"negative rate", jobs.Config{RateLimit: ptr(-1.0)}, []string{"rate limit -1"}},
		{"NaN rate", jobs.Config{RateLimit: ptr(math.NaN())}, []string{"rate limit NaN"}},
		{"huge rate", jobs.Config{RateLimit: ptr(1e6)}, []string{"rate limit 1e+06"}},
		{"both wrong", jobs.Config{RateLimit: ptr(-2.0), MaxConcurrency: ptr(2000)}, []string{"rate limit -2", "concurrency 2000"}},
		{"negative concurrency", jobs.Config{MaxConcurrency: ptr(-1)}, []string{"concurrency -1"}},
	}
	for _, tc := range tests {
		_, err := e.svc.Configure(ctx, appID, tc.c)
		if !errors.Is(err, jobs.ErrInvalid) {
			t.Errorf("%s: Configure = %v, want ErrInvalid", tc.name, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: Configure = %q, want it to mention %q", tc.name, err, w)
			}
		}
	}
	if j = e.configure(jobs.Config{RateLimit: ptr(0.0), MaxConcurrency: ptr(0)}); j.RateLimit != 0 || j.MaxConcurrency != 0 {
		t.Errorf("Configure(0, 0) = rate %v, concurrency %d; want both reset", j.RateLimit, j.MaxConcurrency)
	}
}

// TestStatusThrottle: a job's throttle appears in its status after its
// first cycle, with the configured limits, is kept between cycles and
// follows a change of the limits.
func TestStatusThrottle(t *testing.T) {
	e := sqliteEnv(t)
	e.configure(jobs.Config{RateLimit: ptr(500.0), MaxConcurrency: ptr(3)})
	e.addUsers(1, 3)
	if st := e.status(); st.Throttle != nil {
		t.Errorf("Status before any cycle: throttle %+v, want nil", st.Throttle)
	}
	e.run()
	st := e.status()
	if st.Throttle == nil || st.Throttle.MaxRate != 500 || st.Throttle.Rate != 500 || st.Throttle.MaxConcurrency != 3 {
		t.Fatalf("Status after a cycle: throttle %+v, want rate 500 of 500, concurrency of 3", st.Throttle)
	}
	e.configure(jobs.Config{MaxConcurrency: ptr(0)})
	e.run()
	if st := e.status(); st.Throttle == nil || st.Throttle.MaxConcurrency != 256 || st.Throttle.MaxRate != 500 {
		t.Errorf("Status after concurrency reset: throttle %+v, want max concurrency 256 (the default), rate 500", st.Throttle)
	}
}
