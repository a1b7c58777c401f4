package dirsvc

import (
	"encoding/csv"
	"errors"

	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/svcerr"
)

// Errors of the directory service (service errors, see svcerr); test with
// errors.Is. Every error the service reports for a bad request wraps one
// of them, in a message that names the object, the field or what
// conflicted (`userPrincipalName "a@x": already exists`).
var (
	// ErrNotFound: no user, group, app or assignment by that reference.
	ErrNotFound = svcerr.New(svcerr.NotFound, "", "not found")
	// ErrExists: a userPrincipalName, objectId, group displayName or app
	// name is taken; the message names which.
	ErrExists = svcerr.New(svcerr.Conflict, "", "already exists")
	// ErrInvalid: an attribute value or a reference is not acceptable;
	// the message names the field.
	ErrInvalid = svcerr.New(svcerr.Invalid, "", "invalid record")
)

// owned are the store's sentinels and the service's own of each kind.
var owned = []svcerr.Translation{
	{From: store.ErrNotFound, To: ErrNotFound},
	{From: store.ErrExists, To: ErrExists},
	{From: store.ErrInvalid, To: ErrInvalid},
}

// own turns an error of the store or of a source into the service's own,
// its message unchanged (svcerr.Own): one wrapping a store sentinel
// becomes an instance of the service's sentinel of that kind, a malformed
// CSV file is invalid; a service error, and any other (a failing
// database), is returned as it is. nil stays nil.
func own(err error) error {
	var pe *csv.ParseError
	if svcerr.KindOf(err) == 0 && errors.As(err, &pe) {
		return ErrInvalid.With("%s", err)
	}
	return svcerr.Own(err, owned...)
}
