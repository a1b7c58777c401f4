package scoping

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clause is one condition of a scoping filter (SCOPE, step 8: an
// attribute name, an operator and an attribute value). Attribute is empty
// for MEMBER_OF and NOT_MEMBER_OF, Value for IS NULL and the like.
type Clause struct {
	Attribute string   `json:"attribute"`
	Operator  Operator `json:"operator"`
	Value     string   `json:"value,omitempty"`
}

// ParseClause reads a clause written "ATTRIBUTE OPERATOR [VALUE]":
//
//	department EQUALS Sales
//	userPrincipalName REGEX MATCH .*@contoso\.com
//	accountEnabled IS TRUE
//	extension_hireDate OLDER_THAN 0d
//	MEMBER_OF Sales
//
// Operator names ignore case, and "_" and space are interchangeable
// (IS_NOT_NULL is IS NOT NULL). The value is the rest of the line, white
// space around it dropped; in double quotes, with Go's escapes ("\t"), it
// keeps that space. The clause must [Clause.Validate].
func ParseClause(s string) (Clause, error) {
	c, err := parseClause(s)
	if err == nil {
		err = c.Validate()
	}
	if err != nil {
		return Clause{}, fmt.Errorf("scoping clause %q: %w", s, err)
	}
	return c, nil
}

func parseClause(s string) (Clause, error) {
	rest := strings.TrimSpace(s)
	if rest == "" {
		return Clause{}, errors.New("empty; want ATTRIBUTE OPERATOR [VALUE]")
	}
	var c Clause
	op, value, ok := splitOperator(rest)
	if !ok || !op.noAttr {
		first := op
		c.Attribute, rest = cutWord(rest)
		if rest == "" {
			return Clause{}, fmt.Errorf("no operator after %q; valid operators: %s", c.Attribute, validOperators)
		}
		if op, value, ok = splitOperator(rest); !ok {
			word, _ := cutWord(rest)
			hint := ""
			if first != nil {
				hint = fmt.Sprintf(" (or no attribute before %s)", first.op)
			}
			return Clause{}, fmt.Errorf("unknown operator %q%s; valid operators: %s", word, hint, validOperators)
		}
	}
	c.Operator = op.op
	if strings.HasPrefix(value, `"`) {
		v, err := strconv.Unquote(value)
		if err != nil {
			return Clause{}, fmt.Errorf("value %s: not a well-quoted string", value)
		}
		value = v
	}
	c.Value = value
	return c, nil
}

// cutWord splits s at its first run of white space.
func cutWord(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// splitOperator finds the longest operator name s starts with, as whole
// words (Greater_Than_OR_EQUALS, not Greater_Than with value OR_EQUALS),
// and returns it and the rest of s, trimmed.
func splitOperator(s string) (op *opInfo, rest string, ok bool) {
	var words []string
	for range maxOpWords {
		w, next := cutWord(s)
		if strings.Trim(w, "_") == "" {
			break // no word, or one opKey would drop: part of the value
		}
		s = next
		words = append(words, w)
		if i, found := byKey[opKey(strings.Join(words, " "))]; found {
			op, rest, ok = i, s, true
		}
	}
	return op, rest, ok
}

// String writes c as ParseClause reads it, quoting the value when it
// would not read back as itself.
func (c Clause) String() string {
	var b strings.Builder
	if c.Attribute != "" {
		b.WriteString(c.Attribute)
		b.WriteByte(' ')
	}
	b.WriteString(string(c.Operator))
	if c.Value != "" {
		b.WriteByte(' ')
		if needsQuotes(c.Operator, c.Value) {
			b.WriteString(strconv.Quote(c.Value))
		} else {
			b.WriteString(c.Value)
		}
	}
	return b.String()
}

// needsQuotes reports whether value, written bare after op, would read
// back as something else: space around it, a leading quote, characters
// that are not printable or not UTF-8, or words that would extend the
// operator (Greater_Than followed by "OR EQUALS").
func needsQuotes(op Operator, value string) bool {
	if strings.TrimSpace(value) != value || value[0] == '"' || !utf8.ValidString(value) {
		return true
	}
	for _, r := range value {
		if r != ' ' && !unicode.IsPrint(r) {
			return true
		}
	}
	got, _, _ := splitOperator(string(op) + " " + value)
	return got == nil || got.op != op
}

// attrName is the form of an attribute name: Entra's (extension_<app>_x),
// SCIM's (urn:...:User:employeeNumber, name.givenName).
var attrName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.:$-]*$`)

// Validate reports what is wrong with c: an unknown operator, an attribute
// missing, misspelled or given to MEMBER_OF, a value missing or given to
// IS NULL and the like, or a value of the wrong kind: a regular expression
// that does not compile (RE2, Go's regexp syntax: .NET's lookaround and
// backreferences are not supported), a non-integer for Greater_Than*, a
// duration other than <n>d, <n>w or a Go duration (12h, 90m) for
// OLDER_THAN and NEWER_THAN, a date parseDate cannot read for AFTER and
// BEFORE.
func (c Clause) Validate() error {
	op, ok := c.Operator.info()
	if !ok {
		return fmt.Errorf("unknown operator %q; valid operators: %s", c.Operator, validOperators)
	}
	switch {
	case op.noAttr && c.Attribute != "":
		return fmt.Errorf("%s takes no attribute, not %q", op.op, c.Attribute)
	case op.noAttr:
	case c.Attribute == "":
		return fmt.Errorf("%s needs an attribute", op.op)
	case !attrName.MatchString(c.Attribute):
		return fmt.Errorf("attribute %q: want a letter, then letters, digits or _ . : $ -", c.Attribute)
	case byKey[opKey(c.Attribute)] != nil:
		return fmt.Errorf("attribute %q: an operator's name", c.Attribute)
	}
	switch {
	case op.operand == noValue && c.Value != "":
		return fmt.Errorf("%s takes no value, not %q", op.op, c.Value)
	case op.operand != noValue && c.Value == "":
		return fmt.Errorf("%s needs a value", op.op)
	}
	if _, err := op.parse(c.Value); err != nil {
		return fmt.Errorf("%s value: %w", op.op, err)
	}
	return nil
}
