// Package tenant owns the tenants of Provisio's SCIM service and their
// secret tokens: issuing (256 random bits, shown once), storing (SHA-256
// only), verifying (constant-time, with a short in-memory cache),
// rotating (several live tokens per tenant) and revoking them; and the
// admin API token created on first start.
//
// A tenant is one customer of the SCIM service provider. Its Tenant URL is
// the SCIM base (RFC 7644 §3) <public-url>/scim/<tenant-id>/v2, and an
// identity provider authenticates there with one of the tenant's tokens
// as an OAuth 2.0 bearer token (RFC 7644 §2, RFC 6750).
package tenant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/provisio-dev/provisio/internal/secretbox"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// Errors of the manager (service errors, see svcerr); test with errors.Is.
var (
	// ErrUnauthorized: the token is missing, malformed, unknown, revoked
	// or belongs to another tenant. Callers must not tell these apart on
	// the wire.
	ErrUnauthorized = svcerr.New(svcerr.Unauthorized, "", "unauthorized")
	// ErrInvalid: the input (a tenant name, a token name) is not
	// acceptable; instances say which and why.
	ErrInvalid = svcerr.New(svcerr.Invalid, "", "invalid input")
	// ErrNotFound: no such tenant or token.
	ErrNotFound = svcerr.New(svcerr.NotFound, "", "not found")
	// ErrExists: the tenant name is taken; instances name it.
	ErrExists = svcerr.New(svcerr.Conflict, "", "already exists")
)

// own turns the store's sentinels into the manager's own, with context.
func own(err error, format string, args ...any) error {
	return svcerr.Own(fmt.Errorf(format+": %w", append(args, err)...),
		svcerr.Translation{From: store.ErrNotFound, To: ErrNotFound},
		svcerr.Translation{From: store.ErrExists, To: ErrExists},
		svcerr.Translation{From: store.ErrInvalid, To: ErrInvalid})
}

// Defaults for the verified-token cache.
const (
	DefaultCacheTTL  = 10 * time.Second
	defaultCacheSize = 10000
)

// Options tune a Manager. The zero value is usable.
type Options struct {
	// CacheTTL bounds how long a verified token is trusted without a
	// database query, and so how long a revocation made on another node
	// takes to reach this one. 0 means DefaultCacheTTL; negative disables
	// the cache.
	CacheTTL time.Duration
	// Now is the clock (tests inject one); nil means time.Now.
	Now func() time.Time
	// Box encrypts SSO client secrets at rest; nil: SetSSO and
	// SSOClient fail.
	Box *secretbox.Box
}

// Manager issues, verifies and revokes tokens and manages tenants. It is
// safe for concurrent use.
type Manager struct {
	store store.Store
	cache *cache
	box   *secretbox.Box
}

// NewManager returns a Manager over s.
func NewManager(s store.Store, opts Options) *Manager {
	ttl := opts.CacheTTL
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Manager{store: s, cache: newCache(ttl, defaultCacheSize, now), box: opts.Box}
}

// maxNameLen bounds tenant and token names (in characters).
const maxNameLen = 200

// CheckName validates a tenant or token name: 1–200 characters of valid
// UTF-8 without control characters, not blank.
func CheckName(what, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return ErrInvalid.With("%s name must not be empty", what)
	case !utf8.ValidString(name):
		return ErrInvalid.With("%s name must be valid UTF-8", what)
	case utf8.RuneCountInString(name) > maxNameLen:
		return ErrInvalid.With("%s name is longer than %d characters", what, maxNameLen)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return ErrInvalid.With("%s name must not contain control characters", what)
	}
	return nil
}

// Create makes a tenant with its first secret token, returned in plain
// text: the only time anyone sees it.
func (m *Manager) Create(ctx context.Context, name string, policy []byte) (store.Tenant, string, error) {
	if err := CheckName("tenant", name); err != nil {
		return store.Tenant{}, "", err
	}
	t, err := m.store.CreateTenant(ctx, name, policy)
	if errors.Is(err, store.ErrExists) {
		return store.Tenant{}, "", ErrExists.With("a tenant named %q already exists", name)
	}
	if err != nil {
		return store.Tenant{}, "", fmt.Errorf("create tenant: %w", err)
	}
	secret, _, err := m.IssueToken(ctx, t.ID, "")
	if err != nil {
		// Leave no tenant behind that nobody can use.
		if derr := m.store.DeleteTenant(ctx, t.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("undo tenant %s: %w", t.ID, derr))
		}
		return store.Tenant{}, "", err
	}
	return t, secret, nil
}

// Get returns tenant id.
func (m *Manager) Get(ctx context.Context, id string) (store.Tenant, error) {
	t, err := m.store.GetTenant(ctx, id)
	if err != nil {
		return store.Tenant{}, own(err, "get tenant %q", id)
	}
	return t, nil
}

// List returns every tenant in creation order.
func (m *Manager) List(ctx context.Context) ([]store.Tenant, error) {
	ts, err := m.store.ListTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ts, nil
}

// Delete removes tenant id with its tokens and data; its tokens stop
// working on this node at once.
func (m *Manager) Delete(ctx context.Context, id string) error {
	defer m.cache.dropTenant(id)
	if err := m.store.DeleteTenant(ctx, id); err != nil {
		return own(err, "delete tenant %q", id)
	}
	return nil
}

// SetPolicy replaces tenant id's compatibility policy (JSON). Requests on
// this node see it at once, other nodes within the cache TTL.
func (m *Manager) SetPolicy(ctx context.Context, id string, policy []byte) error {
	defer m.cache.dropTenant(id)
	if err := m.store.SetTenantPolicy(ctx, id, policy); err != nil {
		return own(err, "set policy of tenant %q", id)
	}
	return nil
}

// IssueToken adds a secret token to tenant tenantID and returns it in
// plain text (shown once) with its stored form. name labels it; "" names
// it by its hint (prefix and last four characters). Several tokens may be
// live at once, which is how tokens rotate: issue a new one, move the
// client over, revoke the old one.
func (m *Manager) IssueToken(ctx context.Context, tenantID, name string) (string, store.Token, error) {
	secret, tok, err := newSecret(TenantTokenPrefix, name)
	if err != nil {
		return "", store.Token{}, fmt.Errorf("issue token for tenant %q: %w", tenantID, err)
	}
	tok.TenantID = tenantID
	if tok, err = m.store.CreateToken(ctx, tok); err != nil {
		return "", store.Token{}, own(err, "issue token for tenant %q", tenantID)
	}
	return secret, tok, nil
}

// newSecret makes a new token secret with prefix and the record that
// stores it: its hash and name, which is the secret's hint (prefix and
// last four characters) when empty.
func newSecret(prefix, name string) (string, store.Token, error) {
	if name != "" {
		if err := CheckName("token", name); err != nil {
			return "", store.Token{}, err
		}
	}
	secret, err := NewToken(prefix)
	if err != nil {
		return "", store.Token{}, err
	}
	if name == "" {
		name = Hint(secret)
	}
	h := HashToken(secret)
	return secret, store.Token{Name: name, Hash: h[:]}, nil
}

// Tokens lists tenant tenantID's tokens, revoked ones included (never
// their secrets).
func (m *Manager) Tokens(ctx context.Context, tenantID string) ([]store.Token, error) {
	if _, err := m.Get(ctx, tenantID); err != nil {
		return nil, err
	}
	ts, err := m.store.ListTokens(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list tokens of tenant %q: %w", tenantID, err)
	}
	return ts, nil
}

// RevokeToken revokes a token. It stops working on this node immediately
// and on other nodes within the cache TTL.
func (m *Manager) RevokeToken(ctx context.Context, tenantID, tokenID string) error {
	defer m.cache.dropTenant(tenantID)
	if err := m.store.RevokeToken(ctx, tenantID, tokenID); err != nil {
		return own(err, "revoke token %q of tenant %q", tokenID, tenantID)
	}
	return nil
}

// Authenticate checks a bearer token presented on tenant tenantID's URL
// and returns the tenant. Unknown tenant: an error wrapping ErrNotFound. Missing, malformed, unknown, revoked or other-tenant
// token: ErrUnauthorized, all alike. A cached verification answers without
// touching the store; an uncached valid token costs one indexed lookup.
func (m *Manager) Authenticate(ctx context.Context, tenantID, token string) (store.Tenant, error) {
	h := HashToken(token)
	if t, ok := m.cache.get(h); ok && t.ID == tenantID {
		return t, nil
	}
	if WellFormed(token, TenantTokenPrefix) {
		tok, owner, err := m.store.LookupToken(ctx, h[:])
		switch {
		case err == nil:
			// The store found the row by hash; comparing again in
			// constant time keeps the decision free of timing differences.
			if h.Equal(tok.Hash) && tok.Revoked.IsZero() && owner.ID == tenantID {
				m.cache.put(h, owner)
				return owner, nil
			}
		case !errors.Is(err, store.ErrNotFound):
			return store.Tenant{}, fmt.Errorf("authenticate on tenant %q: %w", tenantID, err)
		}
	}
	// Refused: tell an unknown tenant (404) from a bad token (401).
	if _, err := m.store.GetTenant(ctx, tenantID); err != nil {
		return store.Tenant{}, own(err, "authenticate on tenant %q", tenantID)
	}
	return store.Tenant{}, ErrUnauthorized
}

// AuthenticateAdmin checks an admin API bearer token: nil if valid,
// ErrUnauthorized if not.
func (m *Manager) AuthenticateAdmin(ctx context.Context, token string) error {
	_, err := m.AdminTokenOf(ctx, token)
	return err
}

// AdminTokenOf checks an admin API bearer token as AuthenticateAdmin does
// and returns its record (never its secret): the audit log names the
// token's holder by it.
func (m *Manager) AdminTokenOf(ctx context.Context, token string) (store.Token, error) {
	if !WellFormed(token, AdminTokenPrefix) {
		return store.Token{}, ErrUnauthorized
	}
	h := HashToken(token)
	tok, err := m.store.LookupAdminToken(ctx, h[:])
	if errors.Is(err, store.ErrNotFound) {
		return store.Token{}, ErrUnauthorized
	}
	if err != nil {
		return store.Token{}, fmt.Errorf("authenticate admin: %w", err)
	}
	if !h.Equal(tok.Hash) || !tok.Revoked.IsZero() {
		return store.Token{}, ErrUnauthorized
	}
	return tok, nil
}
