package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/provisio-dev/provisio/scim"
)

// contentType is the media type of every response body (RFC 7644 §8.1).
const contentType = scim.MediaType

// writeJSON encodes v once and writes it with status and, if etag is not
// empty, an ETag header (RFC 7644 §3.14).
func writeJSON(w http.ResponseWriter, status int, v any, etag string) {
	b, err := scim.MarshalJSON(v)
	if err != nil {
		// Resources come from encoding/json or the backend's JSON; a value
		// that cannot be encoded is a server bug.
		panic(fmt.Sprintf("scim: encode response: %v", err))
	}
	hdr := w.Header()
	hdr.Set("Content-Type", contentType)
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	if etag != "" {
		hdr.Set("ETag", etag)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes an RFC 7644 §3.12 error body.
func writeError(w http.ResponseWriter, e *scim.Error) {
	writeJSON(w, e.Status, e, "")
}

// toSCIMError maps any error to the SCIM error the client sees, and
// reports whether it is a server fault whose real cause must be logged.
// Backend errors that are not *scim.Error, and *scim.Error with a 5xx
// status, become a 500 with a generic detail: internal detail never
// reaches the client.
func toSCIMError(err error) (e *scim.Error, serverFault bool) {
	var se *scim.Error
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &se) && se.Status >= 400 && se.Status < 500:
		return se, false
	case errors.As(err, &mbe):
		return scim.Errorf(http.StatusRequestEntityTooLarge, "", "request body exceeds %d bytes", mbe.Limit), false
	case errors.Is(err, context.Canceled):
		return scim.Errorf(http.StatusServiceUnavailable, "", "request canceled"), false
	case errors.Is(err, context.DeadlineExceeded):
		return scim.Errorf(http.StatusServiceUnavailable, "", "request timed out"), true
	}
	return scim.Errorf(http.StatusInternalServerError, "", "internal server error"), true
}

// fail answers with the SCIM error for err, logging server faults.
func (q *request) fail(err error) {
	e, fault := toSCIMError(err)
	if fault {
		q.h.log.ErrorContext(q.r.Context(), "scim: request failed", "method", q.r.Method, "path", q.r.URL.Path, "err", err)
	}
	writeError(q.w, e)
}

// readBody reads the request body up to limit bytes. The Content-Type is
// not enforced: Entra sends application/scim+json; charset=utf-8, Okta and
// Microsoft's Postman collection application/json, some clients none, and
// curl -d application/x-www-form-urlencoded; the body must be JSON whatever
// the header says.
func (q *request) readBody(limit int64) ([]byte, error) {
	if q.r.ContentLength > limit {
		return nil, scim.Errorf(http.StatusRequestEntityTooLarge, "", "request body of %d bytes exceeds %d bytes", q.r.ContentLength, limit)
	}
	body := http.MaxBytesReader(q.w, q.r.Body, limit)
	var b []byte
	var err error
	if n := q.r.ContentLength; n >= 0 {
		// One allocation of the announced size (net/http ends the body
		// there) instead of io.ReadAll's growing buffer.
		b = make([]byte, n)
		_, err = io.ReadFull(body, b)
	} else {
		b, err = io.ReadAll(body)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, scim.Errorf(http.StatusRequestEntityTooLarge, "", "request body exceeds %d bytes", limit)
		}
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "reading request body failed")
	}
	return b, nil
}

// decodeJSON unmarshals a message body into v, mapping failures to 400
// invalidSyntax (RFC 7644 §3.12: the body "did not conform to the request
// schema").
func decodeJSON(b []byte, v any) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "request body is empty")
	}
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		where := typ.Field
		if where == "" {
			where = "request body"
		}
		return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "%s: expected %s, got JSON %s", where, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	return scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "malformed JSON: %v", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "map", "struct":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int64", "float64":
		return "a number"
	}
	return "another type"
}

// decodeResource decodes a resource body: a JSON object.
func decodeResource(b []byte) (scim.Resource, error) {
	var doc scim.Resource
	if err := decodeJSON(b, &doc); err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, scim.Errorf(http.StatusBadRequest, scim.ScimTypeInvalidSyntax, "request body must be a JSON object")
	}
	return doc, nil
}
