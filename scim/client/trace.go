package client

import "context"

// Exchange is one attempt of a request, as a trace reports it.
type Exchange struct {
	Method string
	// Path is relative to the Tenant URL, with the query: "/Users",
	// `/Users?filter=userName+eq+%22alice%22`.
	Path string
	// Status is the answer's HTTP status; 0 when none came (a network
	// failure or a timeout).
	Status int
}

type traceKey struct{}

// ContextWithTrace returns a context whose requests report every attempt
// to fn once it has ended, as net/http/httptrace does for one request: a
// caller sees what it sent and what the target answered without a client
// of its own. fn must be safe for concurrent use when requests of ctx run
// concurrently.
func ContextWithTrace(ctx context.Context, fn func(Exchange)) context.Context {
	return context.WithValue(ctx, traceKey{}, fn)
}

// trace reports an attempt of req to ctx's trace, if any.
func trace(ctx context.Context, req *request, resp *response) {
	fn, _ := ctx.Value(traceKey{}).(func(Exchange))
	if fn == nil {
		return
	}
	x := Exchange{Method: req.method, Path: "/" + req.path}
	if len(req.query) > 0 {
		x.Path += "?" + req.query.Encode()
	}
	if resp != nil {
		x.Status = resp.status
	}
	fn(x)
}
