package storetest

import (
	"context"
	"testing"

	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/backend/memory"
)

// TestMemory runs the SCIM resource part of the suite on the reference
// backend, one memory.Backend per tenant (it holds one tenant's resources).
func TestMemory(t *testing.T) {
	RunBackend(t, func(*testing.T) TenantOpener {
		return func(*testing.T, string) (backend.Backend, context.Context) {
			return memory.New(), context.Background()
		}
	})
}
