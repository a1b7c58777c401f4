package client

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/patch"
)

// patchViaPut emulates PATCH on a target without it (Quirks.PatchNotSupported):
// GET the resource, apply ops with [patch.Apply] against the resource type
// the client's registry serves at endpoint, and PUT the result.
//
// What the registry does not define (the target's custom schemas and
// attributes) is kept verbatim ([scim.NormalizeOptions].KeepUnknown), so the
// PUT does not wipe it at the target; an operation naming such an attribute
// fails before anything is sent, since it could not be applied (register
// the schema with [WithRegistry]). Value paths that match nothing create
// the element (Entra's `emails[type eq "work"].value` on a user without
// one). It is not atomic: a concurrent change between GET and PUT is
// overwritten.
func (c *Client) patchViaPut(ctx context.Context, endpoint, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	rt, ok := c.registry.ResourceTypeByEndpoint(endpoint)
	if !ok {
		return nil, fmt.Errorf("patch via put: no resource type at endpoint %q in the client's registry", endpoint)
	}
	cur, err := c.Get(ctx, endpoint, id)
	if err != nil {
		return nil, fmt.Errorf("patch via put: %w", err)
	}
	next, err := patch.Apply(cur, rt, ops, patch.Options{
		ValuePathUpsert: true,
		Normalize:       scim.NormalizeOptions{KeepUnknown: true},
	})
	if err != nil {
		return nil, fmt.Errorf("patch via put: apply locally: %w", err)
	}
	return c.Replace(ctx, endpoint, id, next)
}
