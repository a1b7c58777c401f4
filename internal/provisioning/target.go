package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/client"
)

// target is the job's one gate to the SCIM service: every request goes
// through the scim/client (timeouts, retries, Retry-After, rate limit,
// concurrency cap) and is counted here.
type target struct {
	c        *client.Client
	requests atomic.Int64
}

func (t *target) create(ctx context.Context, endpoint string, res scim.Resource) (scim.Resource, error) {
	t.requests.Add(1)
	return t.c.Create(ctx, endpoint, res)
}

func (t *target) patch(ctx context.Context, endpoint, id string, ops []scim.PatchOperation) error {
	t.requests.Add(1)
	_, err := t.c.Patch(ctx, endpoint, id, ops)
	return err
}

func (t *target) delete(ctx context.Context, endpoint, id string) error {
	t.requests.Add(1)
	err := t.c.Delete(ctx, endpoint, id)
	if client.IsNotFound(err) {
		return nil // already gone: the desired state
	}
	return err
}

func (t *target) list(ctx context.Context, endpoint string, q client.Query) (*scim.ListResponse, error) {
	t.requests.Add(1)
	return t.c.List(ctx, endpoint, q)
}

// errorCode classifies a failure for the provisioning log: the HTTP
// status and SCIM scimType ("http-409-uniqueness"), "timeout" or "network".
func errorCode(err error) string {
	var ce *client.Error
	if !errors.As(err, &ce) {
		return "error"
	}
	switch {
	case ce.StatusCode != 0 && ce.SCIM != nil && ce.SCIM.ScimType != "":
		return "http-" + strconv.Itoa(ce.StatusCode) + "-" + ce.SCIM.ScimType
	case ce.StatusCode != 0:
		return fmt.Sprintf("http-%d", ce.StatusCode)
	case ce.Timeout():
		return "timeout"
	}
	return "network"
}
