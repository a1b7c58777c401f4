package scoping

import "strings"

// Operator is a scoping clause's operator, spelled as Microsoft Entra's
// admin center spells it (SCOPE, step 8) or, for Provisio's extensions, in
// the same upper-case style.
type Operator string

// Entra's operators (SCOPE, step 8). A null or empty attribute makes every
// one of them false but IS NULL.
const (
	// And is true if the attribute's value occurs in the clause's value
	// ("exists in the input string value"), case-sensitively: `department &
	// Sales,Marketing`. See the package documentation for this reading.
	And Operator = "&"
	// NotAnd is true if the attribute's value does not occur in the
	// clause's value.
	NotAnd Operator = "!&"
	// EndsWith is true if the attribute ends with the value (case-sensitive).
	EndsWith Operator = "ENDS_WITH"
	// Equals is true if the attribute is exactly the value (case-sensitive).
	Equals Operator = "EQUALS"
	// GreaterThan compares integers: the value and the attribute must both
	// be integers, or the clause is false.
	GreaterThan Operator = "Greater_Than"
	// GreaterThanOrEquals compares integers as GreaterThan.
	GreaterThanOrEquals Operator = "Greater_Than_OR_EQUALS"
	// Includes is true if the attribute contains the value (case-sensitive,
	// .NET String.Contains).
	Includes Operator = "Includes"
	// IsFalse is true if the attribute is the boolean false (a string is
	// read by scim.ParseBool).
	IsFalse Operator = "IS FALSE"
	// IsNotNull is true if the attribute is not empty.
	IsNotNull Operator = "IS NOT NULL"
	// IsNull is true if the attribute is absent or empty.
	IsNull Operator = "IS NULL"
	// IsTrue is true if the attribute is the boolean true.
	IsTrue Operator = "IS TRUE"
	// NotEquals is true if the attribute is not exactly the value.
	NotEquals Operator = "NOT EQUALS"
	// NotRegexMatch is true if the attribute does not match the regular
	// expression.
	NotRegexMatch Operator = "NOT REGEX MATCH"
	// RegexMatch is true if the regular expression matches the attribute
	// (case-sensitive, unanchored, as .NET Regex.IsMatch; RE2 syntax).
	RegexMatch Operator = "REGEX MATCH"
)

// Provisio's extensions, beyond Entra's list.
const (
	// MemberOf takes no attribute: true if the object is a member of the
	// group, directly or through nested groups (Entra: "The IsMemberOf
	// filter is not supported currently").
	MemberOf Operator = "MEMBER_OF"
	// NotMemberOf is true if the object is not a member of the group.
	NotMemberOf Operator = "NOT_MEMBER_OF"
	// OlderThan is true if the attribute is a date at least the duration
	// before now: `hireDate OLDER_THAN 0d` (has started).
	OlderThan Operator = "OLDER_THAN"
	// NewerThan is true if the attribute is a date less than the duration
	// before now (or in the future): `hireDate NEWER_THAN 30d`.
	NewerThan Operator = "NEWER_THAN"
	// After is true if the attribute is a date after the value's date.
	After Operator = "AFTER"
	// Before is true if the attribute is a date before the value's date.
	Before Operator = "BEFORE"
)

// operand is the kind of value an operator takes.
type operand int

const (
	noValue  operand = iota // IS NULL and the like
	anyText                 // any non-empty string
	pattern                 // an RE2 regular expression
	integer                 // a decimal int64
	duration                // a duration: 30d, 12h, 2w, 90m
	date                    // a date, as parseDate reads it
	group                   // a group's name or id
)

// opInfo describes one operator.
type opInfo struct {
	op      Operator
	operand operand
	// noAttr marks an operator that takes no attribute (MEMBER_OF).
	noAttr bool
	// not is the operator this one negates (NOT EQUALS: EQUALS), if any:
	// it is true where the other is false, on non-null attributes.
	not Operator
}

// operators lists every operator, Entra's in its documentation's order,
// then Provisio's.
var operators = []opInfo{
	{op: And, operand: anyText},
	{op: NotAnd, operand: anyText, not: And},
	{op: EndsWith, operand: anyText},
	{op: Equals, operand: anyText},
	{op: GreaterThan, operand: integer},
	{op: GreaterThanOrEquals, operand: integer},
	{op: Includes, operand: anyText},
	{op: IsFalse},
	{op: IsNotNull},
	{op: IsNull},
	{op: IsTrue},
	{op: NotEquals, operand: anyText, not: Equals},
	{op: NotRegexMatch, operand: pattern, not: RegexMatch},
	{op: RegexMatch, operand: pattern},
	{op: MemberOf, operand: group, noAttr: true},
	{op: NotMemberOf, operand: group, noAttr: true},
	{op: OlderThan, operand: duration},
	{op: NewerThan, operand: duration},
	{op: After, operand: date},
	{op: Before, operand: date},
}

// byKey indexes operators by [opKey].
var byKey = func() map[string]*opInfo {
	m := make(map[string]*opInfo, len(operators))
	for i := range operators {
		m[opKey(string(operators[i].op))] = &operators[i]
	}
	return m
}()

// maxOpWords is the most words an operator spells with spaces
// (Greater Than OR EQUALS).
const maxOpWords = 4

// opKey is the spelling-independent form of an operator name: upper case,
// "_" and runs of white space as one space.
func opKey(s string) string {
	return strings.Join(strings.Fields(strings.ToUpper(strings.ReplaceAll(s, "_", " "))), " ")
}

// info returns the description of a known operator, spelled canonically.
func (o Operator) info() (*opInfo, bool) {
	i, ok := byKey[opKey(string(o))]
	if !ok || i.op != o {
		return nil, false
	}
	return i, true
}

// UnmarshalText reads an operator in any spelling ParseClause accepts
// (is_not_null, Is Not Null) as its canonical name; an unknown name is
// kept as written, for Validate to report.
func (o *Operator) UnmarshalText(b []byte) error {
	if i, ok := byKey[opKey(string(b))]; ok {
		*o = i.op
		return nil
	}
	*o = Operator(b)
	return nil
}

// validOperators lists the operators' names for error messages.
var validOperators = func() string {
	names := make([]string, len(operators))
	for i, o := range operators {
		names[i] = string(o.op)
	}
	return strings.Join(names, ", ")
}()
