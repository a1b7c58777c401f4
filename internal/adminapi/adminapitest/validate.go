// Package adminapitest checks the admin API against its OpenAPI 3
// description (internal/adminapi/openapi.json, adminapi.OpenAPISpec): a
// Validator's Transport checks every answer of /api/v1 a test client
// receives, so the description cannot drift from the handlers. It is for
// tests only, and imports no Provisio package so that adminapi's own
// tests can use it.
package adminapitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// TB is the part of testing.TB the transport reports to.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// Validator checks answers against one OpenAPI 3 description.
type Validator struct {
	router routers.Router
	prefix string // the path of the description's server, e.g. /api/v1
}

// New parses and validates an OpenAPI 3 description. Its first servers
// entry (e.g. /api/v1) is the path prefix of every operation; its
// response objects are closed (see closeResponses).
func New(spec []byte) (*Validator, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("load openapi description: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate openapi description: %w", err)
	}
	v := &Validator{}
	if len(doc.Servers) > 0 {
		v.prefix = strings.TrimRight(doc.Servers[0].URL, "/")
	}
	doc.Servers = nil // route by the path below the prefix
	closeResponses(doc)
	if v.router, err = legacy.NewRouter(doc); err != nil {
		return nil, fmt.Errorf("route openapi description: %w", err)
	}
	return v, nil
}

// Transport returns a RoundTripper that sends requests through next
// (nil: http.DefaultTransport) and reports to t every answer below the
// prefix whose status, headers or body the description does not allow.
// Other paths (SCIM, /healthz) pass unchecked.
func (v *Validator) Transport(t TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{v: v, t: t, next: next}
}

type transport struct {
	v    *Validator
	t    TB
	next http.RoundTripper
}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tr.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, tr.v.prefix+"/") {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, err
	}
	if err := tr.v.Check(req, resp.StatusCode, resp.Header, body); err != nil {
		tr.t.Helper()
		tr.t.Errorf("%v", err)
	}
	return resp, nil
}

// Check validates one answer to req against the description: nil if the
// description allows it. An error answer of a path or method the
// description does not have (404, 405) is allowed.
func (v *Validator) Check(req *http.Request, status int, header http.Header, body []byte) error {
	rreq := req.Clone(req.Context())
	rreq.URL.Path = strings.TrimPrefix(req.URL.Path, v.prefix)
	rreq.URL.RawPath = ""
	route, params, err := v.router.FindRoute(rreq)
	if err != nil {
		if status >= 400 {
			return nil
		}
		return fmt.Errorf("openapi: %s %s answered %d but the description has no such operation: %v", req.Method, req.URL.Path, status, err)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: rreq, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                opts,
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return fmt.Errorf("openapi: %s %s answered %d, which the description does not allow: %v\nbody: %.2000s", req.Method, req.URL.Path, status, err, body)
	}
	return nil
}

// closeResponses makes the check strict: an object of a response that
// lists its properties allows no others (as if additionalProperties were
// false), so a field a handler sends that the description does not name
// is a drift too. An allOf of plain objects is merged into one object
// first.
func closeResponses(doc *openapi3.T) {
	var roots []*openapi3.SchemaRef
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					roots = append(roots, mt.Schema)
				}
			}
		}
	}
	for _, pass := range []func(*openapi3.SchemaRef){mergeAllOf, closeObject} {
		seen := map[*openapi3.SchemaRef]bool{}
		for _, r := range roots {
			walk(r, seen, pass)
		}
	}
}

// walk calls fn on ref, then on every schema below it, once each.
func walk(ref *openapi3.SchemaRef, seen map[*openapi3.SchemaRef]bool, fn func(*openapi3.SchemaRef)) {
	if ref == nil || ref.Value == nil || seen[ref] {
		return
	}
	seen[ref] = true
	fn(ref)
	s := ref.Value
	for _, p := range s.Properties {
		walk(p, seen, fn)
	}
	walk(s.Items, seen, fn)
	walk(s.AdditionalProperties.Schema, seen, fn)
	for _, sub := range slices.Concat(s.AllOf, s.OneOf, s.AnyOf) {
		walk(sub, seen, fn)
	}
}

// mergeAllOf replaces an allOf of plain objects by one object with all
// their properties.
func mergeAllOf(ref *openapi3.SchemaRef) {
	s := ref.Value
	if len(s.AllOf) == 0 {
		return
	}
	merged := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{}, Description: s.Description}
	for _, part := range s.AllOf {
		p := part.Value
		if p == nil || !p.Type.Is(openapi3.TypeObject) || p.AdditionalProperties.Has != nil || p.AdditionalProperties.Schema != nil {
			return // not a plain merge of objects: leave it as written
		}
		maps.Copy(merged.Properties, p.Properties)
		merged.Required = append(merged.Required, p.Required...)
	}
	ref.Value = merged
}

// closeObject forbids properties an object schema does not list.
func closeObject(ref *openapi3.SchemaRef) {
	s := ref.Value
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		s.AdditionalProperties.Has = openapi3.Ptr(false)
	}
}
