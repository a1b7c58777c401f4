package dirsvc

import "github.com/provisio-dev/provisio/internal/store"

// The paging of ListUsers and ListGroups: the store's queries, named here
// so that the service's callers (the admin API) need not reach into the
// store.
type (
	UserQuery  = store.UserQuery
	GroupQuery = store.GroupQuery
	Deleted    = store.Deleted
)

// Deleted states and page sizes of a query.
const (
	ActiveOnly      = store.ActiveOnly
	DeletedOnly     = store.DeletedOnly
	AnyDeleted      = store.AnyDeleted
	DefaultPageSize = store.DefaultPageSize
	MaxPageSize     = store.MaxPageSize
)
