// Package patch applies SCIM PATCH requests (RFC 7644 §3.5.2) to resources
// held as canonical JSON objects ([scim.Resource]), as Microsoft Entra ID,
// Okta and RFC-conformant clients send them.
//
// It owns the semantics of add, replace and remove on every path form of
// RFC 7644 §3.5.2 (attrPath / valuePath [subAttr]): `displayName`,
// `name.givenName`, `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
// `emails[type eq "work"]`, `addresses[type eq "work"].postalCode`, a bare
// extension URN, and path-less operations. Paths and value filters are
// parsed and evaluated by scim/filter; the result is validated and coerced
// by [scim.ResourceType.Normalize]. The package performs no I/O.
//
// [Apply] returns a new resource and leaves its input untouched; a request
// is atomic (one failing operation fails it all). Its cost is linear in the
// size of the resource plus the request: operations on single values of a
// multi-valued attribute (an add, a value path with an eq filter, a remove
// naming values) find them through an index, not a scan of every value.
// Values with the same "type" and "value" that a request leaves are merged
// by the final validation (RFC 7643 §2.4, [scim.ResourceType.Normalize]). [ExtractMembers] takes
// group membership operations out of a request and folds them into one
// [MembersChange], so that a store can apply membership as row inserts and
// deletes on groups of any size.
//
// # Rules and deliberate decisions
//
// Always on, because real clients need them:
//   - op names in any case ("Replace"), attribute names in any case;
//   - path-less add/replace values whose keys are paths ("name.givenName",
//     "urn:...:enterprise:2.0:User:employeeNumber") or extension URNs holding
//     an object land nested, never as literal keys; keys are applied in
//     sorted order, so "name" comes before "name.givenName";
//   - string booleans ("True", "false") for boolean attributes, also inside
//     complex values; a bare value for a complex attribute that has a "value"
//     sub-attribute becomes {"value": v} (Entra's manager id); a one-element
//     array for a single value is unwrapped (`"manager": [{"value": ...}]`);
//   - null or "" as the value of add or replace clears the target, also for a
//     sub-attribute inside a value object (Entra's null-update test); only
//     an add of null to a whole multi-valued attribute adds nothing, so that
//     it cannot empty a group;
//   - remove with a value on a multi-valued attribute (Entra's
//     `{"op":"Remove","path":"members","value":[{"value":"id"}]}`) removes
//     only the values it names: elements whose "value" equals, or elements
//     that hold all the given sub-attributes. It never removes all.
//
// RFC 7644 semantics as implemented:
//   - add on a multi-valued attribute appends the values it does not hold yet
//     (a value is held if an element has all its sub-attributes with equal
//     values, case-insensitively unless caseExact); replace without filter
//     replaces all values; add or replace on a single-valued attribute
//     replaces it (§3.5.2.1, §3.5.2.3);
//   - add or replace on a complex attribute without sub-attribute merges the
//     given sub-attributes and leaves the others unchanged (§3.5.2.3). One
//     exception: a value whose "value" sub-attribute differs from the current
//     one names a different referent (a new manager) and replaces the whole
//     value, so that a stale $ref or displayName does not survive;
//   - a value path without sub-attribute merges the value object into each
//     matching element; with a sub-attribute it sets that sub-attribute of
//     each matching element (§3.5.2.3);
//   - an add or replace on a value path that matches nothing fails with 400
//     noTarget (§3.5.2.3), unless [Options].ValuePathUpsert, where the element
//     is created from the filter's `eq` comparisons (Entra); a later
//     operation on the same value path then finds that element, so several
//     operations on `addresses[type eq "work"]` make one address;
//   - remove requires a path (400 noTarget); removing what is not there,
//     including a value filter that matches nothing, succeeds and changes
//     nothing, so that retried removals are idempotent; removing a required
//     attribute fails with 400 invalidValue;
//   - readOnly attributes (id, meta, groups, manager.displayName) cannot be
//     targeted by a path: 400 mutability. Inside value objects, readOnly
//     sub-attributes are dropped silently, "schemas" is ignored (it is
//     rebuilt from the extensions present), and "id" is ignored only if it
//     equals the resource's id (Okta echoes it); another id is 400
//     mutability. Immutable attributes can be set while unset or to the value
//     they have (RFC 7644 §3.5.2), otherwise 400 mutability;
//   - at most one element of a multi-valued attribute is primary (RFC 7643
//     §2.4): when an operation makes an element primary, the others get
//     "primary": false; an operation that makes two elements primary fails
//     with 400 invalidValue; a resource that arrives with several keeps the
//     first;
//   - a path naming an unknown attribute is ignored or rejected (400
//     invalidPath) following [scim.NormalizeOptions].RejectUnknown, like
//     unknown attributes in POST bodies; with KeepUnknown it is rejected
//     and the resource's own unknown attributes are kept verbatim (for
//     clients that emulate PATCH with GET and PUT on another provider).
//
// Errors are *scim.Error with status 400 and the scimType of RFC 7644
// Table 9; the detail names the operation's index and path, e.g.
// `Operations[1] (Replace "emails[type eq \"other\"].value"): no value of "emails" matches the filter`.
package patch
