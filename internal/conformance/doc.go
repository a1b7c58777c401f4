// Package conformance runs third-party SCIM 2.0 conformance suites against a
// live Provisio service.
//
// It owns a small, generic runner for Runscope "radar" exports (the format
// of Okta's "SCIM 2.0 SPEC Test"): loading the file, substituting {{var}}
// placeholders, sending each request step, evaluating its assertions and
// extracting variables for later steps. The assertion engine (assert.go)
// implements every comparison the Okta file uses, against the response
// status, the JSON body or the response time.
//
// The suites themselves are data kept outside the repository, in
// ../shared/suites relative to the repository root; the tests in this
// package read them from there at run time. What the suites exercise is the
// SCIM protocol of RFC 7644 (§3.4.2 queries and filters, §3.3 creation,
// §3.12 errors) as the Okta client uses it. Microsoft's Postman collection
// runs under newman from scripts/conformance-postman.sh instead, since it
// is JavaScript.
package conformance
