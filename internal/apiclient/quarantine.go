package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// ClearQuarantine ends a job's quarantine now and answers with its status.
func (c *Client) ClearQuarantine(ctx context.Context, app string) (apitypes.JobStatus, error) {
	var st apitypes.JobStatus
	return st, c.call(ctx, "POST", jobPath(app)+"/quarantine/clear", nil, nil, &st)
}

// Staged lists the disables and deletes the deletion threshold staged.
func (c *Client) Staged(ctx context.Context, app string) (apitypes.StagedList, error) {
	var out apitypes.StagedList
	return out, c.call(ctx, "GET", jobPath(app)+"/staged", nil, nil, &out)
}

// AllowDeletes lets the job's next cycle send the staged disables and
// deletes, once.
func (c *Client) AllowDeletes(ctx context.Context, app string) (apitypes.StagedList, error) {
	var out apitypes.StagedList
	return out, c.call(ctx, "POST", jobPath(app)+"/staged/allow", nil, nil, &out)
}
