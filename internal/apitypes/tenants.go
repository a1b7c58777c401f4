package apitypes

import (
	"encoding/json"
	"time"
)

// CreateTenant is the body of POST /tenants. Policy is a preset name
// ("default", "entra", "okta", "rfc") or a whole policy object; absent
// means "default".
type CreateTenant struct {
	Name   string          `json:"name"`
	Policy json.RawMessage `json:"policy,omitempty"`
}

// Tenant is a SCIM tenant. Token is set only in the answer to a create:
// the one time its first secret is shown.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	TenantURL string    `json:"tenant_url"`
	Created   time.Time `json:"created"`
	Token     string    `json:"token,omitempty"`
	// SSO is set when the tenant has single sign-on settings.
	SSO *TenantSSO `json:"sso,omitempty"`
}

// TenantList is the answer of GET /tenants.
type TenantList struct {
	Tenants []Tenant `json:"tenants"`
}

// CreateToken is the body of a token create or rotate; it may be empty.
type CreateToken struct {
	Name string `json:"name,omitempty"`
}

// Token is a tenant's or an admin token's record. Token (the secret) is
// set only in the answer to a create or rotate.
type Token struct {
	ID      string     `json:"id"`
	Name    string     `json:"name"`
	Created time.Time  `json:"created"`
	Revoked *time.Time `json:"revoked,omitempty"`
	Token   string     `json:"token,omitempty"`
}

// TokenList is the answer of a token listing.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}

// Event is one change of a tenant's feed.
type Event struct {
	Seq          int64     `json:"seq"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	Op           string    `json:"op"`
	Time         time.Time `json:"time"`
}

// EventPage is a page of the change feed. NextAfter is the after to send
// for the next page (the last Seq, or the request's after when the page
// is empty).
type EventPage struct {
	Events    []Event `json:"events"`
	NextAfter int64   `json:"next_after"`
}

// SetTenantSSO is the body of PUT /tenants/{id}/sso: the tenant's OpenID
// provider for the app portal's sign-in. ClientSecret is write-only.
type SetTenantSSO struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// TenantSSO is a tenant's single sign-on settings, never the secret.
type TenantSSO struct {
	Issuer   string    `json:"issuer"`
	ClientID string    `json:"client_id"`
	Updated  time.Time `json:"updated"`
}
