// Package provisioningtest holds in-memory implementations of the
// interfaces the provisioning engine consumes — [Directory] (a
// provisioning.Source with a change feed), [Links] (a
// provisioning.LinkStore) and [Logs] (a provisioning.LogSink) — for tests,
// benchmarks and demos. They are safe for concurrent use. The SQL-backed
// implementations live with the stores.
package provisioningtest
