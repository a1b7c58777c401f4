package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/provisio-dev/provisio/internal/store"
)

var _ store.OIDCClientAdmin = oidcStore{}

// oidcClient reads the client whose column col ("client_id" or "app_id")
// is v.
func (s oidcStore) oidcClient(ctx context.Context, col, v string) (store.OIDCClient, error) {
	var c store.OIDCClient
	var uris, logout string
	var updated int64
	var required bool
	err := s.queryRow(ctx, "SELECT app_id, client_id, secret_hash, redirect_uris, public, updated, post_logout_redirect_uris, assignment_required FROM oidc_clients WHERE "+col+" = ?", v).
		Scan(&c.AppID, &c.ClientID, &c.SecretHash, &uris, &c.Public, &updated, &logout, &required)
	if err != nil {
		return c, notFound(err, "oidc client %s %q", col, v)
	}
	c.AssignmentOptional = !required
	c.Updated = fromMillis(updated)
	if err := json.Unmarshal([]byte(uris), &c.RedirectURIs); err != nil {
		return c, fmt.Errorf("oidc client %s %q: redirect uris: %w", col, v, err)
	}
	if err := json.Unmarshal([]byte(logout), &c.PostLogoutRedirectURIs); err != nil {
		return c, fmt.Errorf("oidc client %s %q: post-logout redirect uris: %w", col, v, err)
	}
	if len(c.PostLogoutRedirectURIs) == 0 {
		c.PostLogoutRedirectURIs = nil
	}
	return c, nil
}

// marshalURIs is the stored form of a URI list: a JSON array, [] for none.
func marshalURIs(uris []string) (string, error) {
	if uris == nil {
		uris = []string{}
	}
	b, err := json.Marshal(uris)
	return string(b), err
}

// OIDCClientOfApp implements [store.OIDCClientAdmin].
func (s oidcStore) OIDCClientOfApp(ctx context.Context, appID string) (store.OIDCClient, error) {
	return s.oidcClient(ctx, "app_id", appID)
}

// DeleteOIDCClient implements [store.OIDCClientAdmin].
func (s oidcStore) DeleteOIDCClient(ctx context.Context, appID string) error {
	return s.writeOne(ctx, fmt.Sprintf("delete oidc client of app %q", appID), "DELETE FROM oidc_clients WHERE app_id = ?", appID)
}
