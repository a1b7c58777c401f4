package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/provisio-dev/provisio/internal/portal"
	"github.com/provisio-dev/provisio/internal/scimsvc"
	"github.com/provisio-dev/provisio/internal/store/sqlstore"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim"
)

// newPortal builds the app portal (/app/{tenant}/) over the tenant
// manager and the SCIM users; its cookie key is derived from the secret
// key (HKDF, RFC 5869) so no ciphertext of one use opens in another.
func newPortal(tenants *tenant.Manager, st *sqlstore.Store, key []byte, base string, log *slog.Logger) (*portal.Portal, error) {
	users, err := scimsvc.NewUsers(st.Backend())
	if err != nil {
		return nil, fmt.Errorf("start portal: %w", err)
	}
	cookieKey, err := derive(key, "provisio portal cookies")
	if err != nil {
		return nil, fmt.Errorf("start portal: %w", err)
	}
	p, err := portal.New(portal.Config{Tenants: portalTenants{tenants}, Users: portalUsers{users},
		Key: cookieKey, BaseURL: base, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("start portal: %w", err)
	}
	return p, nil
}

// portalTenants gives the portal a tenant's SSO client.
type portalTenants struct{ m *tenant.Manager }

func (t portalTenants) SSOSettings(ctx context.Context, id string) (portal.Settings, error) {
	c, err := t.m.SSOClient(ctx, id)
	if errors.Is(err, tenant.ErrNotFound) {
		return portal.Settings{}, fmt.Errorf("%w: %w", portal.ErrNotConfigured, err)
	}
	if err != nil {
		return portal.Settings{}, err
	}
	return portal.Settings{Issuer: c.Issuer, ClientID: c.ClientID, ClientSecret: c.ClientSecret}, nil
}

// portalUsers gives the portal a tenant's SCIM users as profiles.
type portalUsers struct{ u *scimsvc.Users }

func (p portalUsers) UserByName(ctx context.Context, tenantID, userName string) (portal.Profile, error) {
	return profile(p.u.ByUserName(ctx, tenantID, userName))
}

func (p portalUsers) UserByID(ctx context.Context, tenantID, id string) (portal.Profile, error) {
	return profile(p.u.ByID(ctx, tenantID, id))
}

func profile(u scim.Resource, err error) (portal.Profile, error) {
	if errors.Is(err, scimsvc.ErrNoUser) {
		return portal.Profile{}, fmt.Errorf("%w: %w", portal.ErrNoUser, err)
	}
	if err != nil {
		return portal.Profile{}, err
	}
	return portal.ProfileOf(u), nil
}
