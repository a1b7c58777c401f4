package apitypes

import "time"

// OIDCKey is one signing key of the OpenID provider (issue 13): the
// signing one signs new tokens; the others not retired stay in the JWKS
// until the tokens they signed have expired.
type OIDCKey struct {
	ID      string     `json:"kid"`
	Created time.Time  `json:"created"`
	Retired *time.Time `json:"retired,omitempty"`
	Signing bool       `json:"signing"`
}

// OIDCKeys is the answer of GET /api/v1/oidc/keys, oldest first.
type OIDCKeys struct {
	Keys []OIDCKey `json:"keys"`
}

// RotatedOIDCKeys is the answer of POST /api/v1/oidc/keys/rotate: the new
// signing key and the kids retired because their tokens have expired.
type RotatedOIDCKeys struct {
	Signing OIDCKey  `json:"signing"`
	Retired []string `json:"retired"`
}
