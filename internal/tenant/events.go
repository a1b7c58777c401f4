package tenant

import (
	"context"

	"github.com/provisio-dev/provisio/internal/store"
)

// A tenant, a token and a change of a tenant's resources are the store's
// records, named here so that the manager's callers (the admin API) need
// not reach into the store.
type (
	Tenant = store.Tenant
	Token  = store.Token
	Event  = store.Event
	// EventsPrunedError answers a read of the change feed from before
	// what the retention deleted.
	EventsPrunedError = store.EventsPrunedError
)

// Paging limits of Events.
const (
	DefaultEventLimit = store.DefaultEventLimit
	MaxEventLimit     = store.MaxEventLimit
)

// Events returns up to limit changes of the tenant's SCIM resources after
// sequence number after (its change feed): an error wrapping ErrNotFound
// for an unknown tenant, an *EventsPrunedError when the retention deleted
// changes after after.
func (m *Manager) Events(ctx context.Context, tenantID string, after int64, limit int) ([]Event, error) {
	evs, err := m.store.Events(ctx, tenantID, after, limit)
	if err != nil {
		return nil, own(err, "events of tenant %q", tenantID)
	}
	return evs, nil
}
