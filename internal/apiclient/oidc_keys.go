package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// OIDCKeys lists the OpenID provider's signing keys, retired ones too.
func (c *Client) OIDCKeys(ctx context.Context) (apitypes.OIDCKeys, error) {
	var out apitypes.OIDCKeys
	return out, c.call(ctx, "GET", "/api/v1/oidc/keys", nil, nil, &out)
}

// RotateOIDCKeys makes a new signing key and retires the keys whose
// tokens have all expired.
func (c *Client) RotateOIDCKeys(ctx context.Context) (apitypes.RotatedOIDCKeys, error) {
	var out apitypes.RotatedOIDCKeys
	return out, c.call(ctx, "POST", "/api/v1/oidc/keys/rotate", nil, nil, &out)
}
