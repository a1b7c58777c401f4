package jobs

import (
	"context"
	"fmt"
	"time"
)

// PruneLogs deletes the log entries of every job older than retention
// (measured on the service's clock) and returns how many it deleted.
// Entra keeps provisioning logs for 30 days ([DefaultLogRetention]).
func (s *Service) PruneLogs(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, fmt.Errorf("prune provisioning logs: retention %v is not positive", retention)
	}
	n, err := s.st.PruneLogsBefore(ctx, s.now().Add(-retention))
	if err != nil {
		return 0, fmt.Errorf("prune provisioning logs older than %v: %w", retention, err)
	}
	return n, nil
}

// RunLogRetention prunes the log entries older than retention now and
// then every interval until ctx ends, when it returns nil. Failures are
// logged and retried at the next tick.
func (s *Service) RunLogRetention(ctx context.Context, retention, interval time.Duration) error {
	tick, stop := s.newTicker(interval)
	defer stop()
	for {
		n, err := s.PruneLogs(ctx, retention)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Warn("retention: prune provisioning logs", "err", err)
		case n > 0:
			s.log.Info("pruned provisioning log entries past retention", "count", n, "retention", retention)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		}
	}
}
