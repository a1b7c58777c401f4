package apitypes

import "time"

// JobAuth is how a job authenticates to its application (never a
// secret): Method is "secret-token" (a long-lived bearer token) or
// "oauth-client-credentials" (RFC 6749 §4.4, OAuth set).
type JobAuth struct {
	Method string         `json:"method"`
	OAuth  *OAuthSettings `json:"oauth,omitempty"`
	// TokenExpires is the Secret Token's JWT exp claim, if it has one.
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
}

// OAuthSettings are a job's OAuth 2.0 client credentials but the secret.
type OAuthSettings struct {
	TokenURL string   `json:"tokenUrl"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes,omitempty"`
}

// ConfigureOAuth is ConfigureJob's oauth: OAuth 2.0 client credentials
// instead of a Secret Token. ClientSecret is write-only; absent keeps the
// stored one while the token URL and Tenant URL stay on their origins.
type ConfigureOAuth struct {
	TokenURL     string   `json:"tokenUrl"`
	ClientID     string   `json:"clientId"`
	Scopes       []string `json:"scopes,omitempty"`
	ClientSecret string   `json:"clientSecret,omitempty"`
}
