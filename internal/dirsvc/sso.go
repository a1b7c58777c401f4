package dirsvc

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// ClientSecretPrefix starts every OIDC client secret (see tenant.NewToken).
const ClientSecretPrefix = "pvc_"

// SSOClient is an application's OpenID Connect client (issue 13).
type SSOClient struct {
	AppID        string
	ClientID     string
	RedirectURIs []string
	Public       bool
	// PostLogoutRedirectURIs are where the end-session endpoint may send
	// the user back (OpenID Connect RP-Initiated Logout 1.0 §3).
	PostLogoutRedirectURIs []string
	// AssignmentRequired: only users assigned to the application, directly
	// or through a group, sign in to it (issue 13; on by default). When
	// off, any enabled, non-deleted directory user may.
	AssignmentRequired bool
	HasSecret          bool      // read back only: a secret is stored
	Updated            time.Time // read back only
}

// HashClientSecret is the stored form of a client secret: hex SHA-256
// (tenant.HashToken; the secret has 256 random bits, so a fast hash is right).
func HashClientSecret(secret string) string {
	h := tenant.HashToken(secret)
	return hex.EncodeToString(h[:])
}

// SetSSOClient creates the application's OIDC client, or replaces it with
// a new client_id and secret (rotation). The secret is returned once
// ("" for a public client) and stored hashed. Redirect URIs are matched
// exactly; each must be an absolute https URL, or http on a loopback host
// (RFC 8252 §7.3), without a fragment (RFC 6749 §3.1.2); so must the
// optional post-logout redirect URIs. A rotation keeps the client's
// "assignment required" setting; a new client has it on.
func (s *Service) SetSSOClient(ctx context.Context, appRef string, redirectURIs []string, public bool, postLogoutRedirectURIs ...string) (SSOClient, string, error) {
	if s.sso == nil {
		return SSOClient{}, "", svcerr.Errorf(svcerr.Invalid, "single sign-on is not configured")
	}
	if len(redirectURIs) == 0 {
		return SSOClient{}, "", svcerr.Errorf(svcerr.Invalid, "at least one redirect URI is required")
	}
	for _, u := range append(slices.Clone(redirectURIs), postLogoutRedirectURIs...) {
		if err := checkRedirectURI(u); err != nil {
			return SSOClient{}, "", err
		}
	}
	a, err := s.app(ctx, appRef)
	if err != nil {
		return SSOClient{}, "", fmt.Errorf("app %q: %w", appRef, err)
	}
	c := SSOClient{AppID: a.ID, ClientID: uuid.NewString(), RedirectURIs: slices.Compact(slices.Clone(redirectURIs)), Public: public,
		PostLogoutRedirectURIs: slices.Compact(slices.Clone(postLogoutRedirectURIs)), AssignmentRequired: true}
	if ca, ok := s.sso.(store.OIDCClientAdmin); ok {
		old, err := ca.OIDCClientOfApp(ctx, a.ID)
		switch {
		case err == nil:
			c.AssignmentRequired = !old.AssignmentOptional
		case !errors.Is(err, store.ErrNotFound):
			return SSOClient{}, "", fmt.Errorf("set sso client of app %q: %w", appRef, own(err))
		}
	}
	var secret, hash string
	if !public {
		if secret, err = tenant.NewToken(ClientSecretPrefix); err != nil {
			return SSOClient{}, "", fmt.Errorf("client secret: %w", err)
		}
		hash = HashClientSecret(secret)
	}
	err = s.sso.PutOIDCClient(ctx, store.OIDCClient{AppID: c.AppID, ClientID: c.ClientID, SecretHash: hash,
		RedirectURIs: c.RedirectURIs, Public: public, Updated: s.now(), PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		AssignmentOptional: !c.AssignmentRequired})
	if err != nil {
		return SSOClient{}, "", fmt.Errorf("set sso client of app %q: %w", appRef, own(err))
	}
	return c, secret, nil
}

func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	bad := err != nil || !u.IsAbs() || u.Host == "" || u.Fragment != ""
	if !bad && u.Scheme != "https" {
		h := u.Hostname()
		bad = u.Scheme != "http" || (h != "localhost" && h != "127.0.0.1" && h != "::1")
	}
	if bad {
		return svcerr.Errorf(svcerr.Invalid, "redirect URI %q: want an absolute https URL (http only on localhost) without a fragment", raw)
	}
	return nil
}
