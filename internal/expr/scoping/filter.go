package scoping

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/provisio-dev/provisio/scim"
)

// Filter is one scoping filter: its clauses are ANDed (SCOPE, "Scoping
// filter construction").
type Filter struct {
	Clauses []Clause `json:"clauses"`
}

// Filters are a mapping's scoping filters: ORed, each object evaluated
// against each one. No filters put everything in scope.
type Filters []Filter

// Validate reports every problem of every clause at once (errors.Join),
// each as "filter 2 clause 1: ..." (counting from 1), and a filter
// without clauses.
func (f Filters) Validate() error {
	var errs []error
	for i, fl := range f {
		if len(fl.Clauses) == 0 {
			errs = append(errs, fmt.Errorf("filter %d: no clauses", i+1))
		}
		for j, c := range fl.Clauses {
			if err := c.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("filter %d clause %d: %w", i+1, j+1, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Object is what a Set matches: a user or a group of the directory.
type Object interface {
	// Attr returns the named attribute's value: a string, a bool, an
	// int64 or a []string (multi-valued); ok false if it is absent or
	// null. The name is as the clause writes it: Attr must ignore case,
	// as directory.User.Attr does (SCIM attribute names are
	// case-insensitive, RFC 7643 §2.1; Entra's scoping fails on the wrong
	// case instead).
	Attr(name string) (v any, ok bool)
	// MemberOf reports whether the object is a member of the group,
	// directly or through nested groups; group is as the clause writes it
	// (a name or an id).
	MemberOf(group string) bool
}

// Set is compiled Filters: compile once per cycle, match each object.
// The zero Set and a nil *Set match everything.
type Set struct {
	filters [][]compiled
	attrs   []string
	groups  []string
}

// compiled is a validated clause with its operand read and the reasons a
// failed match reports, written once.
type compiled struct {
	Clause
	op         *opInfo
	neg        bool   // op is a NOT operator: false if any value matches op.not
	parsed            // the value, read
	reason     string // why the object is out of scope if this clause fails
	reasonNull string // the same when the attribute is null
}

// Compile validates f ([Filters.Validate]) and compiles it: regular
// expressions, integers, durations and dates are read here, never per
// object.
func (f Filters) Compile() (*Set, error) {
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("compile scoping filters: %w", err)
	}
	s := &Set{filters: make([][]compiled, len(f))}
	for i, fl := range f {
		s.filters[i] = make([]compiled, len(fl.Clauses))
		for j, c := range fl.Clauses {
			op, _ := c.Operator.info()
			cc := compiled{Clause: c, op: op}
			if op.not != "" {
				cc.neg = true
				cc.op, _ = op.not.info()
			}
			cc.parsed, _ = op.parse(c.Value)
			cc.reason = c.String() + " is false"
			if len(f) == 1 {
				cc.reason = "scoping filter: " + cc.reason
			} else {
				cc.reason = fmt.Sprintf("no scoping filter matched (%d filters); filter %d: %s", len(f), i+1, cc.reason)
			}
			if c.Attribute != "" {
				cc.reasonNull = cc.reason + " (" + c.Attribute + " is empty)"
			}
			s.filters[i][j] = cc
			switch {
			case op.noAttr:
				if !slices.Contains(s.groups, c.Value) {
					s.groups = append(s.groups, c.Value)
				}
			default:
				if a := strings.ToLower(c.Attribute); !slices.Contains(s.attrs, a) {
					s.attrs = append(s.attrs, a)
				}
			}
		}
	}
	slices.Sort(s.attrs)
	return s, nil
}

// Empty reports whether s has no filters: everything is in scope.
func (s *Set) Empty() bool { return s == nil || len(s.filters) == 0 }

// Attributes lists the attributes s's clauses read, lower-cased, sorted,
// each once: a change to any other attribute cannot move an object in or
// out of scope.
func (s *Set) Attributes() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.attrs)
}

// Groups lists the groups of MEMBER_OF and NOT_MEMBER_OF clauses, as
// written, each once, in the order they first appear.
func (s *Set) Groups() []string {
	if s == nil {
		return nil
	}
	return slices.Clone(s.groups)
}

// Match reports whether obj is in scope at now: whether every clause of
// some filter is true. If not, reason names the first false clause of the
// last filter: "scoping filter: department EQUALS Sales is false", or
// with several filters "no scoping filter matched (2 filters); filter 2:
// ...". Match itself allocates nothing, but for an attribute that is not
// the boolean or date its clause wants (the parsers' errors).
func (s *Set) Match(obj Object, now time.Time) (in bool, reason string) {
	if s.Empty() {
		return true, ""
	}
	for _, f := range s.filters {
		in, reason = true, ""
		for i := range f {
			ok, null := f[i].match(obj, now)
			if !ok {
				in, reason = false, f[i].reason
				if null {
					reason = f[i].reasonNull
				}
				break
			}
		}
		if in {
			return true, ""
		}
	}
	return false, reason
}

// ClauseResult is one clause's result on one object (see [Set.Explain]).
type ClauseResult struct {
	Filter int // 1-based: the filter (the clauses of one filter are ANDed)
	Clause Clause
	Result bool
}

// Explain evaluates every clause of every filter on obj at now, for
// showing why an object is in scope or not (Entra's provision on demand
// lists each scoping clause); [Set.Match] is the decision, Explain the
// detail. None when s is empty.
func (s *Set) Explain(obj Object, now time.Time) []ClauseResult {
	if s.Empty() {
		return nil
	}
	var out []ClauseResult
	for i, f := range s.filters {
		for j := range f {
			ok, _ := f[j].match(obj, now)
			out = append(out, ClauseResult{Filter: i + 1, Clause: f[j].Clause, Result: ok})
		}
	}
	return out
}

// match evaluates c on obj; null reports that the attribute was null or
// empty, which makes every operator false but IS NULL (SCOPE: "Scoping
// filters will return false if the value is null / empty").
func (c *compiled) match(obj Object, now time.Time) (ok, null bool) {
	switch c.op.op {
	case MemberOf:
		return obj.MemberOf(c.Value), false
	case NotMemberOf:
		return !obj.MemberOf(c.Value), false
	}
	v, present := obj.Attr(c.Attribute)
	if present {
		present = !isEmpty(v)
	}
	switch {
	case c.op.op == IsNull:
		return !present, false
	case !present:
		return false, true
	case c.op.op == IsNotNull:
		return true, false
	}
	// A multi-valued attribute satisfies an operator if any value does;
	// a NOT operator if no value satisfies the operator it negates.
	hit := false
	if l, ok := v.([]string); ok {
		hit = slices.ContainsFunc(l, func(s string) bool { return s != "" && c.test(s, now) })
	} else if s, ok := text(v); ok {
		hit = c.test(s, now)
	}
	return hit != c.neg, false
}

// isEmpty reports a null value: "", an empty list, or a type Attr may not
// return.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	case bool, int64:
		return false
	}
	return true
}

// text is a single value as the operators read it: a bool as true or
// false, an int64 in decimal.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// test applies c's (positive) operator to one non-empty value.
func (c *compiled) test(s string, now time.Time) bool {
	switch c.op.op {
	case And:
		return strings.Contains(c.Value, s)
	case EndsWith:
		return strings.HasSuffix(s, c.Value)
	case Equals:
		return s == c.Value
	case Includes:
		return strings.Contains(s, c.Value)
	case RegexMatch:
		return c.re.MatchString(s)
	case GreaterThan, GreaterThanOrEquals:
		n, ok := parseInt(s)
		return ok && (n > c.n || c.op.op == GreaterThanOrEquals && n == c.n)
	case IsTrue, IsFalse:
		b, err := scim.ParseBool(s)
		return err == nil && b == (c.op.op == IsTrue)
	case OlderThan, NewerThan, After, Before:
		t, ok := parseDate(s)
		if !ok {
			return false
		}
		switch c.op.op {
		case OlderThan:
			return !t.After(now.Add(-c.d))
		case NewerThan:
			return t.After(now.Add(-c.d))
		case After:
			return t.After(c.t)
		default:
			return t.Before(c.t)
		}
	}
	return false
}

// parseInt reads a decimal integer, refusing other strings without the
// allocation of strconv's error.
func parseInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if digits == "" || strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
