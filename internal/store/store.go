// Package store defines the persistence contract of Provisio's SCIM service
// provider: tenants, their secret tokens, admin tokens, the per-tenant change
// feed, and (through [Store.Backend]) the SCIM resources themselves
// (RFC 7643 §3 resources with id and meta, RFC 7643 §4.2 group members).
//
// The package owns the records, the sentinel errors and the binding of a
// tenant to a context ([WithTenant], [TenantFrom]); implementations live in
// sub-packages (internal/store/sqlstore) and all of them pass the shared
// conformance suite in internal/store/storetest.
//
// Tenant isolation is the store's job: every Backend call acts only on the
// tenant bound to its ctx, and a call without one fails with [ErrNoTenant].
// No read, list, filter, update, delete or uniqueness error crosses tenants.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/scim/backend"
)

// Sentinel errors. Implementations wrap them with %w; test with errors.Is.
var (
	// ErrNotFound: no such tenant, token or event source.
	ErrNotFound = errors.New("not found")
	// ErrExists: a tenant with that name already exists.
	ErrExists = errors.New("already exists")
	// ErrInvalid: a record is malformed (e.g. empty tenant name or token hash).
	ErrInvalid = errors.New("invalid record")
	// ErrNoTenant: a Backend call whose ctx carries no tenant (see WithTenant).
	ErrNoTenant = errors.New("no tenant in context")
)

// Tenant is one customer of the SCIM service: its own Tenant URL, tokens and
// resources.
type Tenant struct {
	ID      string    // short, random, URL-safe ([a-z0-9]), assigned by the store
	Name    string    // unique
	Created time.Time // UTC
	// Policy is the tenant's compatibility policy as JSON. The store keeps
	// it opaque; internal/tenant defines its shape.
	Policy []byte
}

// Token is a bearer token's stored form: only the SHA-256 hash of the secret
// is kept. Tenant tokens have a TenantID; admin tokens (for /api/v1) do not.
// Hashing and constant-time comparison are the caller's job.
type Token struct {
	ID       string    // assigned by the store when empty
	TenantID string    // "" for admin tokens
	Name     string    // free-form label, e.g. "entra-2026"
	Hash     []byte    // SHA-256 of the secret; unique
	Created  time.Time // UTC; set by the store when zero
	Revoked  time.Time // zero while the token is valid
}

// Op is the kind of change recorded in the change feed.
type Op string

// Change feed operations.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Event is one entry of a tenant's change feed. It is appended in the same
// transaction as the SCIM write it records.
//
// Seq is a global sequence: strictly increasing within a tenant (and across
// tenants) but with gaps, so consumers page with "after the last Seq seen".
// A reader never sees an event while an event with a smaller Seq of the same
// tenant is still uncommitted, so paging by Seq never skips an event.
type Event struct {
	Seq          int64
	TenantID     string
	ResourceType string // resource type name, e.g. "User"
	ResourceID   string
	Op           Op
	Time         time.Time // UTC
}

// EventsPrunedError answers a read of a tenant's change feed from a
// position whose following events were partly deleted by the retention: the
// reader has to resynchronize from the resources themselves, then read on
// after Through.
type EventsPrunedError struct{ Through int64 }

func (e *EventsPrunedError) Error() string {
	return fmt.Sprintf("the events up to seq %d were deleted by the retention", e.Through)
}

// Event paging limits for [Store.Events].
const (
	DefaultEventLimit = 100
	MaxEventLimit     = 1000
)

// Store is the storage of the SCIM service provider. Implementations are
// safe for concurrent use.
type Store interface {
	SSOStore

	// CreateTenant creates a tenant with a fresh random ID. A taken name
	// is ErrExists, an empty one ErrInvalid.
	CreateTenant(ctx context.Context, name string, policy []byte) (Tenant, error)
	GetTenant(ctx context.Context, id string) (Tenant, error)
	GetTenantByName(ctx context.Context, name string) (Tenant, error)
	// ListTenants returns all tenants in name order.
	ListTenants(ctx context.Context) ([]Tenant, error)
	SetTenantPolicy(ctx context.Context, id string, policy []byte) error
	// DeleteTenant removes the tenant and all its data (tokens, resources,
	// memberships, events).
	DeleteTenant(ctx context.Context, id string) error

	// CreateToken stores a tenant token (t.TenantID must exist, else
	// ErrNotFound) and returns it with ID and Created filled in.
	CreateToken(ctx context.Context, t Token) (Token, error)
	// ListTokens returns the tenant's tokens, revoked ones included, in
	// creation order.
	ListTokens(ctx context.Context, tenantID string) ([]Token, error)
	// RevokeToken marks a token of that tenant revoked (ErrNotFound if the
	// tenant has no such token). Revoking twice is not an error.
	RevokeToken(ctx context.Context, tenantID, id string) error
	// LookupToken finds a valid (not revoked) tenant token by hash and
	// returns it with its tenant, or ErrNotFound.
	LookupToken(ctx context.Context, hash []byte) (Token, Tenant, error)

	// Admin tokens: the same shape without a tenant.
	CreateAdminToken(ctx context.Context, t Token) (Token, error)
	ListAdminTokens(ctx context.Context) ([]Token, error)
	RevokeAdminToken(ctx context.Context, id string) error
	LookupAdminToken(ctx context.Context, hash []byte) (Token, error)

	// Events returns up to limit events of the tenant with Seq > after, in
	// Seq order. limit <= 0 means DefaultEventLimit; it is capped at
	// MaxEventLimit. An unknown tenant is ErrNotFound. When PruneEvents
	// deleted events of the tenant after `after`, the answer is an
	// *EventsPrunedError instead.
	Events(ctx context.Context, tenantID string, after int64, limit int) ([]Event, error)
	// PruneEvents deletes the events of every tenant recorded before the
	// given time, remembering per tenant the highest Seq deleted, and
	// returns how many it deleted.
	PruneEvents(ctx context.Context, before time.Time) (int64, error)

	// Backend returns the SCIM resource storage. It acts on the tenant
	// bound to each call's ctx by WithTenant.
	Backend() backend.Backend

	Close() error
}

type tenantKey struct{}

// WithTenant binds a tenant ID to ctx for Backend calls.
func WithTenant(ctx context.Context, tenantID string) context.Context {
	return context.WithValue(ctx, tenantKey{}, tenantID)
}

// TenantFrom returns the tenant ID bound by WithTenant.
func TenantFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(tenantKey{}).(string)
	return id, ok && id != ""
}

// TenantSSO is a tenant's single sign-on settings at its OpenID provider
// (issue 13): the app portal signs the tenant's users in through Issuer as
// the OAuth 2.0 client ClientID.
type TenantSSO struct {
	TenantID string
	Issuer   string
	ClientID string
	// Secret is the client secret, encrypted (internal/secretbox).
	Secret  []byte
	Updated time.Time
}

// SSOStore keeps tenants' single sign-on settings; they go with their
// tenant.
type SSOStore interface {
	// SetTenantSSO creates or replaces the settings of sso.TenantID
	// (ErrNotFound for an unknown tenant); Updated is set by the store.
	SetTenantSSO(ctx context.Context, sso TenantSSO) error
	// GetTenantSSO returns the settings of a tenant (ErrNotFound: none).
	GetTenantSSO(ctx context.Context, tenantID string) (TenantSSO, error)
	// ListTenantSSO returns the settings of every tenant that has them.
	ListTenantSSO(ctx context.Context) ([]TenantSSO, error)
}
