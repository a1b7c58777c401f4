// Package metrics owns Provisio's Prometheus metrics: one registry of its
// own (never the global one) with the Go and process collectors, the
// HTTP middleware that counts the SCIM service's and the admin API's
// requests, the Observer of the provisioning job runner that counts
// cycles and actions, and a collector that reads every job's state
// (quarantine, escrows, staged deletions, throttling) when scraped.
// [Metrics.Handler] serves them in the Prometheus text format.
//
// Labels are bounded: SCIM requests by method, resource type (Users,
// Groups, Bulk, Schemas, …; "other" for anything else) and status class;
// the tenant only with [Options.TenantLabel], and only on requests whose
// token was accepted, so unauthenticated callers cannot mint series.
// Admin API requests by the route pattern that served them, never the
// raw path. Jobs by their application's id (one per job).
package metrics
