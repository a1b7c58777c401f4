// Package server is a SCIM 2.0 service provider as an http.Handler
// (RFC 7644) over a small storage interface, [backend.Backend]. A Go
// application embeds it to receive provisioning from Microsoft Entra ID,
// Okta or any other SCIM client; Provisio mounts one per tenant under
// /scim/{tenant}/v2 after checking the bearer token.
//
// It owns the protocol; the backend owns storage, ids, versions and
// uniqueness. Endpoints (resource endpoints come from the registry's
// resource types, so custom resource types work):
//
//   - /{Endpoint} (/Users, /Groups): POST creates (§3.3; 201, Location,
//     ETag), GET lists (§3.4.2: filter, startIndex/count, sortBy/sortOrder,
//     attributes/excludedAttributes).
//   - /{Endpoint}/{id}: GET (§3.4.1; If-None-Match → 304), PUT (§3.5.1),
//     PATCH (§3.5.2; 200 with the resource or 204 per [Policy]; at most
//     [Config].PatchMaxOperations operations, 413 beyond), DELETE (§3.6;
//     204). If-Match on PUT, PATCH and DELETE (§3.14; 412 on mismatch).
//     After POST, PUT and PATCH a multi-valued attribute other than a
//     group's members holds at most [Config].MaxValues values (400
//     invalidValue beyond); both limits are advertised under "patch" in
//     /ServiceProviderConfig.
//   - POST /{Endpoint}/.search and POST /.search (§3.4.3).
//   - /Schemas, /Schemas/{id}, /ResourceTypes, /ResourceTypes/{name},
//     /ServiceProviderConfig (§4; Entra's /serviceConfiguration alias too).
//   - POST /Bulk (§3.7) with bulkId references, failOnErrors and the
//     advertised maxOperations / maxPayloadSize (413 beyond them).
//
// Every error is an RFC 7644 §3.12 body with the status as a string and a
// scimType where Table 9 has one: malformed JSON is 400 invalidSyntax, a
// value of the wrong type 400 invalidValue, a bad filter 400 invalidFilter
// with the parser's position, an over-long body 413, a uniqueness conflict
// 409 uniqueness, a version mismatch 412. Backend errors that are not
// *scim.Error become a 500 whose detail is generic; the cause is logged
// with log/slog. A panic is recovered into a 500.
//
// Interoperability: the Handler accepts what Entra ID and Okta really send
// (see [Policy] for the points where clients disagree and the per-tenant
// choice): no Accept header, request bodies as application/scim+json or
// application/json with any charset or without Content-Type (the header is
// not enforced; bodies must be JSON), endpoint names in any case (/users),
// a trailing slash, unknown schema URIs and query parameters. Responses are
// application/scim+json.
//
// Mounting: the Handler finds the endpoint at the end of the request path,
// so it works behind http.StripPrefix or on a longer path. Set the base URL
// used in meta.location and Location per request with [WithBaseURL] (else
// it is derived from the request) and the tenant's policy with [WithPolicy].
package server
