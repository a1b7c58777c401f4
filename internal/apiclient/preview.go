package apiclient

import (
	"context"
	"net/url"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// PreviewUser reads the SCIM requests the job's next cycle would send for
// one user (userPrincipalName or object id), writing nothing.
func (c *Client) PreviewUser(ctx context.Context, app, user string) (apitypes.Preview, error) {
	return c.preview(ctx, app, url.Values{"user": {user}})
}

// PreviewGroup is PreviewUser for a group (displayName or object id).
func (c *Client) PreviewGroup(ctx context.Context, app, group string) (apitypes.Preview, error) {
	return c.preview(ctx, app, url.Values{"group": {group}})
}

func (c *Client) preview(ctx context.Context, app string, q url.Values) (apitypes.Preview, error) {
	var p apitypes.Preview
	return p, c.call(ctx, "GET", jobPath(app)+"/preview", q, nil, &p)
}

// EvaluateExpression evaluates an attribute-mapping expression; a syntax
// error is an *Error with its Position.
func (c *Client) EvaluateExpression(ctx context.Context, req apitypes.EvaluateExpression) (apitypes.ExpressionValue, error) {
	var v apitypes.ExpressionValue
	return v, c.call(ctx, "POST", "/api/v1/expressions/evaluate", nil, req, &v)
}
