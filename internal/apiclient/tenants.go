package apiclient

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func tenantPath(id string) string { return "/api/v1/tenants/" + seg(id) }

// CreateTenant creates a tenant; the answer carries its first secret token.
func (c *Client) CreateTenant(ctx context.Context, req apitypes.CreateTenant) (apitypes.Tenant, error) {
	var t apitypes.Tenant
	return t, c.call(ctx, "POST", "/api/v1/tenants", nil, req, &t)
}

// Tenants lists the tenants.
func (c *Client) Tenants(ctx context.Context) ([]apitypes.Tenant, error) {
	var out apitypes.TenantList
	return out.Tenants, c.call(ctx, "GET", "/api/v1/tenants", nil, nil, &out)
}

// DeleteTenant deletes a tenant with all its tokens, resources and events.
func (c *Client) DeleteTenant(ctx context.Context, id string) error {
	return c.call(ctx, "DELETE", tenantPath(id), nil, nil, nil)
}

// Policy reads a tenant's compatibility policy: the JSON form of the
// SCIM library's scim/server.Policy, which the caller decodes (the
// contract does not depend on the SCIM server).
func (c *Client) Policy(ctx context.Context, tenantID string) (json.RawMessage, error) {
	var p json.RawMessage
	return p, c.call(ctx, "GET", tenantPath(tenantID)+"/policy", nil, nil, &p)
}

// SetPolicy replaces a tenant's policy with p, a JSON policy object
// (a scim/server.Policy, or raw JSON whose omitted fields take the
// default preset's values). It returns the policy now in force.
func (c *Client) SetPolicy(ctx context.Context, tenantID string, p any) (json.RawMessage, error) {
	var out json.RawMessage
	return out, c.call(ctx, "PUT", tenantPath(tenantID)+"/policy", nil, p, &out)
}

// Events reads a page of a tenant's change feed: the events after the
// given seq, at most limit (0: the server's default).
func (c *Client) Events(ctx context.Context, tenantID string, after int64, limit int) (apitypes.EventPage, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var out apitypes.EventPage
	return out, c.call(ctx, "GET", tenantPath(tenantID)+"/events", q, nil, &out)
}

// Tokens are the token operations of one owner: a tenant or the admin API.
type Tokens struct {
	c    *Client
	path string
}

// TenantTokens are a tenant's SCIM secret tokens.
func (c *Client) TenantTokens(tenantID string) Tokens {
	return Tokens{c, tenantPath(tenantID) + "/tokens"}
}

// AdminTokens are the admin API's tokens.
func (c *Client) AdminTokens() Tokens { return Tokens{c, "/api/v1/admin/tokens"} }

// Create issues a token; the answer carries its secret, shown only here.
func (t Tokens) Create(ctx context.Context, name string) (apitypes.Token, error) {
	var tok apitypes.Token
	return tok, t.c.call(ctx, "POST", t.path, nil, apitypes.CreateToken{Name: name}, &tok)
}

// List lists the tokens, revoked ones included, never their secrets.
func (t Tokens) List(ctx context.Context) ([]apitypes.Token, error) {
	var out apitypes.TokenList
	return out.Tokens, t.c.call(ctx, "GET", t.path, nil, nil, &out)
}

// Revoke revokes a token.
func (t Tokens) Revoke(ctx context.Context, id string) error {
	return t.c.call(ctx, "DELETE", t.path+"/"+seg(id), nil, nil, nil)
}

// RotateAdminToken issues a new admin token and revokes the one this
// client presents.
func (c *Client) RotateAdminToken(ctx context.Context, name string) (apitypes.Token, error) {
	var tok apitypes.Token
	return tok, c.call(ctx, "POST", "/api/v1/admin/tokens/current/rotate", nil, apitypes.CreateToken{Name: name}, &tok)
}

// SetTenantSSO sets a tenant's OpenID provider for the app portal; the
// answer never holds the client secret.
func (c *Client) SetTenantSSO(ctx context.Context, tenantID string, req apitypes.SetTenantSSO) (apitypes.TenantSSO, error) {
	var out apitypes.TenantSSO
	return out, c.call(ctx, "PUT", tenantPath(tenantID)+"/sso", nil, req, &out)
}
