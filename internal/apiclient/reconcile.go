package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// Reconcile compares the application's accounts with what its job wrote
// and, with repair, puts drift and memberships back; an *Error with code
// job_busy while a cycle of the job runs.
func (c *Client) Reconcile(ctx context.Context, app string, repair bool) (apitypes.Reconciliation, error) {
	var v apitypes.Reconciliation
	return v, c.call(ctx, "POST", jobPath(app)+"/reconcile", nil, apitypes.ReconcileRequest{Repair: repair}, &v)
}
