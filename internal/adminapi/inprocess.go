package adminapi

import (
	"context"
	"net/http"
)

// inProcessKey marks a request that came through [API.InProcess]: only
// then is an actor put in the context by [WithActor] honoured.
type inProcessKey struct{}

// errNoActor: an in-process request without [WithActor].
var errNoActor = &apiError{http.StatusUnauthorized, "unauthorized", "in-process request without an actor"}

// WithActor returns ctx carrying the already-authenticated administrator
// (name, e.g. the UPN, and object id) that a request served by
// [API.InProcess] runs as: the audit log records them as its actor.
func WithActor(ctx context.Context, name, id string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor{name, id})
}

// InProcess returns the API's handler for callers inside the process
// (the admin web UI) that authenticated the administrator themselves: it
// skips the bearer token check and runs each request as the actor of
// [WithActor] in its context; a request without one is a 401. Never mount
// it on a listener: it trusts its caller.
func (a *API) InProcess() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Del("Authorization")
		a.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), inProcessKey{}, true)))
	})
}

// inProcessActor reports the actor of a request that came through
// InProcess; errNoActor when it has none, ok false for any other request.
func inProcessActor(r *http.Request) (ok bool, err error) {
	if in, _ := r.Context().Value(inProcessKey{}).(bool); !in {
		return false, nil
	}
	if act, _ := r.Context().Value(actorKey{}).(actor); act.name == "" && act.id == "" {
		return true, errNoActor
	}
	return true, nil
}
