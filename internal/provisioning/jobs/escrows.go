package jobs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/record"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// Escrow is one object whose action failed and is retried by a later
// cycle (Entra's escrow): what failed, how often, why, and when it is
// tried again.
type Escrow struct {
	Type       provisioning.ObjectType
	SourceID   string
	SourceName string // userPrincipalName or displayName when it failed
	TargetID   string // empty when a create failed
	Action     provisioning.ActionKind
	Attempts   int // consecutive failures
	LastError  string
	NextRetry  time.Time
	Updated    time.Time
}

// Escrows lists the application's job's objects in escrow, the next due
// first.
func (s *Service) Escrows(ctx context.Context, appID string) ([]Escrow, error) {
	j, err := s.job(ctx, appID)
	if err != nil {
		return nil, err
	}
	ls, err := s.st.Escrows(ctx, j.ID)
	if err != nil {
		return nil, own(err, "read escrows of app %q", appID)
	}
	out := make([]Escrow, len(ls))
	for i, l := range ls {
		out[i] = escrowOf(l)
	}
	return out, nil
}

func escrowOf(l record.Link) Escrow {
	return Escrow{Type: l.Type, SourceID: l.SourceID, SourceName: l.SourceName, TargetID: l.TargetID,
		Action: l.FailedAction, Attempts: l.Attempts, LastError: l.LastError, NextRetry: l.NextRetry, Updated: l.Updated}
}

// EscrowRetry is what [Service.RetryEscrows] did.
type EscrowRetry struct {
	// Due is how many escrows were made due now.
	Due int
	// Started: a cycle was started to retry them, which closes Done when
	// it ends. False when a cycle was running already: the next cycle
	// retries them.
	Started bool
	Done    <-chan struct{}
}

// RetryEscrows makes the job's escrows due now, all of them or, with
// object, the one whose source id, name (case-insensitively) or target
// id it is, and starts a cycle that retries them; with a cycle running
// already, the next cycle does. Escrows are otherwise retried by the
// first cycle after their next retry (1 min after a failure, doubling
// to 1 h): back-to-back `job run`s do not retry them sooner.
func (s *Service) RetryEscrows(ctx context.Context, appID, object string) (EscrowRetry, error) {
	var out EscrowRetry
	j, err := s.job(ctx, appID)
	if err != nil {
		return out, err
	}
	var keys []record.Key
	if object != "" {
		ls, err := s.st.Escrows(ctx, j.ID)
		if err != nil {
			return out, own(err, "read escrows of app %q", appID)
		}
		for _, l := range ls {
			if l.SourceID == object || l.TargetID == object || strings.EqualFold(l.SourceName, object) {
				keys = append(keys, l.Key())
			}
		}
		if len(keys) == 0 {
			return out, svcerr.Errorf(svcerr.NotFound, "no object in escrow is named %q", object)
		}
	}
	if out.Due, err = s.st.RetryEscrows(ctx, j.ID, keys, s.now()); err != nil {
		return out, own(err, "retry escrows of app %q", appID)
	}
	// The links in memory hold the old next retries, on this server and
	// on any other: the next cycle reads them again (see freshLinks).
	if _, err := s.st.BumpLinkGeneration(ctx, j.ID); err != nil {
		s.memory(j.ID).links.Invalidate() // this server's, at least
		return out, own(err, "retry escrows of app %q", appID)
	}
	s.mu.Lock()
	running := s.runs[j.ID] != nil
	s.mu.Unlock()
	if out.Due == 0 || running {
		return out, nil
	}
	r, err := s.start(ctx, j, false)
	if err != nil {
		return out, fmt.Errorf("retry escrows of app %q: %w", appID, err)
	}
	out.Started, out.Done = true, r.done
	return out, nil
}
