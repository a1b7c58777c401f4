// Package svcerr is the vocabulary of service errors. A service (tenants,
// the directory, provisioning jobs) owns its errors: each is an *Error of
// a Kind (not found, conflict, invalid, unauthorized, busy, unavailable)
// whose message is fit for users, and never the store's sentinel passed
// on. A boundary maps the kind to its wire form in one place (adminapi's
// toAPIError). It imports nothing of Provisio.
package svcerr

import (
	"errors"
	"fmt"
)

// Kind is what kind of failure a service error is.
type Kind uint8

// Kinds of service errors.
const (
	NotFound     Kind = iota + 1 // no such object
	Conflict                     // the object exists, or its state forbids the change
	Invalid                      // the input is not acceptable; the message names the field
	Unauthorized                 // missing or invalid credentials
	Busy                         // the object is in use elsewhere; try again later
	Unavailable                  // the service is shutting down
)

var kindNames = [...]string{"", "not found", "conflict", "invalid", "unauthorized", "busy", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is a service error. Code, when set, names the failure more
// precisely than its kind for clients that act on it ("last_admin_token",
// "job_busy"). Wrap it with fmt.Errorf's %w to add context; the whole
// message stays fit for users.
type Error struct {
	Kind Kind
	Code string
	Msg  string
	// Of is the sentinel this error is an instance of (see With); errors.Is
	// finds it.
	Of *Error
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error {
	if e.Of == nil {
		return nil
	}
	return e.Of
}

// With returns an instance of the sentinel e with a more precise message
// (naming the field, the object, what conflicted): of e's kind and code,
// and errors.Is(err, e) holds.
func (e *Error) With(format string, args ...any) *Error {
	return &Error{Kind: e.Kind, Code: e.Code, Msg: fmt.Sprintf(format, args...), Of: e}
}

// New returns a service error; use it for a service's sentinels.
func New(kind Kind, code, msg string) *Error { return &Error{Kind: kind, Code: code, Msg: msg} }

// Errorf returns a service error of kind with a formatted message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// As returns the first service error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf is the kind of the first service error in err's chain; 0 if it
// holds none.
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.Kind
	}
	return 0
}

// Translation pairs another layer's sentinel (a store's) with a service's
// own error of the same kind.
type Translation struct {
	From error
	To   *Error
}

// Own returns err as an instance of the To of the first translation whose
// From it wraps, its message unchanged; a service error, an error no
// translation knows (a failing database) and nil are returned as they
// are. Each service owns its errors this way, so the admin API maps only
// service errors.
func Own(err error, table ...Translation) error {
	if err == nil || KindOf(err) != 0 {
		return err
	}
	for _, t := range table {
		if errors.Is(err, t.From) {
			return t.To.With("%s", err)
		}
	}
	return err
}
