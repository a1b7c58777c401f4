package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// CreateTenant implements [store.Store].
func (s *Store) CreateTenant(ctx context.Context, name string, policy []byte) (store.Tenant, error) {
	if name == "" {
		return store.Tenant{}, fmt.Errorf("create tenant: empty name: %w", store.ErrInvalid)
	}
	t := store.Tenant{ID: newID(), Name: name, Created: fromMillis(millis(s.now())), Policy: policy}
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, "INSERT INTO tenants (id, name, created, policy) VALUES (?, ?, ?, ?)",
			t.ID, t.Name, millis(t.Created), policy)
		return err
	})
	if _, ok := uniqueViolation(err); ok {
		return store.Tenant{}, fmt.Errorf("create tenant %q: %w", name, store.ErrExists)
	}
	if err != nil {
		return store.Tenant{}, fmt.Errorf("create tenant %q: %w", name, err)
	}
	return t, nil
}

const tenantColumns = "id, name, created, policy"

func scanTenant(row interface{ Scan(...any) error }) (store.Tenant, error) {
	var t store.Tenant
	var created int64
	if err := row.Scan(&t.ID, &t.Name, &created, &t.Policy); err != nil {
		return store.Tenant{}, err
	}
	t.Created = fromMillis(created)
	return t, nil
}

// GetTenant implements [store.Store].
func (s *Store) GetTenant(ctx context.Context, id string) (store.Tenant, error) {
	t, err := scanTenant(s.queryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE id = ?", id))
	return t, notFound(err, "get tenant %q", id)
}

// GetTenantByName implements [store.Store].
func (s *Store) GetTenantByName(ctx context.Context, name string) (store.Tenant, error) {
	t, err := scanTenant(s.queryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE name = ?", name))
	return t, notFound(err, "get tenant named %q", name)
}

// ListTenants implements [store.Store].
func (s *Store) ListTenants(ctx context.Context) ([]store.Tenant, error) {
	rows, err := s.query(ctx, "SELECT "+tenantColumns+" FROM tenants ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var out []store.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("list tenants: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return out, nil
}

// SetTenantPolicy implements [store.Store].
func (s *Store) SetTenantPolicy(ctx context.Context, id string, policy []byte) error {
	return s.writeOne(ctx, fmt.Sprintf("set policy of tenant %q", id),
		"UPDATE tenants SET policy = ? WHERE id = ?", policy, id)
}

// DeleteTenant implements [store.Store]. Tokens, resources, memberships and
// events go with it (ON DELETE CASCADE).
func (s *Store) DeleteTenant(ctx context.Context, id string) error {
	return s.writeOne(ctx, fmt.Sprintf("delete tenant %q", id), "DELETE FROM tenants WHERE id = ?", id)
}

// writeOne runs one statement that must affect a row (else ErrNotFound).
func (s *Store) writeOne(ctx context.Context, what, query string, args ...any) error {
	err := s.write(ctx, "", func(tx tx) error {
		res, err := tx.exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// notFound maps sql.ErrNoRows to store.ErrNotFound and adds context.
func notFound(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// CreateToken implements [store.Store].
func (s *Store) CreateToken(ctx context.Context, t store.Token) (store.Token, error) {
	if t.TenantID == "" {
		return store.Token{}, fmt.Errorf("create token: no tenant: %w", store.ErrInvalid)
	}
	return s.createToken(ctx, t, "tenant_tokens",
		"INSERT INTO tenant_tokens (id, tenant_id, name, hash, created) VALUES (?, ?, ?, ?, ?)")
}

// CreateAdminToken implements [store.Store].
func (s *Store) CreateAdminToken(ctx context.Context, t store.Token) (store.Token, error) {
	if t.TenantID != "" {
		return store.Token{}, fmt.Errorf("create admin token: has tenant %q: %w", t.TenantID, store.ErrInvalid)
	}
	return s.createToken(ctx, t, "admin_tokens",
		"INSERT INTO admin_tokens (id, name, hash, created) VALUES (?, ?, ?, ?)")
}

func (s *Store) createToken(ctx context.Context, t store.Token, table, insert string) (store.Token, error) {
	if len(t.Hash) == 0 {
		return store.Token{}, fmt.Errorf("create token: empty hash: %w", store.ErrInvalid)
	}
	if t.ID == "" {
		t.ID = newID()
	}
	if t.Created.IsZero() {
		t.Created = s.now()
	}
	t.Created = fromMillis(millis(t.Created))
	t.Revoked = t.Revoked.UTC()
	args := []any{t.ID, t.TenantID, t.Name, t.Hash, millis(t.Created)}
	if table == "admin_tokens" {
		args = append(args[:1], args[2:]...)
	}
	err := s.write(ctx, "", func(tx tx) error {
		_, err := tx.exec(ctx, insert, args...)
		return err
	})
	switch {
	case foreignKeyViolation(err):
		return store.Token{}, fmt.Errorf("create token: tenant %q: %w", t.TenantID, store.ErrNotFound)
	case err != nil:
		if _, ok := uniqueViolation(err); ok {
			return store.Token{}, fmt.Errorf("create token: id or hash: %w", store.ErrExists)
		}
		return store.Token{}, fmt.Errorf("create token: %w", err)
	}
	return t, nil
}

func scanToken(row interface{ Scan(...any) error }) (store.Token, error) {
	var t store.Token
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.TenantID, &t.Name, &t.Hash, &created, &revoked); err != nil {
		return store.Token{}, err
	}
	t.Created = fromMillis(created)
	if revoked.Valid {
		t.Revoked = fromMillis(revoked.Int64)
	}
	return t, nil
}

func (s *Store) listTokens(ctx context.Context, query string, args ...any) ([]store.Token, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []store.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// ListTokens implements [store.Store].
func (s *Store) ListTokens(ctx context.Context, tenantID string) ([]store.Token, error) {
	return s.listTokens(ctx, "SELECT id, tenant_id, name, hash, created, revoked FROM tenant_tokens WHERE tenant_id = ? ORDER BY created, id", tenantID)
}

// ListAdminTokens implements [store.Store].
func (s *Store) ListAdminTokens(ctx context.Context) ([]store.Token, error) {
	return s.listTokens(ctx, "SELECT id, '', name, hash, created, revoked FROM admin_tokens ORDER BY created, id")
}

// RevokeToken implements [store.Store].
func (s *Store) RevokeToken(ctx context.Context, tenantID, id string) error {
	return s.writeOne(ctx, fmt.Sprintf("revoke token %q", id),
		"UPDATE tenant_tokens SET revoked = COALESCE(revoked, ?) WHERE tenant_id = ? AND id = ?", millis(s.now()), tenantID, id)
}

// RevokeAdminToken implements [store.Store].
func (s *Store) RevokeAdminToken(ctx context.Context, id string) error {
	return s.writeOne(ctx, fmt.Sprintf("revoke admin token %q", id),
		"UPDATE admin_tokens SET revoked = COALESCE(revoked, ?) WHERE id = ?", millis(s.now()), id)
}

// LookupToken implements [store.Store].
func (s *Store) LookupToken(ctx context.Context, hash []byte) (store.Token, store.Tenant, error) {
	var tok store.Token
	var ten store.Tenant
	var tokCreated, tenCreated int64
	var revoked sql.NullInt64
	err := s.queryRow(ctx, `SELECT k.id, k.tenant_id, k.name, k.hash, k.created, k.revoked, t.id, t.name, t.created, t.policy
		FROM tenant_tokens k JOIN tenants t ON t.id = k.tenant_id
		WHERE k.hash = ? AND k.revoked IS NULL`, hash).
		Scan(&tok.ID, &tok.TenantID, &tok.Name, &tok.Hash, &tokCreated, &revoked, &ten.ID, &ten.Name, &tenCreated, &ten.Policy)
	if err != nil {
		return store.Token{}, store.Tenant{}, notFound(err, "lookup token")
	}
	tok.Created, ten.Created = fromMillis(tokCreated), fromMillis(tenCreated)
	return tok, ten, nil
}

// LookupAdminToken implements [store.Store].
func (s *Store) LookupAdminToken(ctx context.Context, hash []byte) (store.Token, error) {
	t, err := scanToken(s.queryRow(ctx, "SELECT id, '', name, hash, created, revoked FROM admin_tokens WHERE hash = ? AND revoked IS NULL", hash))
	return t, notFound(err, "lookup admin token")
}

// Events implements [store.Store]. On PostgreSQL it reads under the
// tenant's exclusive feed lock, so no write of the tenant is in flight and
// every seq it returns is final (see the package doc). On SQLite the single
// writer commits in seq order, so a plain read suffices.
func (s *Store) Events(ctx context.Context, tenantID string, after int64, limit int) ([]store.Event, error) {
	if limit <= 0 {
		limit = store.DefaultEventLimit
	}
	limit = min(limit, store.MaxEventLimit)
	var out []store.Event
	var err error
	if s.d.postgres {
		err = s.write(ctx, "", func(t tx) error {
			if _, err := t.exec(ctx, "SELECT pg_advisory_xact_lock(?, hashtext(?))", lockEvents, tenantID); err != nil {
				return fmt.Errorf("lock tenant feed: %w", err)
			}
			out, err = readEvents(ctx, t, tenantID, after, limit)
			return err
		})
	} else {
		out, err = readEvents(ctx, s, tenantID, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("events of tenant %q: %w", tenantID, err)
	}
	return out, nil
}

// querier is a reader: the Store's read pool or a transaction.
type querier interface {
	query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, query string, args ...any) *sql.Row
}

func readEvents(ctx context.Context, q querier, tenantID string, after int64, limit int) ([]store.Event, error) {
	var one int
	if err := q.queryRow(ctx, "SELECT 1 FROM tenants WHERE id = ?", tenantID).Scan(&one); err != nil {
		return nil, notFound(err, "tenant")
	}
	rows, err := q.query(ctx, "SELECT seq, resource_type, resource_id, op, time FROM events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?", tenantID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		e := store.Event{TenantID: tenantID}
		var ms int64
		if err := rows.Scan(&e.Seq, &e.ResourceType, &e.ResourceID, &e.Op, &ms); err != nil {
			return nil, err
		}
		e.Time = fromMillis(ms)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The pruned-through mark is read after the events: a prune that
	// deleted any of them recorded its mark in the same transaction, so it
	// is seen here (the mark only grows).
	var through int64
	if err := q.queryRow(ctx, "SELECT COALESCE(MAX(through), 0) FROM events_pruned WHERE tenant_id = ?", tenantID).Scan(&through); err != nil {
		return nil, err
	}
	if after < through {
		return nil, &store.EventsPrunedError{Through: through}
	}
	return out, nil
}

// PruneEvents implements [store.Store].
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "", func(t tx) error {
		if _, err := t.exec(ctx, "INSERT INTO events_pruned (tenant_id, through) "+
			"SELECT tenant_id, MAX(seq) FROM events WHERE time < ? GROUP BY tenant_id "+
			"ON CONFLICT (tenant_id) DO UPDATE SET through = excluded.through WHERE excluded.through > events_pruned.through",
			millis(before)); err != nil {
			return err
		}
		res, err := t.exec(ctx, "DELETE FROM events WHERE time < ?", millis(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return n, nil
}
