// Package expr is the attribute-mapping expression language of Microsoft
// Entra ID's provisioning service ("Reference for writing expressions for
// attribute mappings in Microsoft Entra ID"): a parser that compiles an
// expression once ([Parse]) and an evaluator that runs it against one
// source object ([Expr.Eval], [Env]). Pure: no I/O; the clock, randomness
// and the uniqueness check of SelectUniqueValue come from the [Env].
//
// # Syntax
//
// An expression is a function call Name(arg, …), an [attribute], a
// "string" (\" is a quote, \\ a backslash) or an integer (42, -7, VBA's
// &HF7). Arguments are expressions, may be empty (Replace([x], , "re", , "",
// , ) — an empty argument is null) and may be a comparison a = b, a <> b,
// a < b, a <= b, a > b, a >= b (IIF's condition; true or false anywhere).
// There is no AND or OR (Entra has none). InStr's compareType may be the
// bare names vbBinaryCompare and vbTextCompare. White space may stand
// between any two tokens. Arity, unknown functions (with a "did you mean"
// hint), literal regular expressions of Replace, literal intervals of
// DateAdd and DateDiff and literal formats of FormatDateTime are checked
// at parse time; a [SyntaxError] names the byte offset.
//
// # Values
//
// Values are null (absent), strings, booleans, integers, multi-valued
// []string, complex []map[string]any (app roles) and DateTimes. Entra's
// boolean functions speak "True"/"False"; here CBool, Not, IsNull,
// IsNullOrEmpty, IsPresent, IsString and comparisons give a Go bool, which
// reads as "True"/"False" where a string is needed (Switch, Join). Boolean
// inputs are a bool, a number (non-zero is true) or any string
// scim.ParseBool reads. Most functions give null for a null input, as
// Entra's do; the exceptions are documented on each (Left and Word give "",
// Len and Count 0, Switch matches a null source with the key "").
//
// A DateTime (CDate, Now, DateAdd, DateFromNum) stays a time inside an
// expression and leaves it — Eval's result, or a string argument such as
// Join's — in Entra's documented form M/d/yyyy h:mm:ss tt, UTC ("Now()
// example value 7/2/2021 3:33:38 PM"; DateAdd's "3/23/2012 7:00:00 AM").
// FormatDateTime(Now(), , , "yyyy-MM-ddTHH:mm:ssZ") gives ISO 8601. Date
// strings are read in ISO 8601 forms (with Workday's "2020-03-16-07:00"),
// in Entra's own form and as LDAP generalized time; FormatDateTime reads
// and writes the .NET custom format specifiers listed in dotnet.go.
// DateFromNum and NumFromDate convert AD integer dates (100-ns ticks since
// 1601-01-01 UTC).
//
// # Departures from Entra
//
//   - Function names are case-insensitive (Entra's syntax is
//     case-sensitive); attribute names are resolved by Env.Attr, which
//     ignores case.
//   - An expression may be a bare [attribute], literal or comparison, not
//     only a function call.
//   - Entra's IIF fails when an attribute in its condition is null or
//     empty; here null compares as "", so IIF([country]="", "Other",
//     [country]) works. A condition that is itself null is an error.
//   - A function given a multi-valued value where it needs one string fails
//     with an error naming the argument ("ToLower: [proxyAddresses] is
//     multi-valued; use Join or Item") rather than an undefined result; so
//     does a value that is not a number, boolean or date where one is
//     needed, Mid with a start below 1 and Replace with an empty oldValue.
//   - Item's index 0 (which Entra says "shouldn't be used") is the first.
//   - Not of a string that is not a boolean is an error, not True.
//   - Replace with template and no oldValue replaces {0} in the template.
//     Regular expressions are Go's RE2 (named groups as (?<name>…) or
//     (?P<name>…); no lookaround or backreferences); replacement patterns
//     take .NET's $1, ${name}, $& and $$.
//   - SelectUniqueValue may be nested (Entra requires it at the top level)
//     and needs Env.Taken to check the target; with every candidate taken
//     it fails with [ErrNoUniqueValue].
//   - Split does not trim the parts (Entra's example output shows
//     "PermissionSetOne, PermissionSetTwo" split on "," without the space;
//     use StripSpaces or Replace first).
//   - PCase without separators approximates .NET's ToTitleCase: any
//     character but a letter, digit, mark or apostrophe separates words,
//     and words in capitals are lowered too ("PABLO" is "Pablo", as in
//     Entra's example).
//   - ToLower and ToUpper know the Turkish and Azeri cultures ("tr-TR",
//     "az"); any other culture is the invariant one.
//   - FormatDateTime ignores dateTimeStyles; an input with an offset is
//     converted to UTC and output offsets (z, zz, zzz, K) are UTC's.
//   - Numbers are integers: Len(42568.75) does not parse; quote it.
//   - DefaultDomain (added to Entra in 2026) is not supported: it needs the
//     tenant's domains, which an expression does not see.
//
// The engine, not this package, handles what Entra does around
// expressions: default values, "apply on create only", Switch's documented
// null-out caution, and logging Redact's value as "[Redact]"
// ([Expr.Redacted]).
package expr
