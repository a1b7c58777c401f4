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
// "Assignment required"), [Authenticator] (password check) and [Grants]
// (authorization requests, codes and tokens, persisted so that several
// nodes behind a load balancer share them; codes and tokens only as
// SHA-256 hashes). Codes are single-use (RFC 6749 §4.1.2: a reused code
// revokes its tokens); refresh tokens, issued with the offline_access
// scope (OpenID Connect Core 1.0 §11), rotate on every use and a reused
// one revokes its family (RFC 9700 §4.14.2); every refresh and userinfo
// call re-reads the directory. Tokens are revocable (RFC 7009). The
// id_token and userinfo carry a roles claim: the user's app role
// assignments. Signing keys ([KeySet]) are re-read every [KeyCacheTTL].
package oidc
