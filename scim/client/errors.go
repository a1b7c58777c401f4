package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// Sentinel causes carried in [Error.Err].
var (
	// ErrNotSCIM: a response that should carry a SCIM JSON body does not
	// (wrong content type, not JSON, or not the expected message).
	ErrNotSCIM = errors.New("response is not a SCIM JSON message")
	// ErrTooLarge: the response body exceeded the client's size limit.
	ErrTooLarge = errors.New("response body too large")
	// ErrTimeout: one attempt exceeded the per-request timeout.
	ErrTimeout = errors.New("request timed out")
	// ErrNotAllowed: the dial control function ([WithDialControl])
	// refused the address; wrap it in the control's error. Such a request
	// is not retried.
	ErrNotAllowed = errors.New("address not allowed")
)

// Error is the error every request method returns once a request has been
// built: an HTTP error status, a transport failure, or an unusable response.
// It wraps the parsed SCIM error body (RFC 7644 §3.12) and the transport
// cause, so errors.Is and errors.As see both.
type Error struct {
	Method     string
	URL        string        // request URL (never contains credentials)
	StatusCode int           // HTTP status; 0 if no response was received
	SCIM       *scim.Error   // the parsed SCIM error body, if the server sent one
	RetryAfter time.Duration // the server's Retry-After, if any (429, 503)
	Attempts   int           // attempts made, including the first
	Err        error         // transport or decoding cause; nil for a plain HTTP error status
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "scim client: %s %s", e.Method, e.URL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": status %d", e.StatusCode)
		if e.SCIM != nil && (e.SCIM.ScimType != "" || e.SCIM.Detail != "") {
			b.WriteString(" (")
			if e.SCIM.ScimType != "" {
				b.WriteString(e.SCIM.ScimType + ": ")
			}
			b.WriteString(e.SCIM.Detail + ")")
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap exposes the transport cause and the SCIM error body.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.SCIM != nil {
		errs = append(errs, e.SCIM)
	}
	return errs
}

// Timeout reports whether the request failed because an attempt timed out.
func (e *Error) Timeout() bool {
	if errors.Is(e.Err, ErrTimeout) {
		return true
	}
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

func statusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is an HTTP 404 from the target.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsConflict reports whether err is an HTTP 409 (e.g. scimType uniqueness).
func IsConflict(err error) bool { return statusOf(err) == http.StatusConflict }

// IsUnauthorized reports whether the target refused the credentials:
// HTTP 401 or 403.
func IsUnauthorized(err error) bool {
	s := statusOf(err)
	return s == http.StatusUnauthorized || s == http.StatusForbidden
}

// IsRetryable reports whether a later attempt of the same request may
// succeed: 429, 500, 502, 503, 504, timeouts and network failures. TLS
// verification failures, oversized or non-SCIM responses, a cancelled
// context and other 4xx statuses are not retryable.
func IsRetryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.StatusCode != 0 {
		return retryableStatus(e.StatusCode)
	}
	return transientTransport(e.Err)
}

// MayHaveApplied reports whether a failed request may nevertheless have
// been applied by the server: its answer was lost (the connection dropped
// after the request was sent, or an attempt timed out) or the server
// answered 500, 502 or 504. A create that failed so may exist on the
// target: look for it before sending it again. DNS and connect failures,
// 429 and 503 (the server refused to process it) and other statuses were
// not applied.
func MayHaveApplied(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.StatusCode {
	case 0:
		return !notSent(e.Err) && transientTransport(e.Err)
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// transientTransport classifies an error from sending a request or reading
// its response: everything but the failures listed here (which a retry
// cannot fix) is taken as a network problem worth another attempt.
func transientTransport(err error) bool {
	return err != nil && !isTLSError(err) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrNotSCIM) && !errors.Is(err, ErrNotAllowed) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, errCredentials) && !errors.Is(err, errInvalidRequest)
}

// notSent reports errors that prove the request never reached the server
// and a retry may succeed: name resolution and TCP connect failures, not
// a refusal of the dial control.
func notSent(err error) bool {
	if errors.Is(err, ErrNotAllowed) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func isTLSError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		// net/http reports an https request to a plain-http port only as text.
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// Internal causes that no retry can fix.
var (
	errCredentials    = errors.New("bearer token")    // the token source failed
	errInvalidRequest = errors.New("invalid request") // http.NewRequest refused the request
)
