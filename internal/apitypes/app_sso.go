package apitypes

// SetSSOClient is the body of POST /api/v1/apps/{app}/sso: it creates
// the application's OIDC client or rotates it (issue 13).
type SetSSOClient struct {
	RedirectURIs []string `json:"redirect_uris"`
	Public       bool     `json:"public,omitempty"`
	// PostLogoutRedirectURIs are where the provider's end-session endpoint
	// may send the user back (RP-Initiated Logout 1.0 §3; exact match).
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	// AssignmentRequired sets "assignment required" (issue 13); absent: a
	// new client has it on, a rotation keeps the client's setting.
	AssignmentRequired *bool `json:"assignment_required,omitempty"`
}

// SSOClient is an application's OIDC client as created; the secret is
// shown this once ("" for a public client).
type SSOClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Issuer       string `json:"issuer"`
}
