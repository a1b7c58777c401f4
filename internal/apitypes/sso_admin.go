package apitypes

import "time"

// SSOClientInfo is an application's OIDC client as GET
// /api/v1/apps/{app}/sso shows it: never the secret, only whether one is
// set (issue 13).
type SSOClientInfo struct {
	ClientID               string   `json:"client_id"`
	Issuer                 string   `json:"issuer"`
	Public                 bool     `json:"public"`
	HasSecret              bool     `json:"has_secret"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	// AssignmentRequired: only users assigned to the application, directly
	// or through a group, sign in; false: any enabled directory user.
	AssignmentRequired bool      `json:"assignment_required"`
	Updated            time.Time `json:"updated"`
}

// UpdateSSOClient is the body of PATCH /api/v1/apps/{app}/sso: it changes
// the client's settings, keeping its client id and secret.
type UpdateSSOClient struct {
	AssignmentRequired *bool `json:"assignment_required"`
}

// SetAdmin is the body of PUT /api/v1/users/{user}/admin: grant (true) or
// revoke (false) the administrator role.
type SetAdmin struct {
	Admin *bool `json:"admin"`
}
