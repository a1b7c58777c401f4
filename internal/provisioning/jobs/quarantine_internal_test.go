package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
)

// TestAssess: the quarantine thresholds, scaled for small jobs.
func TestAssess(t *testing.T) {
	tests := []struct {
		name                     string
		actions, failed, refused int64
		staged                   bool
		err                      error
		want                     string
		wantOK                   bool
	}{
		{"healthy", 10, 0, 0, false, nil, "", true},
		{"nothing to do", 0, 0, 0, false, nil, "", true},
		{"one refused", 1, 1, 1, false, nil, ReasonCredentials, true},
		{"most refused", 5, 3, 3, false, nil, ReasonCredentials, true},
		{"half refused", 4, 2, 2, false, nil, "", true},
		{"staged", 0, 0, 0, true, provisioning.ErrStaged, ReasonDeletions, true},
		{"staged and refused", 2, 2, 2, true, provisioning.ErrStaged, ReasonCredentials, true},
		{"one of one failed", 1, 1, 0, false, nil, "", true},
		{"all of three failed", 3, 3, 0, false, nil, ReasonFailures, true},
		{"four of ten failed", 10, 4, 0, false, nil, "", true},
		{"five of ten failed", 10, 5, 0, false, nil, ReasonFailures, true},
		{"cancelled", 2, 0, 0, false, context.Canceled, "", false},
		{"cancelled after failures", 20, 20, 0, false, context.Canceled, ReasonFailures, true},
		{"source failed", 0, 0, 0, false, errors.New("read users"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := assess(tt.actions, tt.failed, tt.refused, tt.staged, tt.err)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("assess(%d, %d, %d, %v, %v) = %q, %v, want %q, %v", tt.actions, tt.failed, tt.refused, tt.staged, tt.err, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestBackoff: 5 minutes doubling to once a day, never sooner than the
// job's interval.
func TestBackoff(t *testing.T) {
	tests := []struct {
		n        int
		interval time.Duration
		want     time.Duration
	}{
		{1, time.Minute, 5 * time.Minute},
		{2, time.Minute, 10 * time.Minute},
		{4, time.Minute, 40 * time.Minute},
		{1, 40 * time.Minute, 40 * time.Minute},
		{10, time.Minute, 24 * time.Hour},
		{1000, time.Minute, 24 * time.Hour},
		{1, 48 * time.Hour, 48 * time.Hour},
	}
	for _, tt := range tests {
		if got := backoff(tt.n, tt.interval); got != tt.want {
			t.Errorf("backoff(%d, %v) = %v, want %v", tt.n, tt.interval, got, tt.want)
		}
	}
}

// TestDeletionThresholdExceeded: more than the count, or more than the
// percentage of the managed objects from DeletionPercentMinimum on.
func TestDeletionThresholdExceeded(t *testing.T) {
	tests := []struct {
		name  string
		d     DeletionThreshold
		n, of int
		want  bool
	}{
		{"at the count", DeletionThreshold{Count: 5}, 5, 1000, false},
		{"over the count", DeletionThreshold{Count: 5}, 6, 1000, true},
		{"count off", DeletionThreshold{}, 10000, 10000, false},
		{"over the percent", DeletionThreshold{Percent: 30}, 31, 100, true},
		{"at the percent", DeletionThreshold{Percent: 30}, 30, 100, false},
		{"under the minimum", DeletionThreshold{Percent: 30}, DeletionPercentMinimum - 1, 4, false},
		{"everything of a new job", DeletionThreshold{Percent: 30}, 5, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.d.exceeded(provisioning.CycleTotals{Deprovisions: tt.n, Managed: tt.of})
			if (got != "") != tt.want {
				t.Errorf("%+v.exceeded(%d of %d) = %q, want exceeded %v", tt.d, tt.n, tt.of, got, tt.want)
			}
		})
	}
}
