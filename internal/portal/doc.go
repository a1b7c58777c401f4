// Package portal is the application side's sign-in: the page
// /app/{tenant}/ where users of a SCIM tenant sign in with the OpenID
// provider their organisation configured for that tenant (Entra ID, Okta,
// Keycloak, Provisio's own), and see their profile as the application
// holds it after provisioning.
//
// It is an OpenID Connect relying party (OpenID Connect Core 1.0 §3.1,
// authorization code flow) built on github.com/coreos/go-oidc and
// golang.org/x/oauth2, with state, nonce (Core §3.1.2.1) and PKCE S256
// (RFC 7636). Nothing in it is specific to Provisio's provider.
//
// A signed-in user is the SCIM User of the tenant whose userName equals
// the ID token's preferred_username claim, or else its email claim. A user
// never provisioned, or whose active is false, is refused (HTTP 403). The
// session is an encrypted cookie (internal/secretbox) naming the SCIM
// user; every request looks the user up again by id, so deactivating or
// deleting the user through SCIM ends the session at the next request.
//
// The package reaches data only through the Tenants and Users interfaces
// (services implement them); it never imports the store.
package portal
