package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// AuthRequestRecord is a stored authorization request: Data is the
// provider's JSON record, CodeHash the hex SHA-256 of its code.
type AuthRequestRecord struct {
	ID        string
	Data      []byte
	CodeHash  string
	Exchanged bool
	Expires   time.Time
}

// TokenRecord is a stored access or refresh token, by the hex SHA-256
// Hash of its value (the token id of an access token, the refresh token
// itself). GrantID is the authorization request it descends from: one
// refresh token family (RFC 9700 §4.14.2).
type TokenRecord struct {
	Hash     string
	Kind     string // KindAccess or KindRefresh
	GrantID  string
	ClientID string
	Subject  string
	Data     []byte
	Created  time.Time
	Expires  time.Time
	Used     *time.Time
	Revoked  *time.Time
}

// Kinds of [TokenRecord].
const (
	KindAccess  = "access"
	KindRefresh = "refresh"
)

// Grants persists the provider's authorization requests, codes and tokens
// so that every node behind a load balancer sees them (no sticky
// sessions). Codes and tokens are stored only as SHA-256 hashes. Lookups
// of unknown records return an error wrapping [ErrNotFound].
type Grants interface {
	PutAuthRequest(ctx context.Context, r AuthRequestRecord) error
	AuthRequest(ctx context.Context, id string) (AuthRequestRecord, error)
	AuthRequestByCode(ctx context.Context, codeHash string) (AuthRequestRecord, error)
	// ExchangeAuthRequest marks the code redeemed; first is false when
	// it already was.
	ExchangeAuthRequest(ctx context.Context, id string) (first bool, err error)
	AddToken(ctx context.Context, t TokenRecord) error
	Token(ctx context.Context, hash string) (TokenRecord, error)
	// UseToken marks a refresh token used, once; first is false when it
	// was already used or revoked.
	UseToken(ctx context.Context, hash string, at time.Time) (first bool, err error)
	RevokeToken(ctx context.Context, hash string, at time.Time) error
	RevokeGrant(ctx context.Context, grantID string, at time.Time) (int64, error)
	RevokeSubject(ctx context.Context, subject, clientID string, at time.Time) error
	Prune(ctx context.Context, before time.Time) (int64, error)
}

// hashValue is the stored form of a code or token: hex SHA-256.
func hashValue(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// randomToken returns 256 random bits, base64url (RFC 6749 §10.10).
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
