// Package apitypes holds the request and response bodies of Provisio's
// admin API (/api/v1, described by internal/adminapi/openapi.json): the
// one place where the API's JSON names live. The server (adminapi)
// converts its domain values to these types at the boundary; clients
// (internal/apiclient, the CLI) decode into them. It imports no other
// Provisio package but the public scim library.
package apitypes
