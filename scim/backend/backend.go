// Package backend defines the storage contract of a SCIM service provider:
// the interface scim/server calls and a store implements. It holds no
// HTTP code, so stores can implement it without importing the server.
package backend

import (
	"context"

	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/filter"
	"github.com/provisio-dev/provisio/scim/patch"
)

// Backend stores resources for a scim/server Handler. Implementations own identifiers,
// timestamps, versions and concurrency; the Handler owns the protocol.
//
// Multi-tenant servers bind the tenant through ctx (the Handler passes the
// request context through unchanged).
//
// Errors: return *scim.Error for protocol outcomes (404 notFound, 409
// uniqueness, 412 version mismatch); any other error becomes a 500 whose
// detail is not shown to the client.
type Backend interface {
	// Create stores a new resource. doc is validated and canonical, without
	// id and meta; for groups it may contain "members". The backend assigns
	// id, meta.created, meta.lastModified, meta.version and
	// meta.resourceType and returns the stored resource (members included).
	Create(ctx context.Context, rt *scim.ResourceType, doc scim.Resource) (scim.Resource, error)

	// Get returns one resource. Members are loaded only if opts.Members.
	Get(ctx context.Context, rt *scim.ResourceType, id string, opts GetOptions) (scim.Resource, error)

	// Update changes a resource atomically: it loads the current document
	// (without members), checks ifMatch ("" = no check, "*" = any) against
	// meta.version, calls change.Apply on a copy, applies change.Members to
	// the membership, and stores the result with a new version, retrying
	// the whole read-modify-write on a concurrent-update conflict. If
	// Apply returns an error nothing is written and that error is returned.
	// Apply is the client's work (a PATCH of up to thousands of
	// operations): call it outside any lock or transaction that other
	// writers wait for, as often as retries need. If Apply returns the
	// document unchanged and Members is nil, write nothing and return the
	// resource as it is, version and lastModified unchanged (RFC 7644
	// §3.5.2.1: an add of what is already there changes nothing).
	// The returned resource includes members only if opts.Members.
	Update(ctx context.Context, rt *scim.ResourceType, id string, ifMatch string, change Change, opts GetOptions) (scim.Resource, error)

	// Delete removes a resource (and its memberships, both as group and as member).
	Delete(ctx context.Context, rt *scim.ResourceType, id string, ifMatch string) error

	// List returns the resources matching q.Filter (nil = all), sorted by
	// q.SortBy (zero = stable creation order), the page starting at
	// q.StartIndex (1-based) with at most q.Count items, and the exact
	// total count of matches.
	List(ctx context.Context, rt *scim.ResourceType, q Query) (Page, error)
}

// GetOptions selects what a read returns.
type GetOptions struct {
	Members bool // load group members
}

// Change describes an update. Apply receives the current document (without
// members) and returns the new one (without members); nil Apply keeps the
// document. Members, if non-nil, changes the group's membership.
type Change struct {
	Apply   func(current scim.Resource) (scim.Resource, error)
	Members *patch.MembersChange
}

// Query is a list request after parsing (RFC 7644 §3.4.2).
type Query struct {
	Filter     filter.Expr   // nil: all resources
	SortBy     scim.AttrPath // zero: creation order
	Descending bool
	StartIndex int // 1-based, >= 1
	Count      int // >= 0
	Members    bool
	// Raw lets the backend answer with Page.Raw instead of
	// Page.Resources. The server sets it when it would send the stored
	// attributes as they are (default projection, no members), so that a
	// backend keeping documents as JSON need not decode them. Never set
	// together with Members.
	Raw bool
}

// Page is one page of a list.
type Page struct {
	Resources []scim.Resource
	// Raw holds the page instead of Resources when the backend answers a
	// Raw query so (non-nil, possibly empty); Resources is then ignored.
	Raw   []RawResource
	Total int
}

// RawResource is a stored resource whose attributes are still JSON.
type RawResource struct {
	ID string
	// Attributes is the canonical document as a compact JSON object:
	// every attribute but "id", "meta" and "members".
	Attributes []byte
	// meta.created and meta.lastModified (RFC 3339) and meta.version, an
	// entity tag (RFC 7644 §3.14), as the backend renders them elsewhere.
	Created, LastModified, Version string
}
