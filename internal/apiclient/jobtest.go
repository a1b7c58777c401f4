package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// TestJobWith runs Test Connection with the given Tenant URL and token
// without storing them (Entra's Test Connection before Save).
func (c *Client) TestJobWith(ctx context.Context, app string, creds apitypes.TestCredentials) (apitypes.TestResult, error) {
	var res apitypes.TestResult
	return res, c.call(ctx, "POST", jobPath(app)+"/test", nil, creds, &res)
}
