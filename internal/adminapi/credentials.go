package adminapi

import (
	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning/credentials"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
)

// authWire is how a job authenticates, on the wire.
func authWire(a jobs.Auth) apitypes.JobAuth {
	v := apitypes.JobAuth{Method: a.Method, TokenExpires: a.TokenExpires}
	if a.OAuth != nil {
		v.OAuth = &apitypes.OAuthSettings{TokenURL: a.OAuth.TokenURL, ClientID: a.OAuth.ClientID, Scopes: a.OAuth.Scopes}
	}
	return v
}

// oauthConfig is a configure request's OAuth client credentials; nil
// when absent.
func oauthConfig(o *apitypes.ConfigureOAuth) *jobs.OAuthConfig {
	if o == nil {
		return nil
	}
	return &jobs.OAuthConfig{OAuth: credentials.OAuth{TokenURL: o.TokenURL, ClientID: o.ClientID, Scopes: o.Scopes}, ClientSecret: o.ClientSecret}
}
