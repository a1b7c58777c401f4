package tenant

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/provisio-dev/provisio/internal/store"
)

// fakeStore is an in-memory store.Store with the tenant and token methods
// the Manager uses; it counts token lookups so tests can see the cache.
type fakeStore struct {
	store.Store // other methods are not used here and panic if called

	mu      sync.Mutex
	tenants []store.Tenant
	tokens  []store.Token
	admins  []store.Token
	lookups int
	nextID  int
}

func (f *fakeStore) id(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s%d", prefix, f.nextID)
}

func (f *fakeStore) CreateTenant(_ context.Context, name string, policy []byte) (store.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.tenants {
		if t.Name == name {
			return store.Tenant{}, store.ErrExists
		}
	}
	t := store.Tenant{ID: f.id("t"), Name: name, Policy: policy, Created: time.Now()}
	f.tenants = append(f.tenants, t)
	return t, nil
}

func (f *fakeStore) GetTenant(_ context.Context, id string) (store.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.tenants {
		if t.ID == id {
			return t, nil
		}
	}
	return store.Tenant{}, store.ErrNotFound
}

func (f *fakeStore) ListTenants(context.Context) ([]store.Tenant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.Tenant(nil), f.tenants...), nil
}

func (f *fakeStore) DeleteTenant(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, t := range f.tenants {
		if t.ID == id {
			f.tenants = append(f.tenants[:i], f.tenants[i+1:]...)
			kept := f.tokens[:0]
			for _, tok := range f.tokens {
				if tok.TenantID != id {
					kept = append(kept, tok)
				}
			}
			f.tokens = kept
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeStore) SetTenantPolicy(_ context.Context, id string, policy []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.tenants {
		if f.tenants[i].ID == id {
			f.tenants[i].Policy = policy
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeStore) CreateToken(_ context.Context, t store.Token) (store.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t.ID, t.Created = f.id("k"), time.Now()
	f.tokens = append(f.tokens, t)
	return t, nil
}

func (f *fakeStore) ListTokens(_ context.Context, tenantID string) ([]store.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.Token
	for _, t := range f.tokens {
		if t.TenantID == tenantID {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *fakeStore) RevokeToken(_ context.Context, tenantID, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, t := range f.tokens {
		if t.ID == id && t.TenantID == tenantID {
			f.tokens[i].Revoked = time.Now()
			return nil
		}
	}
	return store.ErrNotFound
}

func (f *fakeStore) LookupToken(_ context.Context, hash []byte) (store.Token, store.Tenant, error) {
	f.mu.Lock()
	f.lookups++
	var found *store.Token
	for i, t := range f.tokens {
		if bytes.Equal(t.Hash, hash) && t.Revoked.IsZero() {
			found = &f.tokens[i]
		}
	}
	f.mu.Unlock()
	if found == nil {
		return store.Token{}, store.Tenant{}, store.ErrNotFound
	}
	tn, err := f.GetTenant(context.Background(), found.TenantID)
	return *found, tn, err
}

func (f *fakeStore) CreateAdminToken(_ context.Context, t store.Token) (store.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t.ID = f.id("a")
	f.admins = append(f.admins, t)
	return t, nil
}

func (f *fakeStore) ListAdminTokens(context.Context) ([]store.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.Token(nil), f.admins...), nil
}

func (f *fakeStore) RevokeAdminToken(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, t := range f.admins {
		if t.ID == id && t.Revoked.IsZero() {
			f.admins[i].Revoked = time.Now()
		}
	}
	return nil
}

func (f *fakeStore) LookupAdminToken(_ context.Context, hash []byte) (store.Token, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.admins {
		if bytes.Equal(t.Hash, hash) && t.Revoked.IsZero() {
			return t, nil
		}
	}
	return store.Token{}, store.ErrNotFound
}

func (f *fakeStore) lookupCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lookups
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newManager(t *testing.T) (*Manager, *fakeStore, *clock) {
	t.Helper()
	fs := &fakeStore{}
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return NewManager(fs, Options{CacheTTL: 5 * time.Second, Now: clk.now}), fs, clk
}

func mustCreate(t *testing.T, m *Manager, name string) (store.Tenant, string) {
	t.Helper()
	tn, secret, err := m.Create(context.Background(), name, []byte(`{"preset":"rfc"}`))
	if err != nil {
		t.Fatalf("Create(%q) error = %v", name, err)
	}
	return tn, secret
}

func TestCreateIssuesAWellFormedToken(t *testing.T) {
	m, fs, _ := newManager(t)
	tn, secret := mustCreate(t, m, "Contoso")
	if !WellFormed(secret, TenantTokenPrefix) {
		t.Errorf("Create() token = %q, want pvt_ + 43 base64url characters", secret)
	}
	toks, err := m.Tokens(context.Background(), tn.ID)
	if err != nil || len(toks) != 1 {
		t.Fatalf("Tokens() = %v, %v; want one token", toks, err)
	}
	h := HashToken(secret)
	if !bytes.Equal(toks[0].Hash, h[:]) {
		t.Errorf("stored hash = %x, want SHA-256 of the token %x", toks[0].Hash, h)
	}
	for _, tok := range fs.tokens {
		if bytes.Contains(tok.Hash, []byte(secret)) || strings.Contains(tok.Name, secret) {
			t.Errorf("the store holds the secret itself: %+v", tok)
		}
	}
	if toks[0].Name != Hint(secret) {
		t.Errorf("default token name = %q, want the hint %q", toks[0].Name, Hint(secret))
	}
}

func TestCreateRejectsBadNames(t *testing.T) {
	m, _, _ := newManager(t)
	for _, name := range []string{"", "   ", "a\x00b", "line\nbreak", strings.Repeat("x", 201), "\xff"} {
		if _, _, err := m.Create(context.Background(), name, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("Create(%q) error = %v, want ErrInvalid", name, err)
		}
	}
	mustCreate(t, m, "Fabrikam")
	if _, _, err := m.Create(context.Background(), "Fabrikam", nil); !errors.Is(err, ErrExists) || err.Error() != `a tenant named "Fabrikam" already exists` {
		t.Errorf("Create(duplicate) error = %v, want ErrExists naming the tenant", err)
	}
}

func TestAuthenticate(t *testing.T) {
	m, _, _ := newManager(t)
	a, tokA := mustCreate(t, m, "A")
	b, _ := mustCreate(t, m, "B")
	other, err := NewToken(TenantTokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tenant  string
		token   string
		wantErr error
	}{
		{"own token", a.ID, tokA, nil},
		{"missing token", a.ID, "", ErrUnauthorized},
		{"malformed token", a.ID, "hunter2", ErrUnauthorized},
		{"unknown token", a.ID, other, ErrUnauthorized},
		{"admin-shaped token", a.ID, AdminTokenPrefix + tokA[len(TenantTokenPrefix):], ErrUnauthorized},
		{"other tenant's token", b.ID, tokA, ErrUnauthorized},
		{"unknown tenant", "nosuch", tokA, ErrNotFound},
		{"unknown tenant without token", "nosuch", "", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Authenticate(context.Background(), tt.tenant, tt.token)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Authenticate(%s) error = %v, want %v", tt.tenant, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.ID != tt.tenant {
				t.Errorf("Authenticate(%s) = %q, %v; want tenant %q", tt.tenant, got.ID, err, tt.tenant)
			}
		})
	}
}

func TestAuthenticateCachesAndRevocationIsImmediate(t *testing.T) {
	m, fs, _ := newManager(t)
	ctx := context.Background()
	a, tok := mustCreate(t, m, "A")
	for i := range 3 {
		if _, err := m.Authenticate(ctx, a.ID, tok); err != nil {
			t.Fatalf("Authenticate #%d error = %v", i, err)
		}
	}
	if n := fs.lookupCount(); n != 1 {
		t.Errorf("token lookups after 3 authentications = %d, want 1 (the rest from cache)", n)
	}
	toks, _ := m.Tokens(ctx, a.ID)
	if err := m.RevokeToken(ctx, a.ID, toks[0].ID); err != nil {
		t.Fatalf("RevokeToken() error = %v", err)
	}
	if _, err := m.Authenticate(ctx, a.ID, tok); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("Authenticate(revoked) error = %v, want ErrUnauthorized at once", err)
	}
}

func TestRevocationOnAnotherNodeWithinTTL(t *testing.T) {
	ctx := context.Background()
	node1, fs, clk := newManager(t)
	node2 := NewManager(fs, Options{CacheTTL: 5 * time.Second, Now: clk.now})
	a, tok := mustCreate(t, node1, "A")
	if _, err := node2.Authenticate(ctx, a.ID, tok); err != nil {
		t.Fatalf("node2.Authenticate() error = %v", err)
	}
	toks, _ := node1.Tokens(ctx, a.ID)
	if err := node1.RevokeToken(ctx, a.ID, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := node2.Authenticate(ctx, a.ID, tok); err != nil {
		t.Errorf("node2.Authenticate() within TTL error = %v, want the cached answer", err)
	}
	clk.advance(5 * time.Second)
	if _, err := node2.Authenticate(ctx, a.ID, tok); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("node2.Authenticate() after TTL error = %v, want ErrUnauthorized", err)
	}
}

func TestRotation(t *testing.T) {
	m, _, _ := newManager(t)
	ctx := context.Background()
	a, oldTok := mustCreate(t, m, "A")
	newTok, info, err := m.IssueToken(ctx, a.ID, "entra-2026")
	if err != nil {
		t.Fatalf("IssueToken() error = %v", err)
	}
	if info.Name != "entra-2026" || newTok == oldTok {
		t.Errorf("IssueToken() = %q named %q, want a new token named entra-2026", newTok, info.Name)
	}
	for _, tok := range []string{oldTok, newTok} {
		if _, err := m.Authenticate(ctx, a.ID, tok); err != nil {
			t.Errorf("Authenticate() during rotation error = %v, want both tokens valid", err)
		}
	}
	toks, _ := m.Tokens(ctx, a.ID)
	if err := m.RevokeToken(ctx, a.ID, toks[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Authenticate(ctx, a.ID, oldTok); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("Authenticate(old) after revoke error = %v, want ErrUnauthorized", err)
	}
	if _, err := m.Authenticate(ctx, a.ID, newTok); err != nil {
		t.Errorf("Authenticate(new) after revoking old error = %v", err)
	}
}

func TestDeleteTenantDropsCachedTokens(t *testing.T) {
	m, _, _ := newManager(t)
	ctx := context.Background()
	a, tok := mustCreate(t, m, "A")
	if _, err := m.Authenticate(ctx, a.ID, tok); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(ctx, a.ID); err != nil {
		t.Fatalf("Delete() error = %v", err)
	}
	if _, err := m.Authenticate(ctx, a.ID, tok); !errors.Is(err, ErrNotFound) {
		t.Errorf("Authenticate() on deleted tenant error = %v, want ErrNotFound", err)
	}
}

func TestSetPolicyIsSeenAtOnce(t *testing.T) {
	m, _, _ := newManager(t)
	ctx := context.Background()
	a, tok := mustCreate(t, m, "A")
	if _, err := m.Authenticate(ctx, a.ID, tok); err != nil {
		t.Fatal(err)
	}
	if err := m.SetPolicy(ctx, a.ID, []byte(`{"preset":"okta"}`)); err != nil {
		t.Fatal(err)
	}
	got, err := m.Authenticate(ctx, a.ID, tok)
	if err != nil || string(got.Policy) != `{"preset":"okta"}` {
		t.Errorf("Authenticate() after SetPolicy = policy %s, %v; want the new policy", got.Policy, err)
	}
}

func TestAdminToken(t *testing.T) {
	m, _, _ := newManager(t)
	ctx := context.Background()
	var tok string
	created, err := m.EnsureAdminToken(ctx, func(s string) error { tok = s; return nil })
	if err != nil || !created || !WellFormed(tok, AdminTokenPrefix) {
		t.Fatalf("EnsureAdminToken() = %q, %v, %v; want a new pva_ token", tok, created, err)
	}
	kept := false
	created, err = m.EnsureAdminToken(ctx, func(string) error { kept = true; return nil })
	if err != nil || created || kept {
		t.Errorf("EnsureAdminToken() second time = %v, %v, kept %v; want nothing new", created, err, kept)
	}
	if err := m.AuthenticateAdmin(ctx, tok); err != nil {
		t.Errorf("AuthenticateAdmin(valid) error = %v", err)
	}
	if rec, err := m.AdminTokenOf(ctx, tok); err != nil || rec.Name != "initial" {
		t.Errorf("AdminTokenOf(valid) = %q, %v, want the token named initial", rec.Name, err)
	}
	if _, err := m.AdminTokenOf(ctx, "pva_short"); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("AdminTokenOf(pva_short) error = %v, want ErrUnauthorized", err)
	}
	tenantTok, _ := NewToken(TenantTokenPrefix)
	for _, bad := range []string{"", "pva_short", tenantTok, AdminTokenPrefix + tenantTok[len(TenantTokenPrefix):]} {
		if err := m.AuthenticateAdmin(ctx, bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("AuthenticateAdmin(%q) error = %v, want ErrUnauthorized", bad, err)
		}
	}
}

func TestCacheIsBounded(t *testing.T) {
	clk := &clock{t: time.Unix(0, 0)}
	c := newCache(time.Minute, 3, clk.now)
	for i := range 10 {
		c.put(HashToken(fmt.Sprint(i)), store.Tenant{ID: "t"})
		if len(c.entries) > 3 {
			t.Fatalf("cache holds %d entries, want at most 3", len(c.entries))
		}
	}
	if _, ok := c.get(HashToken("9")); !ok {
		t.Error("cache lost the newest entry")
	}
}

func TestTokenFormat(t *testing.T) {
	a, err := NewToken(TenantTokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewToken(TenantTokenPrefix)
	if a == b {
		t.Errorf("NewToken() twice = %q, want different tokens", a)
	}
	tests := []struct {
		token string
		want  bool
	}{
		{a, true},
		{"pvt_", false},
		{a + "x", false},
		{a[:len(a)-1] + "!", false},
		{"pva_" + a[4:], false},
	}
	for _, tt := range tests {
		if got := WellFormed(tt.token, TenantTokenPrefix); got != tt.want {
			t.Errorf("WellFormed(%q) = %v, want %v", tt.token, got, tt.want)
		}
	}
	if got := Hint("pvt_abcdefgh"); got != "pvt_…efgh" {
		t.Errorf(`Hint("pvt_abcdefgh") = %q, want "pvt_…efgh"`, got)
	}
}

// BenchmarkAuthenticate measures the SCIM hot path: a token verified
// from the cache, and one that needs the store.
func BenchmarkAuthenticate(b *testing.B) {
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", time.Minute}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			m := NewManager(&fakeStore{}, Options{CacheTTL: bc.ttl})
			tn, tok, err := m.Create(context.Background(), "bench", nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Authenticate(context.Background(), tn.ID, tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAdminTokenOnlyOnceKept: a new admin token becomes valid only after
// keep kept its secret; a reset revokes every other admin token.
func TestAdminTokenOnlyOnceKept(t *testing.T) {
	m, _, _ := newManager(t)
	ctx := context.Background()
	lost := errors.New("disk full")
	if _, err := m.EnsureAdminToken(ctx, func(string) error { return lost }); !errors.Is(err, lost) {
		t.Fatalf("EnsureAdminToken(keep fails) = %v, want %v", err, lost)
	}
	if toks, err := m.AdminTokens(ctx); err != nil || len(toks) != 0 {
		t.Fatalf("AdminTokens() after a failed keep = %v, %v; want none", toks, err)
	}
	first, _, _ := m.IssueAdminToken(ctx, "first")
	second, _, _ := m.IssueAdminToken(ctx, "second")
	if _, _, err := m.ResetAdminTokens(ctx, "reset", func(string) error { return lost }); !errors.Is(err, lost) {
		t.Fatalf("ResetAdminTokens(keep fails) = %v, want %v", err, lost)
	}
	if err := m.AuthenticateAdmin(ctx, first); err != nil {
		t.Errorf("AuthenticateAdmin(first) after a failed reset = %v, want nil", err)
	}
	var secret string
	tok, revoked, err := m.ResetAdminTokens(ctx, "reset", func(s string) error { secret = s; return nil })
	if err != nil || tok.Name != "reset" || len(revoked) != 2 {
		t.Fatalf("ResetAdminTokens() = %+v, %d revoked, %v; want a token named reset and 2 revoked", tok, len(revoked), err)
	}
	uncached := NewManager(m.store, Options{CacheTTL: -1})
	for _, tc := range []struct {
		name, secret string
		want         error
	}{
		{"the new token", secret, nil},
		{"an old token", first, ErrUnauthorized},
		{"another old token", second, ErrUnauthorized},
	} {
		if err := uncached.AuthenticateAdmin(ctx, tc.secret); !errors.Is(err, tc.want) {
			t.Errorf("%s: AuthenticateAdmin() = %v, want %v", tc.name, err, tc.want)
		}
	}
}
