package store

import (
	"context"
	"time"
)

// OIDCClientAdmin reads and deletes an application's OIDC client by the
// application (issue 13): an optional capability of an [OIDCStore], by
// type assertion (sqlstore's has it).
type OIDCClientAdmin interface {
	// OIDCClientOfApp returns the client of the application appID, or
	// ErrNotFound when it has none.
	OIDCClientOfApp(ctx context.Context, appID string) (OIDCClient, error)
	// DeleteOIDCClient deletes the client of the application appID;
	// ErrNotFound when it has none.
	DeleteOIDCClient(ctx context.Context, appID string) error
}

// Admins keeps the administrator role of directory users (issue 13: the
// admin web UI signs administrators in through the OpenID provider): an
// optional capability of a [Directory], by type assertion. The role goes
// with the user when it is hard-deleted; changing it appends no directory
// change (it is never provisioned).
type Admins interface {
	// SetAdmin grants (admin true) or revokes the role of a user at now;
	// ErrNotFound for an unknown user. Granting twice, or revoking from a
	// user without the role, is not an error.
	SetAdmin(ctx context.Context, userID string, admin bool, now time.Time) error
	// IsAdmin reports whether the user has the role (false for an unknown
	// user).
	IsAdmin(ctx context.Context, userID string) (bool, error)
}
