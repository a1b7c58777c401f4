package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/provisio-dev/provisio/internal/dirsvc"
)

// ErrNotFound is returned by [Clients] and [Directory] for an unknown
// client or user.
var ErrNotFound = errors.New("not found")

// ErrBadCredentials is returned by an [Authenticator] for a wrong user
// name or password.
var ErrBadCredentials = errors.New("bad credentials")

// Client is one directory application's OIDC client.
type Client struct {
	ID           string   // client_id
	AppID        string   // directory application object id
	SecretHash   string   // dirsvc.HashClientSecret of the secret; "" for a public client
	RedirectURIs []string // matched exactly (RFC 9700 §4.1.3)
	Public       bool     // no secret; PKCE required
	// PostLogoutRedirectURIs are matched exactly at the end-session
	// endpoint (OpenID Connect RP-Initiated Logout 1.0 §3).
	PostLogoutRedirectURIs []string
	// AssignmentOptional turns the application's "assignment required"
	// off (issue 13): any enabled directory user may sign in, not only
	// those assigned to it. The zero value keeps it on, the default.
	AssignmentOptional bool
}

// User holds the claims of a directory user (OpenID Connect Core 1.0 §5.1).
type User struct {
	ID                string // object id: the sub claim
	UserPrincipalName string // preferred_username
	Email             string
	DisplayName       string // name
	GivenName         string
	Surname           string // family_name
	Enabled           bool
}

// Clients looks up OIDC clients by client_id.
type Clients interface {
	Client(ctx context.Context, clientID string) (Client, error)
}

// Directory reads users and their application assignments.
type Directory interface {
	User(ctx context.Context, id string) (User, error)
	// Assigned reports whether the user is assigned to the application,
	// directly or through a group.
	Assigned(ctx context.Context, appID, userID string) (bool, error)
	// AppRoles returns the user's app role assignments for the
	// application (its own, then its groups'): the roles claim.
	AppRoles(ctx context.Context, appID, userID string) ([]string, error)
}

// Authenticator checks a user's password and returns the user's object id,
// or an error wrapping [ErrBadCredentials].
type Authenticator interface {
	Authenticate(ctx context.Context, upn, password string) (userID string, err error)
}

// secretMatches compares in constant time (crypto/subtle).
func secretMatches(hash, secret string) bool {
	return hash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(dirsvc.HashClientSecret(secret))) == 1
}

// Config configures [New].
type Config struct {
	Issuer    string // <public-url>/oidc, no trailing slash
	Clients   Clients
	Directory Directory
	Auth      Authenticator
	Keys      *KeySet
	// Grants keeps auth requests, codes and tokens (shared by all nodes).
	Grants Grants
	// CryptoKey encrypts codes and opaque access tokens (AES-256-GCM);
	// every node behind one issuer needs the same.
	CryptoKey [32]byte
	Logger    *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SignIn configures throttling, sessions and invite links (signin.go).
	SignIn SignIn
}

// New returns the provider's handler, serving paths relative to the
// issuer (mount it with http.StripPrefix("/oidc", …)).
func New(cfg Config) (http.Handler, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Grants == nil || cfg.Keys == nil {
		return nil, errors.New("oidc provider: Grants and Keys are required")
	}
	st := newStorage(cfg)
	opts := []op.Option{}
	if strings.HasPrefix(cfg.Issuer, "http://") {
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(&op.Config{
		CryptoKey:             cfg.CryptoKey,
		CodeMethodS256:        true,
		AuthMethodPost:        true,
		GrantTypeRefreshToken: true,

		DefaultLogoutRedirectURI: cfg.Issuer + loggedOutPath,
	}, st, op.StaticIssuer(cfg.Issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidc provider: %w", err)
	}
	mux := http.NewServeMux()
	mountSignIn(mux, p, st, cfg)
	return mux, nil
}

// Prune deletes the authorization requests and tokens that expired more
// than an hour ago (kept that long so that a late reuse still revokes
// its family).
func Prune(ctx context.Context, g Grants, now time.Time) (int64, error) {
	return g.Prune(ctx, now.Add(-pruneGrace))
}
