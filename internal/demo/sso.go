package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/provisio-dev/provisio/internal/portal"
	"github.com/provisio-dev/provisio/internal/svcerr"
	"github.com/provisio-dev/provisio/internal/tenant"
)

// Single sign-on in the demo (issue 13): the demo app has an OIDC client
// at the server's own OpenID provider whose redirect URI is the demo
// tenant's portal callback, the demo tenant signs its portal in through
// that provider (as `provisio tenant sso` would set it), and a few demo
// users have the demo password.
const (
	// SignInUser is the user the guide signs in at the portal: provisioned
	// by the first cycle, through the group Engineering.
	SignInUser = "adele.vance@contoso.com"
	// Password is the demo password of passwordUsers. It is printed in the
	// guide and set only by `serve --demo`.
	Password = "provisio-demo"
)

// AdminUser is the demo's administrator of the web UI (issue 14): the
// CEO, with Password.
var AdminUser = ceo

// passwordUsers get Password: the guide's sign-in user, a user assigned
// directly, and TryUser (who can sign in once the guide assigns it).
var passwordUsers = []string{SignInUser, ceo, TryUser}

// ssoState says what ensureSSO found or did.
type ssoState int

const (
	ssoOff     ssoState = iota // not possible at this base URL
	ssoKept                    // set up earlier for this issuer
	ssoCreated                 // set up now
	ssoMoved                   // set up earlier for another base URL: new client
)

// ensureSSO sets up single sign-on for the demo tenant's portal, or
// points it at the server's current issuer and portal callback when an
// earlier start set it up at another base URL (a new client and secret:
// the redirect URI changed). Passwords are set when the demo had no
// single sign-on yet. It does nothing when the base URL cannot carry
// sign-in (plain http on a host other than loopback): the provider and
// the portal need https there.
func ensureSSO(ctx context.Context, s Services, appID, tenantID string) (ssoState, error) {
	if err := tenant.CheckIssuer(s.Issuer); err != nil {
		s.Logger.Warn("demo: single sign-on not set up: the server's public URL needs https (or a loopback host)", "issuer", s.Issuer)
		return ssoOff, nil
	}
	state := ssoCreated
	cur, err := s.Tenants.SSO(ctx, tenantID)
	switch {
	case err == nil && cur.Issuer == s.Issuer:
		return ssoKept, nil
	case err == nil:
		state = ssoMoved
	case !errors.Is(err, tenant.ErrNotFound):
		return ssoOff, fmt.Errorf("sso of the demo tenant: %w", err)
	}
	c, secret, err := s.Directory.SetSSOClient(ctx, appID, []string{portal.CallbackURL(s.BaseURL, tenantID)}, false)
	if err != nil {
		return ssoOff, fmt.Errorf("oidc client of the demo app: %w", err)
	}
	if err := s.Tenants.SetSSO(ctx, tenantID, s.Issuer, c.ClientID, secret); err != nil {
		return ssoOff, fmt.Errorf("sso of the demo tenant: %w", err)
	}
	if state == ssoCreated {
		for _, upn := range passwordUsers {
			err := s.Directory.SetPassword(ctx, upn, Password)
			if svcerr.KindOf(err) == svcerr.NotFound {
				continue // purged by an earlier run of the guide
			}
			if err != nil {
				return ssoOff, fmt.Errorf("demo password: %w", err)
			}
		}
		if _, err := s.Directory.SetAdmin(ctx, AdminUser, true); err != nil && svcerr.KindOf(err) != svcerr.NotFound {
			return ssoOff, fmt.Errorf("demo administrator: %w", err)
		}
	}
	return state, nil
}
