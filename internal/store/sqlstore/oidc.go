package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// OIDC returns the storage of the OpenID provider: oidc_keys and
// oidc_clients (migration 0710).
func (s *Store) OIDC() store.OIDCStore { return oidcStore{s} }

type oidcStore struct{ *Store }

// OIDCKeys implements [store.OIDCStore].
func (s oidcStore) OIDCKeys(ctx context.Context) ([]store.OIDCKey, error) {
	rows, err := s.query(ctx, "SELECT id, private, created FROM oidc_keys WHERE retired IS NULL ORDER BY created, id")
	if err != nil {
		return nil, fmt.Errorf("list oidc keys: %w", err)
	}
	defer rows.Close()
	var out []store.OIDCKey
	for rows.Next() {
		var k store.OIDCKey
		var created int64
		if err := rows.Scan(&k.ID, &k.Private, &created); err != nil {
			return nil, fmt.Errorf("list oidc keys: %w", err)
		}
		k.Created = fromMillis(created)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list oidc keys: %w", err)
	}
	return out, nil
}

// AddOIDCKey implements [store.OIDCStore].
func (s oidcStore) AddOIDCKey(ctx context.Context, k store.OIDCKey) error {
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO oidc_keys (id, private, created) VALUES (?, ?, ?)", k.ID, k.Private, millis(k.Created))
		return err
	})
	if err != nil {
		return fmt.Errorf("add oidc key %q: %w", k.ID, err)
	}
	return nil
}

// RetireOIDCKey implements [store.OIDCStore].
func (s oidcStore) RetireOIDCKey(ctx context.Context, id string, at time.Time) error {
	return s.writeOne(ctx, fmt.Sprintf("retire oidc key %q", id), "UPDATE oidc_keys SET retired = ? WHERE id = ?", millis(at), id)
}

// PutOIDCClient implements [store.OIDCStore].
func (s oidcStore) PutOIDCClient(ctx context.Context, c store.OIDCClient) error {
	uris, err := json.Marshal(c.RedirectURIs)
	if err != nil {
		return fmt.Errorf("put oidc client of app %q: %w", c.AppID, err)
	}
	logout, err := marshalURIs(c.PostLogoutRedirectURIs)
	if err != nil {
		return fmt.Errorf("put oidc client of app %q: %w", c.AppID, err)
	}
	err = s.write(ctx, "", func(tx tx) error {
		var one int
		if err := tx.queryRow(ctx, "SELECT 1 FROM dir_apps WHERE id = ?", c.AppID).Scan(&one); err != nil {
			return notFound(err, "app %q", c.AppID)
		}
		_, err := tx.exec(ctx, "INSERT INTO oidc_clients (app_id, client_id, secret_hash, redirect_uris, public, updated, post_logout_redirect_uris, assignment_required) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "+
			"ON CONFLICT (app_id) DO UPDATE SET client_id = excluded.client_id, secret_hash = excluded.secret_hash, "+
			"redirect_uris = excluded.redirect_uris, public = excluded.public, updated = excluded.updated, "+
			"post_logout_redirect_uris = excluded.post_logout_redirect_uris, assignment_required = excluded.assignment_required",
			c.AppID, c.ClientID, c.SecretHash, string(uris), c.Public, millis(c.Updated), logout, !c.AssignmentOptional)
		return err
	})
	if err != nil {
		return fmt.Errorf("put oidc client of app %q: %w", c.AppID, err)
	}
	return nil
}

// OIDCClient implements [store.OIDCStore].
func (s oidcStore) OIDCClient(ctx context.Context, clientID string) (store.OIDCClient, error) {
	return s.oidcClient(ctx, "client_id", clientID)
}
