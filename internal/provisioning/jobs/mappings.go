package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/provisio-dev/provisio/internal/expr/scoping"
	"github.com/provisio-dev/provisio/internal/provisioning"
	"github.com/provisio-dev/provisio/internal/provisioning/mapping"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// Editing a job's mappings and scoping filters one at a time (Entra's
// "Edit attribute mapping" and "Source object scope"). Every change is
// checked when it is saved, all problems at once (mapping.Mappings.Check:
// the engine's checks, source attributes against the directory's catalog,
// expressions, targets against the application's discovered schema), and a
// saved change restarts the job, as Entra does: the next cycle
// re-evaluates every object in scope, and Plan shows what it will do.

// AttributeMapping is one target attribute's mapping (package mapping).
type AttributeMapping = mapping.AttributeMapping

// ErrNoMapping: the job has no mapping of that target, or no scoping
// filter of that number.
var ErrNoMapping = svcerr.New(svcerr.NotFound, "mapping_not_found", "no such mapping or scoping filter")

// SetMapping adds the mapping of a.Target to the type's mappings, or
// replaces the one of that target (matched case-insensitively).
func (s *Service) SetMapping(ctx context.Context, appID string, typ provisioning.ObjectType, a AttributeMapping) (Job, error) {
	return s.edit(ctx, appID, "set mapping", typ, func(t *mapping.TypeMapping) error {
		t.Set(a)
		return nil
	})
}

// RemoveMapping removes the type's mapping of target (case-insensitive);
// ErrNoMapping if there is none.
func (s *Service) RemoveMapping(ctx context.Context, appID string, typ provisioning.ObjectType, target string) (Job, error) {
	return s.edit(ctx, appID, "remove mapping", typ, func(t *mapping.TypeMapping) error {
		if !t.Remove(target) {
			return fmt.Errorf("%s mapping %q: %w", typ, target, ErrNoMapping)
		}
		return nil
	})
}

// AddScopingFilter adds one scoping filter (its clauses ANDed) to the
// type's filters (ORed).
func (s *Service) AddScopingFilter(ctx context.Context, appID string, typ provisioning.ObjectType, f scoping.Filter) (Job, error) {
	return s.edit(ctx, appID, "add scoping filter", typ, func(t *mapping.TypeMapping) error {
		if len(f.Clauses) == 0 {
			return fmt.Errorf("%w: a scoping filter needs at least one clause", ErrInvalid)
		}
		t.Scoping = append(t.Scoping, f)
		return nil
	})
}

// RemoveScopingFilter removes the type's scoping filter n (1-based, as
// listed); ErrNoMapping if there is none.
func (s *Service) RemoveScopingFilter(ctx context.Context, appID string, typ provisioning.ObjectType, n int) (Job, error) {
	return s.edit(ctx, appID, "remove scoping filter", typ, func(t *mapping.TypeMapping) error {
		if n < 1 || n > len(t.Scoping) {
			return fmt.Errorf("%s scoping filter %d (of %d): %w", typ, n, len(t.Scoping), ErrNoMapping)
		}
		t.Scoping = append(t.Scoping[:n-1:n-1], t.Scoping[n:]...)
		if len(t.Scoping) == 0 {
			t.Scoping = nil
		}
		return nil
	})
}

// ClearScoping removes every scoping filter of the type: every object of
// the job's scope is provisioned.
func (s *Service) ClearScoping(ctx context.Context, appID string, typ provisioning.ObjectType) (Job, error) {
	return s.edit(ctx, appID, "clear scoping filters", typ, func(t *mapping.TypeMapping) error {
		t.Scoping = nil
		return nil
	})
}

// ResetMappings restores Entra's default mappings and drops every scoping
// filter ("Restore default mappings"), the defaults fitted to the
// application's discovered schema.
func (s *Service) ResetMappings(ctx context.Context, appID string) (Job, error) {
	return s.editAll(ctx, appID, "reset mappings", func(m *Mappings, ts *TargetSchema) error {
		*m = DefaultMappings().Fit(ts)
		return nil
	})
}

// edit changes the type's mapping with change.
func (s *Service) edit(ctx context.Context, appID, what string, typ provisioning.ObjectType, change func(*mapping.TypeMapping) error) (Job, error) {
	return s.editAll(ctx, appID, what, func(m *Mappings, _ *TargetSchema) error {
		t, err := m.Of(typ)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		return change(t)
	})
}

// editAll reads the job's mappings, changes them, checks the result and
// saves it; a saved change restarts the job.
func (s *Service) editAll(ctx context.Context, appID, what string, change func(*Mappings, *TargetSchema) error) (Job, error) {
	defer s.editLock(appID)()
	j, err := s.job(ctx, appID)
	if err != nil {
		return Job{}, err
	}
	var m Mappings
	if err := json.Unmarshal(j.Mappings, &m); err != nil {
		return Job{}, fmt.Errorf("%s of app %q: read mappings: %w", what, appID, err)
	}
	ts, err := targetSchema(j)
	if err != nil {
		return Job{}, err
	}
	if err := change(&m, ts); err != nil {
		return Job{}, fmt.Errorf("%s of app %q: %w", what, appID, err)
	}
	if err := m.Check(ts); err != nil {
		return Job{}, fmt.Errorf("%s of app %q: %w: %w", what, appID, ErrInvalid, err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return Job{}, fmt.Errorf("%s of app %q: %w", what, appID, err)
	}
	if bytes.Equal(b, j.Mappings) {
		return s.view(j)
	}
	j.Mappings = b
	if j, err = s.st.UpdateJob(ctx, j); err != nil {
		return Job{}, own(err, "%s of app %q", what, appID)
	}
	if err := s.restart(ctx, j); err != nil {
		return Job{}, err
	}
	return s.view(j)
}
