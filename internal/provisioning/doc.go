// Package provisioning is Provisio's provisioning engine: it keeps the
// accounts of one application (a SCIM 2.0 service provider) in step with
// the directory, doing what Microsoft Entra ID's provisioning service does
// (entra-provisioning.md §3; Microsoft Learn "How application provisioning
// works", "Customize attribute mappings") in seconds instead of its
// 40-minute cycles.
//
// It owns, for one job ([Engine], configured by [Config]):
//
//   - Scope ([ScopeMode]): users assigned directly or through an assigned
//     group, and assigned groups; or every user and group. Entra's
//     IsSoftDeleted is true for an object that is unassigned, soft-deleted
//     or disabled (accountEnabled=false). Unlike Entra, members of nested
//     groups inside an assigned group are in scope.
//
//   - Scoping filters (ObjectMapping.Scoping, package scoping; Entra's
//     "Source object scope"): users and groups each have their own,
//     compiled once per Engine. An object of the job's scope that fails
//     them is out of scope, IsSoftDeleted true, logged "out of scope:
//     <why>"; one that comes back in is enabled and updated. MEMBER_OF
//     clauses name a group by object id or displayName (case-insensitive;
//     a name two groups carry fails the cycle, a missing group has no
//     members and is warned about once); the groups and their nested
//     members are read once per cycle. Incremental cycles evaluate again
//     the objects the feed names, those that joined or left a MEMBER_OF
//     group since the last cycle (the feed names only the group), and,
//     when a filter reads the clock (OLDER_THAN, NEWER_THAN), every object
//     of the job's scope.
//
//   - SkipOutOfScopeDeletions (Entra's flag of that name, "accounts that
//     go out of scope aren't disabled"): an account whose object is not
//     assigned or fails the scoping filters is left as it is, neither
//     disabled nor updated (groups: not deleted), with a logged skip.
//     Decision: an object disabled or soft-deleted in the directory is
//     still disabled, in scope or not. Entra's flag speaks of scope; its
//     deprovisioning table offers removing the IsSoftDeleted (active)
//     mapping to ignore blocks and soft deletes, which works here too,
//     and a block in the directory is a deprovisioning decision of its
//     own that a scope setting should not silently cancel. A hard delete
//     still sends DELETE when the Delete action is on.
//
//   - Mappings ([ObjectMapping], [AttributeMapping]): Entra's mapping types
//     Direct, Constant, Expression ([Expression]: package expr, parsed once
//     when the mapping is compiled) and None, "default value if null"
//     (create only), "apply this mapping" always or only on create,
//     matching attributes with precedence, and per-type Create/Update/
//     Delete actions. [DefaultUserMapping] and [DefaultGroupMapping] are
//     Entra's defaults (active ← Not([IsSoftDeleted]) as a real boolean,
//     the app role ← SingleAppRoleAssignment([appRoleAssignments])).
//     Pseudo-attributes ([Object.Attr]): IsSoftDeleted, appRoleAssignments
//     (roles of the direct assignment and of assigned groups, nested ones
//     included; a change of assignment or role re-evaluates the users it
//     reaches in the next incremental cycle) and manager. A null never
//     flows (Entra) unless the mapping is ClearWhenEmpty, then the update
//     removes the attribute (RFC 7644 §3.5.2.2): a Switch whose source is
//     absent never nulls its target. A complex roles list
//     (AppRoleAssignmentsComplex) is replaced whole. SelectUniqueValue,
//     allowed only on create-only, non-matching mappings, checks each
//     candidate with a filter query on the target; Redact's values show
//     as "[Redact]" in the log.
//
//   - Matching: a link first; otherwise the matching attributes in
//     precedence order, by a filter query per object (GET
//     /Users?filter=userName eq "…", RFC 7644 §3.4.2.2) or, when many objects
//     need matching, one paged listing of the target (§3.4.2.4).
//
//   - Plan then apply ([Engine.Plan], [Engine.Run]): every evaluated object
//     gets an [Action] — create (POST, RFC 7644 §3.3), update with an
//     attribute diff (PATCH, §3.5.2: lower-case ops, real booleans, one
//     operation per attribute path), disable (PATCH active=false; Entra: "a
//     disable is a request to set the active property to false"), delete
//     (DELETE, §3.6) for hard-deleted objects, or skip with a reason. An
//     object whose mapped values hash to what its link last wrote costs no
//     request. Every planned batch passes a [Gate] before it is applied,
//     which lets it through, stages its disables and deletes (logged
//     "staged", not sent; the cycle ends with [ErrStaged]), holds it or
//     refuses it; a [CycleGate] is first shown the whole cycle's
//     [CycleTotals] (where a deletion threshold sits; [Open] lets
//     everything through). [Engine.Preview]
//     plans one object alone and lists the requests its action sends;
//     [Engine.Object] is one object as the job's scope sees it;
//     [Engine.Provision] (Entra's provision on demand) plans one object
//     alone the same way and applies it at once, a group after up to
//     [MaxOnDemandMembers] of its members, reporting each step, the
//     source attributes read and every request sent with its answer's
//     status, under a cycle of kind [CycleOnDemand]. Users are applied
//     before groups; group members are the
//     target ids of linked users (and groups); a manager created in the
//     same cycle is set in a follow-up pass (Entra: "resolve reference
//     attributes in follow-up updates"). A cycle plans and applies 2,000
//     objects at a time, so its memory does not grow with the directory;
//     member lists travel at most [MaxMembersPerOp] ids per operation (a
//     group is created with its first members, then PATCHed with the rest).
//
//   - Links ([Link], [LinkStore]): source id ↔ target id, the hash and
//     values last written, state, attempts, next retry and last error.
//     A cycle works with one view of them in memory ([LinkTable]), which
//     writes changes to the LinkStore in batches. A create first stores a
//     pending link, so after a crash the object is matched on the target
//     instead of created twice ([Stats].Matched counts it).
//
//   - Retries: within a cycle, the job's scim/client retries each request
//     ([RetryPolicy]: 5 attempts within 2 minutes; Retry-After of 429 and
//     503 honoured, backoff with jitter for 5xx, timeouts and dropped
//     connections; PATCH too, its operations being safe to repeat). A
//     create whose answer was lost (client.MayHaveApplied) or that the
//     target refuses with 409 is looked up by its matching attributes
//     first and linked to what is found; it is sent again only when
//     nothing is there. What still fails becomes an escrow (the link's
//     Attempts, NextRetry, LastError, FailedAction): skipped until its
//     next retry, 1 min after the failure doubling to 1 h (Entra's
//     escrows wait 6 h first), and never stops the cycle.
//
//   - Cycles: the first cycle, and the first after [Engine.Restart], is
//     initial (everything in scope and everything linked); later cycles
//     are incremental: objects in the change feed since the watermark,
//     links that need attention, and objects whose scope changed (found by
//     comparing the scope with the links, which also catches what Entra
//     misses: group members leaving and re-entering scope, managers out of
//     scope at first). Unlike Entra, unassigned users stay managed, so a
//     later hard delete still sends DELETE. An assigned user that was never
//     provisioned and is disabled, soft-deleted or filtered out is skipped
//     and logged once, then left alone until the change feed names it
//     ([Settled]).
//     The watermark advances only after a cycle ran to its end.
//
//   - Provisioning logs ([LogEntry], [LogSink]) with cycle id, change id,
//     source and target identity, action, status, steps, modified
//     properties (old → new), error code and reason, duration; and
//     [Stats] per cycle, including the requests sent.
//
//   - Reconciliation ([Engine.Reconcile]; Entra never looks): one paged
//     listing of the application's users and groups compared with the
//     links' written values: drifted attributes, members changed in the
//     application, orphans (accounts no link knows) and gone accounts;
//     with repair, drift and members are PATCHed back by the applier and a
//     gone account's link is dropped so the next cycle recreates it.
//     Orphans are never deleted.
//
// Links and log entries are plain values of package record, which the
// stores share. Every request goes through one scim/client.Client: timeouts, retries,
// Retry-After, rate limits and the concurrency cap live there. Sources,
// link stores and log sinks are interfaces ([Source], [LinkStore],
// [LogSink]); provisioningtest has in-memory implementations.
package provisioning
