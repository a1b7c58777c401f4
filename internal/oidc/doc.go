// Package oidc is Provisio's OpenID provider (identity side, issue 13):
// directory users sign in to applications with the authorization code flow
// (OpenID Connect Core 1.0 §3.1) and PKCE (RFC 7636, S256 only; required
// for public clients). It is built on github.com/zitadel/oidc/v3/pkg/op,
// which serves discovery, JWKS, authorize, token and userinfo under the
// issuer <public-url>/oidc.
//
// The package reaches data only through small interfaces the caller
// supplies: [Clients] (each directory application's OIDC client),
// [Directory] (claims and assignment: only users assigned to the
// application, directly or through a group, get a code — as Entra's
// "Assignment required") and [Authenticator] (password check). Auth
// requests, codes and access tokens live in memory: they are short-lived
// and a restart only makes users sign in again.
package oidc
