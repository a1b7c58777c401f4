// Package filter owns the SCIM filter language: parsing filters
// (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2) into an AST,
// rendering the AST back ([Format]), and evaluating filters against
// resources ([Compile], [Matcher.Match]).
//
// # Parsing
//
// [Parse] accepts the whole §3.4.2.2 grammar: attribute paths with schema
// URN prefixes and sub-attributes, the operators eq ne co sw ew gt ge lt le
// pr, "and" binding tighter than "or", "not (...)", grouping, value paths
// (`emails[type eq "work" and value co "@example.com"]`), and JSON string,
// number, true, false and null values. It also accepts the form Microsoft
// Entra ID sends when matching on e-mail, `emails[type eq "work"].value eq
// "x"`. Keywords and operators are case-insensitive; attribute names keep
// the client's spelling until [Compile] resolves them. [Options].Lenient
// additionally accepts unquoted values (`userName sw O`), which several
// clients send. Input longer than [MaxLength] bytes, with more than
// [MaxClauses] comparisons or nested deeper than [MaxDepth] is refused
// before it costs more than a linear scan. Errors are *[SyntaxError] values
// carrying the column and what was expected or which limit was passed; a
// server answers them with 400 invalidFilter.
//
// [ParsePath] parses PATCH paths (`members[value eq "id"]`,
// `emails[type eq "work"].value`) for scim/patch.
//
// # Evaluation
//
// [Compile] resolves every attribute path against a [scim.ResourceType]
// once; the resulting [Matcher] evaluates the filter against resources in
// canonical spelling:
//   - string comparisons honour the attribute's caseExact (userName is not
//     caseExact, id and externalId are); gt/ge/lt/le on strings compare
//     lexicographically;
//   - a multi-valued attribute matches if any of its values matches; ne
//     matches if no value equals the operand;
//   - a complex attribute compared without sub-attribute compares its
//     "value" sub-attribute (`emails co "@example.com"`, `manager eq "id"`);
//   - pr is true for a value that is not null, "" or empty; `eq null` is
//     its negation (RFC 7643 §2.5);
//   - numbers compare numerically, dateTime attributes as instants
//     (RFC 3339 with any number of fractional digits and any offset),
//     booleans only with eq/ne and accept "True"/"false" strings;
//   - unknown attributes, schemas and sub-attributes are compile errors
//     (400 invalidFilter), never silent non-matches;
//   - so are attributes and sub-attributes that are never returned
//     (password): a filter on them would disclose them.
//
// [Matcher.Expr] returns the filter in canonical spelling, so that a store
// can push common comparisons (`userName eq "x"`, see [Conjuncts]) down to
// its indexes and still evaluate the rest with [Matcher.Match].
//
// The package performs no I/O and is safe for concurrent use.
package filter
