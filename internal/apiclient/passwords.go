package apiclient

import (
	"context"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

// SetPassword sets a user's password (write-only; the API never returns
// it).
func (c *Client) SetPassword(ctx context.Context, ref, password string) error {
	return c.call(ctx, "PUT", userPath(ref)+"/password", nil, apitypes.PasswordSet{Password: password}, nil)
}

// Invite creates a one-time invite link of a user, valid for valid (a Go
// duration; "" is the server's default, 72h).
func (c *Client) Invite(ctx context.Context, ref, valid string) (apitypes.Invite, error) {
	var inv apitypes.Invite
	return inv, c.call(ctx, "POST", userPath(ref)+"/invite", nil, apitypes.InviteRequest{Valid: valid}, &inv)
}
