package adminapi

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/provisioning/jobs"
	"github.com/provisio-dev/provisio/internal/store"
	"github.com/provisio-dev/provisio/internal/tenant"
	"github.com/provisio-dev/provisio/scim/client"
)

// apiError is an error with its wire form: an HTTP status and a stable
// machine-readable code.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "bad_request", fmt.Sprintf(format, args...)}
}

func notFound(what string) *apiError {
	return &apiError{http.StatusNotFound, "not_found", what + " not found"}
}

// toAPIError maps any error to its wire form: the one place where
// internal errors become HTTP answers.
func toAPIError(err error) *apiError {
	var ae *apiError
	var maxErr *http.MaxBytesError
	var pe *publicError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &pe):
		return pe.apiError()
	case errors.Is(err, tenant.ErrUnauthorized):
		return &apiError{http.StatusUnauthorized, "unauthorized", "missing or invalid admin token"}
	case errors.As(err, &maxErr):
		return &apiError{http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("request body is larger than %d bytes", maxErr.Limit)}
	case errors.Is(err, tenant.ErrLastAdminToken):
		return &apiError{http.StatusConflict, "last_admin_token", "the last valid admin token cannot be revoked; create another first"}
	case errors.Is(err, tenant.ErrInvalid):
		return badRequest("%s", strings.TrimPrefix(err.Error(), tenant.ErrInvalid.Error()+": "))
	case errors.Is(err, store.ErrInvalid):
		return badRequest("invalid value")
	case errors.Is(err, store.ErrExists):
		return &apiError{http.StatusConflict, "conflict", "a tenant with that name already exists"}
	case errors.Is(err, store.ErrNotFound):
		return notFound("resource")
	}
	return &apiError{http.StatusInternalServerError, "internal", "internal server error"}
}

// publicError marks an error of the directory or job service whose
// message is fit for users (it names the object and the problem, never a
// secret): its sentinel picks the status and its text is the message.
type publicError struct{ err error }

func (e *publicError) Error() string { return e.err.Error() }
func (e *publicError) Unwrap() error { return e.err }

// public marks err as a service error fit for users; nil stays nil.
func public(err error) error {
	if err == nil {
		return nil
	}
	return &publicError{err}
}

// apiError maps a service error by its sentinel. Anything unrecognised
// is a 500 whose message is not shown.
func (e *publicError) apiError() *apiError {
	var connErr *client.ConnectionError
	var maxErr *http.MaxBytesError
	var csvErr *csv.ParseError
	msg := e.err.Error()
	switch {
	case errors.As(e.err, &maxErr):
		return toAPIError(maxErr)
	case errors.As(e.err, &csvErr): // a CSV import whose header is not CSV
		return &apiError{http.StatusBadRequest, "bad_request", msg}
	case errors.Is(e.err, store.ErrNotFound), errors.Is(e.err, jobs.ErrNotFound):
		return &apiError{http.StatusNotFound, "not_found", msg}
	case errors.Is(e.err, store.ErrExists):
		return &apiError{http.StatusConflict, "conflict", msg}
	case errors.Is(e.err, store.ErrInvalid), errors.Is(e.err, jobs.ErrInvalid):
		return &apiError{http.StatusBadRequest, "bad_request", msg}
	case errors.Is(e.err, jobs.ErrBusy):
		return &apiError{http.StatusConflict, "job_busy", msg + "; wait for it to end (see the job's status)"}
	case errors.Is(e.err, jobs.ErrCancelled):
		return &apiError{http.StatusConflict, "cycle_cancelled", msg + "; the job was stopped or deleted, or the server is shutting down"}
	case errors.Is(e.err, jobs.ErrClosed):
		return &apiError{http.StatusServiceUnavailable, "shutting_down", msg + "; try again on another server or once it is back"}
	case errors.Is(e.err, jobs.ErrNoToken):
		return &apiError{http.StatusConflict, "no_credentials", msg + "; run `provisio job configure` with --tenant-url and a token"}
	case errors.As(e.err, &connErr):
		return &apiError{http.StatusBadGateway, "target_" + string(connErr.Reason), msg}
	}
	return &apiError{http.StatusInternalServerError, "internal", "internal server error"}
}

// errUnavailable answers requests for a service this server runs without.
func errUnavailable(what string) *apiError {
	return &apiError{http.StatusServiceUnavailable, "unavailable", what + " is not enabled on this server"}
}

// writeErr answers with err's wire form; 5xx causes are logged, never sent.
func writeErr(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	ae := toAPIError(err)
	if ae.status >= 500 {
		log.ErrorContext(r.Context(), "admin api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="provisio-admin"`)
	}
	writeJSON(w, ae.status, apitypes.ErrorBody{Error: apitypes.Error{Code: ae.code, Message: ae.message}})
}

// writeJSON writes v as the JSON response body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own response types reach here; they always marshal.
		http.Error(w, `{"error":{"code":"internal","message":"internal server error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// decodeBody reads a JSON request body of at most max bytes into v:
// exactly one JSON value, no unknown fields. An empty body leaves v
// untouched if allowEmpty, else it is a 400. Every failure is a 4xx.
func decodeBody(w http.ResponseWriter, r *http.Request, max int64, v any, allowEmpty bool) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "request body must be application/json"}
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) && allowEmpty {
			return nil
		}
		return jsonError(err)
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		if err == nil {
			return badRequest("request body must hold a single JSON value")
		}
		return jsonError(err)
	}
	return nil
}

// jsonError turns a decoding error into a precise 4xx.
func jsonError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("request body is empty; want a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body is truncated JSON")
	case errors.As(err, &syntaxErr):
		return badRequest("malformed JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badRequest("request body must be a JSON %s, not %s", "object", typeErr.Value)
		}
		return badRequest("field %q: want %s, got %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("invalid JSON: %s", err.Error())
}
