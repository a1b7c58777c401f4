package apitypes

import "time"

// PasswordSet is the body of PUT /users/{user}/password: the user's new
// password, write-only (never in any answer).
type PasswordSet struct {
	Password string `json:"password"`
}

// String hides the password from fmt and log output.
func (PasswordSet) String() string { return "PasswordSet{password: [redacted]}" }

// InviteRequest is the optional body of POST /users/{user}/invite: how
// long the link works, a Go duration ("72h"); empty means the default.
type InviteRequest struct {
	Valid string `json:"valid,omitempty"`
}

// Invite is a one-time invite link (<public-url>/oidc/invite/<token>),
// shown once, and when it expires.
type Invite struct {
	URL     string    `json:"url"`
	Expires time.Time `json:"expires"`
}
