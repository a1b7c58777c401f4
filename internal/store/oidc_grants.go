package store

import (
	"context"
	"time"
)

// OIDCAuthRequest is an authorization request of the OpenID provider
// (issue 13), shared by every node. Data is the provider's own record,
// opaque to the store; CodeHash is the hex SHA-256 of the code issued for
// it ("" before one is). The provider checks Expires; PruneOIDC removes
// expired rows.
type OIDCAuthRequest struct {
	ID        string
	Data      []byte
	CodeHash  string
	Exchanged bool // its code was redeemed (RFC 6749 §4.1.2: once only)
	Expires   time.Time
}

// OIDCToken is an access or refresh token of the OpenID provider, kept
// only as the hex SHA-256 Hash of its value. GrantID is the authorization
// request the token descends from: a refresh token family (RFC 9700
// §4.14.2) and the tokens of one code share it. Data is opaque to the
// store.
type OIDCToken struct {
	Hash     string
	Kind     string // OIDCAccessToken or OIDCRefreshToken
	GrantID  string
	ClientID string
	Subject  string
	Data     []byte
	Created  time.Time
	Expires  time.Time
	Used     *time.Time // a refresh token already exchanged (rotated)
	Revoked  *time.Time
}

// Kinds of [OIDCToken].
const (
	OIDCAccessToken  = "access"
	OIDCRefreshToken = "refresh"
)

// OIDCGrantStore keeps the OpenID provider's authorization requests, codes
// and tokens, so that several nodes behind a load balancer share them.
type OIDCGrantStore interface {
	// PutOIDCAuthRequest creates the request, or replaces its Data,
	// CodeHash and Expires.
	PutOIDCAuthRequest(ctx context.Context, r OIDCAuthRequest) error
	// OIDCAuthRequest returns the request with id, or ErrNotFound.
	OIDCAuthRequest(ctx context.Context, id string) (OIDCAuthRequest, error)
	// OIDCAuthRequestByCode returns the request whose code has codeHash,
	// or ErrNotFound.
	OIDCAuthRequestByCode(ctx context.Context, codeHash string) (OIDCAuthRequest, error)
	// ExchangeOIDCAuthRequest marks the request's code redeemed; first is
	// false when it already was (a concurrent or repeated redemption).
	ExchangeOIDCAuthRequest(ctx context.Context, id string) (first bool, err error)

	// AddOIDCToken stores a token.
	AddOIDCToken(ctx context.Context, t OIDCToken) error
	// OIDCToken returns the token with hash, or ErrNotFound.
	OIDCToken(ctx context.Context, hash string) (OIDCToken, error)
	// UseOIDCToken marks a refresh token used, once: first is false when
	// it was already used or is revoked.
	UseOIDCToken(ctx context.Context, hash string, at time.Time) (first bool, err error)
	// RevokeOIDCToken revokes one token; an unknown one is not an error.
	RevokeOIDCToken(ctx context.Context, hash string, at time.Time) error
	// RevokeOIDCGrant revokes every token of the grant and returns how
	// many it revoked.
	RevokeOIDCGrant(ctx context.Context, grantID string, at time.Time) (int64, error)
	// RevokeOIDCSubject revokes the subject's tokens for the client.
	RevokeOIDCSubject(ctx context.Context, subject, clientID string, at time.Time) error
	// PruneOIDC deletes the requests and tokens that expired before
	// before, and returns how many.
	PruneOIDC(ctx context.Context, before time.Time) (int64, error)

	// AllOIDCKeys returns every signing key, retired ones too, oldest
	// first.
	AllOIDCKeys(ctx context.Context) ([]OIDCKey, error)
}
