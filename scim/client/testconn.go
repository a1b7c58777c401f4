package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/uuid"
	"github.com/provisio-dev/provisio/scim"
)

// Reason classifies why [Client.TestConnection] failed.
type Reason string

// Reasons a connection test fails, with the advice each implies.
const (
	ReasonUnreachable Reason = "unreachable"    // DNS lookup or TCP connect failed: check the Tenant URL's host and port
	ReasonTLS         Reason = "tls"            // TLS handshake or certificate verification failed
	ReasonTimeout     Reason = "timeout"        // no complete answer within the request timeout
	ReasonCredentials Reason = "credentials"    // 401/403: the Secret Token was refused; or the token source failed
	ReasonNotFound    Reason = "not-found"      // 404: no Users endpoint below the Tenant URL
	ReasonNotSCIM     Reason = "not-scim"       // the answer is not a SCIM ListResponse
	ReasonFilter      Reason = "filter-ignored" // the random-GUID query returned resources
	ReasonStatus      Reason = "unexpected-status"
	ReasonNetwork     Reason = "network" // connection dropped mid-request
	// ReasonNotAllowed: the dial control ([WithDialControl]) refused the
	// address the Tenant URL's host resolved to.
	ReasonNotAllowed Reason = "not-allowed"
)

// ConnectionError explains a failed [Client.TestConnection].
type ConnectionError struct {
	Reason Reason
	Err    error // the underlying *Error or transport error
}

func (e *ConnectionError) Error() string {
	return fmt.Sprintf("test connection: %s: %v", e.explain(), e.Err)
}

func (e *ConnectionError) Unwrap() error { return e.Err }

func (e *ConnectionError) explain() string {
	switch e.Reason {
	case ReasonUnreachable:
		return "the Tenant URL's host cannot be reached (DNS lookup or TCP connect failed)"
	case ReasonTLS:
		return "the TLS handshake failed (certificate not trusted or not valid for this host, or not a TLS endpoint)"
	case ReasonTimeout:
		return "the SCIM service did not answer in time"
	case ReasonCredentials:
		if errors.Is(e.Err, errCredentials) {
			return "no bearer token could be obtained"
		}
		return "the SCIM service refused the Secret Token"
	case ReasonNotFound:
		return "the Tenant URL has no Users endpoint (HTTP 404); check the URL's path"
	case ReasonNotSCIM:
		return "the answer is not a SCIM ListResponse; check that the Tenant URL points at the SCIM base"
	case ReasonFilter:
		return "a query for a random GUID returned resources; the service seems to ignore filters"
	case ReasonNetwork:
		return "the connection failed during the request"
	case ReasonNotAllowed:
		return "connections to the Tenant URL's address are not allowed here"
	}
	return "the SCIM service answered with an unexpected status"
}

// TestConnection does what Microsoft Entra ID's Test Connection does: one
// GET /Users?filter=<matchingAttr> eq "<random GUID>" (no retries), which
// must answer 200 with an empty ListResponse. matchingAttr defaults to
// "userName". A failure is a *ConnectionError whose Reason says what is
// wrong.
func (c *Client) TestConnection(ctx context.Context, matchingAttr string) error {
	if matchingAttr == "" {
		matchingAttr = "userName"
	}
	q := Query{Filter: Eq(matchingAttr, uuid.NewString())}
	resp, err := c.do(ctx, &request{method: http.MethodGet, path: "Users", query: q.values(), maxAttempts: 1})
	if err != nil {
		return &ConnectionError{Reason: classify(err), Err: err}
	}
	var lr scim.ListResponse
	if err := resp.decode(&lr); err != nil {
		return &ConnectionError{Reason: ReasonNotSCIM, Err: err}
	}
	if !slices.Contains(lr.Schemas, scim.ListResponseMessage) {
		return &ConnectionError{Reason: ReasonNotSCIM, Err: fmt.Errorf("%w: schemas %q lack %s", ErrNotSCIM, lr.Schemas, scim.ListResponseMessage)}
	}
	if lr.TotalResults != 0 || len(lr.Resources) != 0 {
		return &ConnectionError{Reason: ReasonFilter, Err: fmt.Errorf("filter %s matched %d resources", q.Filter, max(lr.TotalResults, len(lr.Resources)))}
	}
	return nil
}

func classify(err error) Reason {
	var e *Error
	if !errors.As(err, &e) {
		return ReasonStatus
	}
	switch {
	case e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden:
		return ReasonCredentials
	case e.StatusCode == http.StatusNotFound:
		return ReasonNotFound
	case e.StatusCode != 0:
		return ReasonStatus
	case errors.Is(e.Err, errCredentials):
		return ReasonCredentials
	case errors.Is(e.Err, ErrNotAllowed):
		return ReasonNotAllowed
	case isTLSError(e.Err):
		return ReasonTLS
	case e.Timeout():
		return ReasonTimeout
	case notSent(e.Err):
		return ReasonUnreachable
	case errors.Is(e.Err, ErrTooLarge):
		return ReasonNotSCIM
	}
	return ReasonNetwork
}
