// Package record holds the records a provisioning job keeps, as plain
// values shared by the engine (internal/provisioning) and the stores
// (internal/store), so that neither copies the other's fields: [Link]
// (source object ↔ target object, what was last written, retry state) and
// [LogEntry] (one object action in one cycle, Entra's
// provisioningObjectSummary). It imports nothing of Provisio.
//
// A LogEntry's JSON form is also how stores keep it.
package record
