package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/provisio-dev/provisio/internal/apitypes"
	"github.com/provisio-dev/provisio/internal/expr"
	"github.com/provisio-dev/provisio/internal/svcerr"
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

// toAPIError maps any error to its wire form: the one place where errors
// become HTTP answers. A service error (svcerr) answers with its kind's
// status, its code (else the kind's) and its message; anything
// unrecognised is a 500 whose cause is logged by writeErr, never sent.
func toAPIError(err error) *apiError {
	var ae *apiError
	var maxErr *http.MaxBytesError
	var connErr *client.ConnectionError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &maxErr):
		return &apiError{http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("request body is larger than %d bytes", maxErr.Limit)}
	}
	if se, ok := svcerr.As(err); ok && kindStatus[se.Kind] != 0 {
		status, code, msg := kindStatus[se.Kind], kindCode[se.Kind], err.Error()
		switch {
		case se.Kind == svcerr.Unauthorized: // never say why
			msg = "missing or invalid admin token"
		case se.Code != "":
			code, msg = se.Code, msg+codeHints[se.Code]
		}
		return &apiError{status, code, msg}
	}
	if se := (*expr.SyntaxError)(nil); errors.As(err, &se) {
		return badRequest("%v", err)
	}
	if errors.As(err, &connErr) { // a job's target failed
		return &apiError{http.StatusBadGateway, "target_" + string(connErr.Reason), err.Error()}
	}
	return &apiError{http.StatusInternalServerError, "internal", "internal server error"}
}

// kindStatus and kindCode are the wire form of each kind of service error.
var (
	kindStatus = map[svcerr.Kind]int{svcerr.NotFound: http.StatusNotFound, svcerr.Conflict: http.StatusConflict,
		svcerr.Invalid: http.StatusBadRequest, svcerr.Unauthorized: http.StatusUnauthorized,
		svcerr.Busy: http.StatusConflict, svcerr.Unavailable: http.StatusServiceUnavailable}
	kindCode = map[svcerr.Kind]string{svcerr.NotFound: "not_found", svcerr.Conflict: "conflict",
		svcerr.Invalid: "bad_request", svcerr.Unauthorized: "unauthorized",
		svcerr.Busy: "conflict", svcerr.Unavailable: "unavailable"}
)

// codeHints tell an admin what to do about a coded service error.
var codeHints = map[string]string{
	"last_admin_token": "; create another first",
	"job_busy":         "; wait for it to end (see the job's status)",
	"cycle_cancelled":  "; the job was stopped or deleted, or the server is shutting down",
	"shutting_down":    "; try again on another server or once it is back",
	"no_credentials":   "; run `provisio job configure` with --tenant-url and a token",
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
	body := apitypes.Error{Code: ae.code, Message: ae.message}
	if se := (*expr.SyntaxError)(nil); ae.status == http.StatusBadRequest && errors.As(err, &se) {
		body.Position, body.Hint = &se.Pos, se.Hint
	}
	writeJSON(w, ae.status, apitypes.ErrorBody{Error: body})
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
