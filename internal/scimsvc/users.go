package scimsvc

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/scim"
	"github.com/provisio-dev/provisio/scim/backend"
	"github.com/provisio-dev/provisio/scim/filter"
)

// ErrNoUser: the tenant has no User with that userName or id.
var ErrNoUser = errors.New("no such user")

// Users reads a tenant's SCIM Users outside the protocol, for the app
// portal's sign-in (internal/portal). It is safe for concurrent use.
type Users struct {
	b  backend.Backend
	rt *scim.ResourceType
}

// NewUsers returns Users over b (the store's SCIM backend).
func NewUsers(b backend.Backend) (*Users, error) {
	rt, ok := scim.NewStandardRegistry().ResourceType("User")
	if !ok {
		return nil, errors.New("scimsvc: no User resource type")
	}
	return &Users{b: b, rt: rt}, nil
}

// ByUserName returns the tenant's User whose userName is userName
// (case-insensitive, RFC 7643 §4.1.1); ErrNoUser when there is none.
func (u *Users) ByUserName(ctx context.Context, tenantID, userName string) (scim.Resource, error) {
	q := backend.Query{StartIndex: 1, Count: 1,
		Filter: &filter.Compare{Path: scim.AttrPath{Name: "userName"}, Op: filter.Eq, Value: userName}}
	page, err := u.b.List(store.WithTenant(ctx, tenantID), u.rt, q)
	if err != nil {
		return nil, fmt.Errorf("find user %q of tenant %q: %w", userName, tenantID, err)
	}
	if len(page.Resources) == 0 {
		return nil, fmt.Errorf("find user %q of tenant %q: %w", userName, tenantID, ErrNoUser)
	}
	return page.Resources[0], nil
}

// ByID returns the tenant's User id: one primary-key read, cheap enough
// for every request of a session; ErrNoUser when there is none.
func (u *Users) ByID(ctx context.Context, tenantID, id string) (scim.Resource, error) {
	r, err := u.b.Get(store.WithTenant(ctx, tenantID), u.rt, id, backend.GetOptions{})
	var se *scim.Error
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return nil, fmt.Errorf("get user %q of tenant %q: %w", id, tenantID, ErrNoUser)
	}
	if err != nil {
		return nil, fmt.Errorf("get user %q of tenant %q: %w", id, tenantID, err)
	}
	return r, nil
}
