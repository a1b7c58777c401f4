// Package exprsvc is the expression sandbox (`provisio expr eval`, POST
// /api/v1/expressions/evaluate): it evaluates an attribute-mapping
// expression (package expr) against a directory user, against attributes
// given by hand, or both, the way a provisioning cycle evaluates it —
// Entra has no such thing.
//
// The attributes are read with the engine's own lookup
// ([provisioning.Object.Attr]: the directory's attribute catalog,
// extensions and IsSoftDeleted), so an expression gives here what it gives
// in a cycle. With an application, the user is the object the
// application's job sees ([jobs.Service.Object]; without a job, as a new
// job would, scope assigned): IsSoftDeleted as the job's scope decides
// it, and whatever else that object carries (appRoleAssignments, once the
// engine reads roles). Without an application, IsSoftDeleted is false and
// appRoleAssignments absent unless given.
// Given attributes override the user's (names ignore case); a name given
// more than once is multi-valued; boolean catalog attributes
// (accountEnabled) and IsSoftDeleted are read with scim.ParseBool.
// SelectUniqueValue does not query a target here: its first non-null
// candidate wins.
package exprsvc
