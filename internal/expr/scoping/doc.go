// Package scoping owns scoping filters: the attribute-based rules that put
// a user or group in or out of a provisioning job's scope, as Microsoft
// Entra ID's "Source object scope" (SCOPE: learn.microsoft.com/entra/
// identity/app-provisioning/define-conditional-rules-for-provisioning-user-accounts).
// It parses and validates clauses ([ParseClause], [Clause.Validate],
// [Filters.Validate]), compiles filters once per cycle ([Filters.Compile])
// and matches objects ([Set.Match]; [Set.Explain] gives every clause's
// result). It is pure: no I/O, no clock (the caller passes now).
//
// # Entra's semantics
//
// A filter's clauses are ANDed, filters are ORed, no filters put
// everything in scope. The operators are Entra's fourteen, with the
// documented meanings (see the [Operator] constants): string comparisons
// are case-sensitive; Greater_Than and Greater_Than_OR_EQUALS compare
// integers and are false on an attribute that is not one; IS TRUE and IS
// FALSE read a bool, or a string by scim.ParseBool. A null or empty
// attribute makes every operator false (SCOPE: "Scoping filters will
// return false if the value is null / empty"; NOT REGEX MATCH says so
// itself) but IS NULL, which is true; NOT EQUALS and !& are false on it
// too. A bool attribute reads as "true" or "false" for the string
// operators (`accountEnabled EQUALS true`; IS TRUE is the better
// clause).
//
// Readings where Entra's documentation leaves room:
//   - & and !&: the documentation says & is true "if the evaluated
//     attribute exists in the input string value". The symbol suggests a
//     bitwise AND (as on Active Directory's userAccountControl), but
//     nothing Microsoft publishes says so, and Entra's user schema has no
//     flags integer; this package takes the documented words: & is true
//     if the attribute's value is a substring of the clause's value
//     (case-sensitive, Includes the other way round), so `department &
//     Sales,Marketing` is a membership test; !& is its negation.
//   - REGEX MATCH uses Go's regexp (RE2), not .NET's engine: the same for
//     the usual patterns (Entra's `.*\@domain.com` and
//     `(1[0-9][0-9][0-9][0-9][0-9][0-9])` work, unanchored, as
//     Regex.IsMatch), but lookaround and backreferences do not compile,
//     and matching is linear-time. Patterns compile once, in Compile.
//   - Attribute names ignore case ([Object].Attr must), as SCIM's do
//     (RFC 7643 §2.1); Entra's scoping instead fails on a name in the
//     wrong case.
//
// # Provisio's extensions
//
//   - MEMBER_OF <group> and NOT_MEMBER_OF <group> take no attribute: the
//     object is (not) a member of the group, directly or through nested
//     groups ([Object].MemberOf). Entra: "The IsMemberOf filter is not
//     supported currently". [Set.Groups] lists the groups, so the engine
//     can resolve them once.
//   - Multi-valued attributes ([]string), which Entra does not support: an
//     operator is true if any value satisfies it; a NOT operator (NOT
//     EQUALS, NOT REGEX MATCH, !&) if no value satisfies the operator it
//     negates, so that on a non-empty attribute the NOT clause is exactly
//     the complement of its positive one (as SCIM's ne in scim/filter).
//   - Dates relative to now: OLDER_THAN <duration> is true if the
//     attribute's date is at or before now minus the duration, NEWER_THAN
//     if after it (`hireDate OLDER_THAN 0d`: has started; `hireDate
//     OLDER_THAN -7d`: starts within a week; `lastChange NEWER_THAN 30d`).
//     AFTER <date> and BEFORE <date> compare with a fixed date. Dates are
//     RFC 3339, 2006-01-02 (midnight UTC), RFC 3339 without a zone (UTC)
//     or Entra's M/d/yyyy h:mm:ss tt (UTC); an attribute that is none of
//     these makes the clause false.
package scoping
