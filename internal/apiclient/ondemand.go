package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// ProvisionUser provisions one user (userPrincipalName or object id) of
// the application's job now, step by step (provision on demand); an
// *Error with code job_busy while a cycle of the job runs.
func (c *Client) ProvisionUser(ctx context.Context, app, user string) (apitypes.OnDemandResult, error) {
	return c.provision(ctx, app, apitypes.ProvisionOnDemand{User: user})
}

// ProvisionGroup is ProvisionUser for a group (displayName or object id),
// provisioned after up to 5 of its user members.
func (c *Client) ProvisionGroup(ctx context.Context, app, group string) (apitypes.OnDemandResult, error) {
	return c.provision(ctx, app, apitypes.ProvisionOnDemand{Group: group})
}

func (c *Client) provision(ctx context.Context, app string, req apitypes.ProvisionOnDemand) (apitypes.OnDemandResult, error) {
	var v apitypes.OnDemandResult
	return v, c.call(ctx, "POST", jobPath(app)+"/provision", nil, req, &v)
}
