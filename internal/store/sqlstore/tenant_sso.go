package sqlstore

import (
	"context"
	"fmt"

	"github.com/provisio-dev/provisio/internal/store"
)

// SetTenantSSO implements [store.SSOStore].
func (s *Store) SetTenantSSO(ctx context.Context, sso store.TenantSSO) error {
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO tenant_sso (tenant_id, issuer, client_id, client_secret, updated) VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (tenant_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id, "+
			"client_secret = excluded.client_secret, updated = excluded.updated",
			sso.TenantID, sso.Issuer, sso.ClientID, sso.Secret, millis(s.now()))
		return err
	})
	if foreignKeyViolation(err) {
		return fmt.Errorf("set sso of tenant %q: %w", sso.TenantID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set sso of tenant %q: %w", sso.TenantID, err)
	}
	return nil
}

const ssoColumns = "tenant_id, issuer, client_id, client_secret, updated"

func scanSSO(row interface{ Scan(...any) error }) (store.TenantSSO, error) {
	var sso store.TenantSSO
	var updated int64
	if err := row.Scan(&sso.TenantID, &sso.Issuer, &sso.ClientID, &sso.Secret, &updated); err != nil {
		return store.TenantSSO{}, err
	}
	sso.Updated = fromMillis(updated)
	return sso, nil
}

// GetTenantSSO implements [store.SSOStore].
func (s *Store) GetTenantSSO(ctx context.Context, tenantID string) (store.TenantSSO, error) {
	sso, err := scanSSO(s.queryRow(ctx, "SELECT "+ssoColumns+" FROM tenant_sso WHERE tenant_id = ?", tenantID))
	return sso, notFound(err, "get sso of tenant %q", tenantID)
}

// ListTenantSSO implements [store.SSOStore].
func (s *Store) ListTenantSSO(ctx context.Context) ([]store.TenantSSO, error) {
	rows, err := s.query(ctx, "SELECT "+ssoColumns+" FROM tenant_sso ORDER BY tenant_id")
	if err != nil {
		return nil, fmt.Errorf("list tenant sso: %w", err)
	}
	defer rows.Close()
	var out []store.TenantSSO
	for rows.Next() {
		sso, err := scanSSO(rows)
		if err != nil {
			return nil, fmt.Errorf("list tenant sso: %w", err)
		}
		out = append(out, sso)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenant sso: %w", err)
	}
	return out, nil
}
