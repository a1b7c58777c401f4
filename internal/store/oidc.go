package store

import (
	"context"
	"time"
)

// OIDCKey is one signing key of the OpenID provider (issue 13). Private
// is the PKCS#8 key sealed with internal/secretbox; the store never sees
// it in the clear. A key is published until Retired.
type OIDCKey struct {
	ID      string
	Private []byte
	Created time.Time
	Retired *time.Time
}

// OIDCClient is a directory application's OIDC client; at most one per
// application, going with it.
type OIDCClient struct {
	AppID        string
	ClientID     string
	SecretHash   string // "" for a public client
	RedirectURIs []string
	Public       bool
	Updated      time.Time
	// PostLogoutRedirectURIs are matched exactly at the end-session
	// endpoint (OpenID Connect RP-Initiated Logout 1.0 §3).
	PostLogoutRedirectURIs []string
	// AssignmentOptional turns "assignment required" off (issue 13): any
	// enabled, non-deleted directory user may sign in to the application.
	// The zero value keeps it on, the default.
	AssignmentOptional bool
}

// OIDCStore keeps the OpenID provider's signing keys and clients.
type OIDCStore interface {
	// OIDCKeys returns the keys not retired, oldest first.
	OIDCKeys(ctx context.Context) ([]OIDCKey, error)
	AddOIDCKey(ctx context.Context, k OIDCKey) error
	// RetireOIDCKey marks a key retired; ErrNotFound for an unknown one.
	RetireOIDCKey(ctx context.Context, id string, at time.Time) error

	// PutOIDCClient creates or replaces the client of c.AppID;
	// ErrNotFound for an unknown application.
	PutOIDCClient(ctx context.Context, c OIDCClient) error
	// OIDCClient returns the client with clientID, or ErrNotFound.
	OIDCClient(ctx context.Context, clientID string) (OIDCClient, error)
}
