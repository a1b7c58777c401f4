package server

import (
	"context"
	"fmt"
	"strings"
)

// Policy holds every deliberate compatibility choice of the service
// provider: the points where RFC 7644 and real clients (Microsoft Entra ID,
// Okta, Microsoft's Postman collection, Okta's SPEC test) disagree. The
// embedding service stores one per tenant (it is plain JSON) and passes it
// per request with [WithPolicy]; [Config.Policy] is the fallback.
//
// What is NOT a policy point, because every client is served by one
// behaviour and no client is hurt by it: Accept and Content-Type headers
// are never enforced (bodies must be JSON); resource endpoints and attribute names
// are case-insensitive; string booleans ("True") are accepted; unknown URIs
// in "schemas" are tolerated; unknown query parameters (Entra's
// aadOptscim062020) are ignored; GET returns inactive users; a filter that
// matches nothing answers 200 with an empty ListResponse.
type Policy struct {
	// LenientFilters accepts filter comparison values outside the RFC 7644
	// §3.4.2.2 grammar, as sent by Microsoft's Postman collection and
	// shown in Entra's documentation: unquoted strings and dates
	// (`userName sw O`, `externalId eq jyoung`,
	// `meta.created gt 2015-10-10T14:38:21.8617979-07:00`). Every filter
	// that is valid under the grammar means the same thing either way, so
	// the only cost of leniency is that some malformed filters are answered
	// instead of rejected with 400 invalidFilter.
	// Default: true. PolicyRFC: false.
	LenientFilters bool `json:"lenientFilters"`

	// PatchResponse selects the answer to a successful PATCH. RFC 7644
	// §3.5.2 allows both "200 OK with the resource" and "204 No Content".
	//   - "200" (PatchResource): 200 with the resource (projected by
	//     attributes/excludedAttributes) for every resource type.
	//   - "204" (PatchNoContent): 204 for every resource type; this is
	//     what Microsoft's Postman collection asserts on every PATCH and
	//     what Entra's documentation shows for groups; Microsoft states
	//     that 204 is fine for users in production.
	//   - "auto" (PatchAuto): 204 for resource types with members
	//     (groups: Entra documents 204 and advises against returning all
	//     members, which may be 100,000) and 200 with the resource for the
	//     others (users: Okta's SCIM guide shows the updated user returned,
	//     and the Microsoft SCIM Validator expected it in a reported run).
	//     Okta's SPEC test sends no PATCH at all, so nothing in the suites
	//     pins Okta's group PATCH answer; RFC 7644 §3.5.2 obliges every
	//     client to accept 204.
	// The empty string means "auto". Default: "auto". PolicyRFC: "200".
	// PolicyEntra: "204". PolicyOkta: "auto".
	PatchResponse string `json:"patchResponse"`

	// ValuePathUpsert makes a PATCH add or replace on a value path that
	// matches no element (`emails[type eq "work"].value` on a user without
	// a work e-mail) create the element, as Entra requires. Off, such a
	// replace fails with 400 noTarget as RFC 7644 §3.5.2.3 says.
	// Default: true. PolicyRFC: false.
	ValuePathUpsert bool `json:"valuePathUpsert"`

	// UnknownAttributes decides what happens to attributes that no schema
	// of the resource type defines, on POST, PUT and PATCH: "ignore" drops
	// them (Microsoft's Postman collection PUTs a misspelled "adreses" and
	// expects 200; Entra sends custom extension attributes without listing
	// their schema), "reject" answers 400 naming the attribute
	// (invalidSyntax for a POST or PUT body, invalidPath for a PATCH path). The empty string means "ignore".
	// Default: "ignore". PolicyRFC: "reject".
	UnknownAttributes string `json:"unknownAttributes"`
}

// PatchResponse values.
const (
	PatchAuto      = "auto"
	PatchResource  = "200"
	PatchNoContent = "204"
)

// UnknownAttributes values.
const (
	UnknownIgnore = "ignore"
	UnknownReject = "reject"
)

// Policy presets. DefaultPolicy is what a new tenant should get: it works
// with Entra ID (with and without aadOptscim062020) and Okta alike; the
// only point where one client's suite disagrees with it is Microsoft's
// Postman collection asserting 204 on user PATCH, which PolicyEntra covers.
var (
	DefaultPolicy = Policy{LenientFilters: true, PatchResponse: PatchAuto, ValuePathUpsert: true, UnknownAttributes: UnknownIgnore}
	PolicyRFC     = Policy{LenientFilters: false, PatchResponse: PatchResource, ValuePathUpsert: false, UnknownAttributes: UnknownReject}
	PolicyEntra   = Policy{LenientFilters: true, PatchResponse: PatchNoContent, ValuePathUpsert: true, UnknownAttributes: UnknownIgnore}
	PolicyOkta    = Policy{LenientFilters: true, PatchResponse: PatchAuto, ValuePathUpsert: true, UnknownAttributes: UnknownIgnore}
)

// PolicyByName returns a preset by name, case-insensitively: "default",
// "rfc", "entra" or "okta".
func PolicyByName(name string) (Policy, bool) {
	switch strings.ToLower(name) {
	case "default", "":
		return DefaultPolicy, true
	case "rfc":
		return PolicyRFC, true
	case "entra":
		return PolicyEntra, true
	case "okta":
		return PolicyOkta, true
	}
	return Policy{}, false
}

// Validate reports a policy with values outside the documented sets.
func (p Policy) Validate() error {
	switch p.PatchResponse {
	case "", PatchAuto, PatchResource, PatchNoContent:
	default:
		return fmt.Errorf("policy: patchResponse %q: want %q, %q or %q", p.PatchResponse, PatchAuto, PatchResource, PatchNoContent)
	}
	switch p.UnknownAttributes {
	case "", UnknownIgnore, UnknownReject:
	default:
		return fmt.Errorf("policy: unknownAttributes %q: want %q or %q", p.UnknownAttributes, UnknownIgnore, UnknownReject)
	}
	return nil
}

// patchNoContent reports whether a PATCH on a resource type answers 204.
func (p Policy) patchNoContent(groupLike bool) bool {
	switch p.PatchResponse {
	case PatchNoContent:
		return true
	case PatchResource:
		return false
	default:
		return groupLike
	}
}

type ctxKey int

const (
	baseURLKey ctxKey = iota
	policyKey
)

// WithBaseURL returns a context that makes the Handler use base (the SCIM
// base URL of the tenant, e.g. "https://h/scim/t1/v2", without trailing
// slash) in meta.location and Location headers. Without it the Handler
// derives the base from the request's host and the path before the SCIM
// endpoint.
func WithBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey, strings.TrimRight(base, "/"))
}

// WithPolicy returns a context that makes the Handler apply p to the
// request instead of Config.Policy.
func WithPolicy(ctx context.Context, p Policy) context.Context {
	return context.WithValue(ctx, policyKey, p)
}
