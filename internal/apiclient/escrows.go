package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// Escrows lists a job's objects in escrow, the next due first.
func (c *Client) Escrows(ctx context.Context, app string) ([]apitypes.Escrow, error) {
	var out apitypes.EscrowList
	return out.Escrows, c.call(ctx, "GET", jobPath(app)+"/escrows", nil, nil, &out)
}

// RetryEscrows makes a job's escrows (every one, or object's) due now
// and starts a cycle unless one runs.
func (c *Client) RetryEscrows(ctx context.Context, app, object string) (apitypes.EscrowRetry, error) {
	var out apitypes.EscrowRetry
	return out, c.call(ctx, "POST", jobPath(app)+"/escrows/retry", nil, apitypes.RetryEscrows{Object: object}, &out)
}
