package tenant

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// SSO is a tenant's single sign-on settings as anyone may see them: the
// client secret is write-only.
type SSO struct {
	Issuer   string
	ClientID string
	Updated  time.Time
}

// SSOClient is what the app portal needs to be the tenant's OAuth 2.0
// client at its OpenID provider, secret included.
type SSOClient struct {
	Issuer       string
	ClientID     string
	ClientSecret string
}

// ssoAD binds a sealed client secret to its tenant.
func ssoAD(tenantID string) []byte { return []byte("tenant-sso\x00" + tenantID) }

// CheckIssuer validates an OpenID provider's issuer identifier: an https
// URL without query or fragment (OpenID Connect Discovery 1.0 §2,
// Core §16.15); http only for a loopback host, as in tests and demos.
func CheckIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return ErrInvalid.With("issuer %q must be an absolute URL without query or fragment", issuer)
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return ErrInvalid.With("issuer %q must use https", issuer)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SetSSO gives tenant id an OpenID provider for the app portal's sign-in,
// replacing any before. The secret is encrypted at rest.
func (m *Manager) SetSSO(ctx context.Context, id, issuer, clientID, secret string) error {
	if err := CheckIssuer(issuer); err != nil {
		return err
	}
	if strings.TrimSpace(clientID) == "" {
		return ErrInvalid.With("client id must not be empty")
	}
	if secret == "" {
		return ErrInvalid.With("client secret must not be empty")
	}
	if m.box == nil {
		return errors.New("set sso: no secret key configured")
	}
	sealed, err := m.box.Seal([]byte(secret), ssoAD(id))
	if err != nil {
		return fmt.Errorf("set sso of tenant %q: %w", id, err)
	}
	err = m.store.SetTenantSSO(ctx, store.TenantSSO{TenantID: id, Issuer: issuer, ClientID: clientID, Secret: sealed})
	if err != nil {
		return own(err, "set sso of tenant %q", id)
	}
	return nil
}

// SSO returns tenant id's settings without the secret; ErrNotFound when
// it has none.
func (m *Manager) SSO(ctx context.Context, id string) (SSO, error) {
	s, err := m.store.GetTenantSSO(ctx, id)
	if err != nil {
		return SSO{}, own(err, "get sso of tenant %q", id)
	}
	return SSO{Issuer: s.Issuer, ClientID: s.ClientID, Updated: s.Updated}, nil
}

// ListSSO returns the settings of every tenant that has them, by tenant id.
func (m *Manager) ListSSO(ctx context.Context) (map[string]SSO, error) {
	l, err := m.store.ListTenantSSO(ctx)
	if err != nil {
		return nil, own(err, "list sso")
	}
	out := make(map[string]SSO, len(l))
	for _, s := range l {
		out[s.TenantID] = SSO{Issuer: s.Issuer, ClientID: s.ClientID, Updated: s.Updated}
	}
	return out, nil
}

// SSOClient returns tenant id's settings with the decrypted secret, for
// the app portal; ErrNotFound when it has none.
func (m *Manager) SSOClient(ctx context.Context, id string) (SSOClient, error) {
	s, err := m.store.GetTenantSSO(ctx, id)
	if err != nil {
		return SSOClient{}, own(err, "get sso of tenant %q", id)
	}
	if m.box == nil {
		return SSOClient{}, errors.New("get sso client: no secret key configured")
	}
	secret, err := m.box.Open(s.Secret, ssoAD(id))
	if err != nil {
		return SSOClient{}, fmt.Errorf("open sso secret of tenant %q: %w", id, err)
	}
	return SSOClient{Issuer: s.Issuer, ClientID: s.ClientID, ClientSecret: string(secret)}, nil
}
