package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// OIDCGrants returns the OpenID provider's authorization requests and
// tokens: oidc_auth_requests and oidc_tokens (migration 0730).
func (s *Store) OIDCGrants() store.OIDCGrantStore { return oidcStore{s} }

const authRequestCols = "id, data, code_hash, exchanged, expires"

func scanAuthRequest(row interface{ Scan(...any) error }) (store.OIDCAuthRequest, error) {
	var r store.OIDCAuthRequest
	var code sql.NullString
	var expires int64
	if err := row.Scan(&r.ID, &r.Data, &code, &r.Exchanged, &expires); err != nil {
		return r, err
	}
	r.CodeHash, r.Expires = code.String, fromMillis(expires)
	return r, nil
}

// PutOIDCAuthRequest implements [store.OIDCGrantStore].
func (s oidcStore) PutOIDCAuthRequest(ctx context.Context, r store.OIDCAuthRequest) error {
	code := sql.NullString{String: r.CodeHash, Valid: r.CodeHash != ""}
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO oidc_auth_requests (id, data, code_hash, exchanged, expires) VALUES (?, ?, ?, ?, ?) "+
			"ON CONFLICT (id) DO UPDATE SET data = excluded.data, code_hash = excluded.code_hash, expires = excluded.expires",
			r.ID, r.Data, code, false, millis(r.Expires))
		return err
	})
	if err != nil {
		return fmt.Errorf("put oidc auth request %q: %w", r.ID, err)
	}
	return nil
}

// OIDCAuthRequest implements [store.OIDCGrantStore].
func (s oidcStore) OIDCAuthRequest(ctx context.Context, id string) (store.OIDCAuthRequest, error) {
	r, err := scanAuthRequest(s.queryRow(ctx, "SELECT "+authRequestCols+" FROM oidc_auth_requests WHERE id = ?", id))
	return r, notFound(err, "oidc auth request %q", id)
}

// OIDCAuthRequestByCode implements [store.OIDCGrantStore].
func (s oidcStore) OIDCAuthRequestByCode(ctx context.Context, codeHash string) (store.OIDCAuthRequest, error) {
	r, err := scanAuthRequest(s.queryRow(ctx, "SELECT "+authRequestCols+" FROM oidc_auth_requests WHERE code_hash = ?", codeHash))
	return r, notFound(err, "oidc auth request by code")
}

// ExchangeOIDCAuthRequest implements [store.OIDCGrantStore].
func (s oidcStore) ExchangeOIDCAuthRequest(ctx context.Context, id string) (bool, error) {
	n, err := s.writeCount(ctx, "UPDATE oidc_auth_requests SET exchanged = ? WHERE id = ? AND exchanged = ?", true, id, false)
	if err != nil {
		return false, fmt.Errorf("exchange oidc auth request %q: %w", id, err)
	}
	return n == 1, nil
}

func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: millis(*t), Valid: true}
}

func fromNullMillis(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

// AddOIDCToken implements [store.OIDCGrantStore].
func (s oidcStore) AddOIDCToken(ctx context.Context, t store.OIDCToken) error {
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO oidc_tokens (hash, kind, grant_id, client_id, subject, data, created, expires, used, revoked) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", t.Hash, t.Kind, t.GrantID, t.ClientID, t.Subject, t.Data,
			millis(t.Created), millis(t.Expires), nullMillis(t.Used), nullMillis(t.Revoked))
		return err
	})
	if err != nil {
		return fmt.Errorf("add oidc %s token: %w", t.Kind, err)
	}
	return nil
}

// OIDCToken implements [store.OIDCGrantStore].
func (s oidcStore) OIDCToken(ctx context.Context, hash string) (store.OIDCToken, error) {
	var t store.OIDCToken
	var created, expires int64
	var used, revoked sql.NullInt64
	err := s.queryRow(ctx, "SELECT hash, kind, grant_id, client_id, subject, data, created, expires, used, revoked FROM oidc_tokens WHERE hash = ?", hash).
		Scan(&t.Hash, &t.Kind, &t.GrantID, &t.ClientID, &t.Subject, &t.Data, &created, &expires, &used, &revoked)
	if err != nil {
		return t, notFound(err, "oidc token")
	}
	t.Created, t.Expires, t.Used, t.Revoked = fromMillis(created), fromMillis(expires), fromNullMillis(used), fromNullMillis(revoked)
	return t, nil
}

// UseOIDCToken implements [store.OIDCGrantStore].
func (s oidcStore) UseOIDCToken(ctx context.Context, hash string, at time.Time) (bool, error) {
	n, err := s.writeCount(ctx, "UPDATE oidc_tokens SET used = ? WHERE hash = ? AND used IS NULL AND revoked IS NULL", millis(at), hash)
	if err != nil {
		return false, fmt.Errorf("use oidc token: %w", err)
	}
	return n == 1, nil
}

// RevokeOIDCToken implements [store.OIDCGrantStore].
func (s oidcStore) RevokeOIDCToken(ctx context.Context, hash string, at time.Time) error {
	if _, err := s.writeCount(ctx, "UPDATE oidc_tokens SET revoked = ? WHERE hash = ? AND revoked IS NULL", millis(at), hash); err != nil {
		return fmt.Errorf("revoke oidc token: %w", err)
	}
	return nil
}

// RevokeOIDCGrant implements [store.OIDCGrantStore].
func (s oidcStore) RevokeOIDCGrant(ctx context.Context, grantID string, at time.Time) (int64, error) {
	n, err := s.writeCount(ctx, "UPDATE oidc_tokens SET revoked = ? WHERE grant_id = ? AND revoked IS NULL", millis(at), grantID)
	if err != nil {
		return 0, fmt.Errorf("revoke oidc grant %q: %w", grantID, err)
	}
	return n, nil
}

// RevokeOIDCSubject implements [store.OIDCGrantStore].
func (s oidcStore) RevokeOIDCSubject(ctx context.Context, subject, clientID string, at time.Time) error {
	_, err := s.writeCount(ctx, "UPDATE oidc_tokens SET revoked = ? WHERE subject = ? AND client_id = ? AND revoked IS NULL", millis(at), subject, clientID)
	if err != nil {
		return fmt.Errorf("revoke oidc tokens of %q: %w", subject, err)
	}
	return nil
}

// PruneOIDC implements [store.OIDCGrantStore].
func (s oidcStore) PruneOIDC(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	err := s.write(ctx, "", func(tx tx) error {
		for _, q := range []string{"DELETE FROM oidc_auth_requests WHERE expires < ?", "DELETE FROM oidc_tokens WHERE expires < ?"} {
			res, err := tx.exec(ctx, q, millis(before))
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune oidc grants: %w", err)
	}
	return total, nil
}

// AllOIDCKeys implements [store.OIDCGrantStore].
func (s oidcStore) AllOIDCKeys(ctx context.Context) ([]store.OIDCKey, error) {
	rows, err := s.query(ctx, "SELECT id, private, created, retired FROM oidc_keys ORDER BY created, id")
	if err != nil {
		return nil, fmt.Errorf("list oidc keys: %w", err)
	}
	defer rows.Close()
	var out []store.OIDCKey
	for rows.Next() {
		var k store.OIDCKey
		var created int64
		var retired sql.NullInt64
		if err := rows.Scan(&k.ID, &k.Private, &created, &retired); err != nil {
			return nil, fmt.Errorf("list oidc keys: %w", err)
		}
		k.Created, k.Retired = fromMillis(created), fromNullMillis(retired)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list oidc keys: %w", err)
	}
	return out, nil
}
