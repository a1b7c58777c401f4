// Package scoping is Entra's scoping filters.
//
// STUB: this placeholder carries the package's API so that its users can
// be written in parallel; it knows only EQUALS. The real implementation
// replaces this file.
package scoping

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Operator is a clause's operator.
type Operator string

// Operators.
const Equals Operator = "EQUALS"

// Clause is one condition.
type Clause struct {
	Attribute string   `json:"attribute"`
	Operator  Operator `json:"operator"`
	Value     string   `json:"value,omitempty"`
}

// Filter is clauses ANDed.
type Filter struct {
	Clauses []Clause `json:"clauses"`
}

// Filters are ORed.
type Filters []Filter

// ParseClause parses "ATTRIBUTE OPERATOR [VALUE]".
func ParseClause(s string) (Clause, error) {
	f := strings.Fields(s)
	if len(f) != 3 || !strings.EqualFold(f[1], string(Equals)) {
		return Clause{}, fmt.Errorf("clause %q: the stub knows only ATTRIBUTE EQUALS VALUE", s)
	}
	return Clause{Attribute: f[0], Operator: Equals, Value: f[2]}, nil
}

// String renders the clause.
func (c Clause) String() string { return c.Attribute + " " + string(c.Operator) + " " + c.Value }

// Validate checks the clause.
func (c Clause) Validate() error {
	if c.Operator != Equals {
		return fmt.Errorf("operator %q unknown", c.Operator)
	}
	return nil
}

// Validate checks every clause.
func (f Filters) Validate() error {
	var errs []error
	for i, fl := range f {
		for j, c := range fl.Clauses {
			if err := c.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("filter %d clause %d: %w", i+1, j+1, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Object is what a filter reads.
type Object interface {
	Attr(name string) (any, bool)
	MemberOf(group string) bool
}

// Set is compiled filters.
type Set struct{ f Filters }

// Compile compiles the filters.
func (f Filters) Compile() (*Set, error) { return &Set{f: f}, f.Validate() }

// Empty reports no filters.
func (s *Set) Empty() bool { return len(s.f) == 0 }

// Attributes lists the attributes read.
func (s *Set) Attributes() []string {
	var out []string
	for _, fl := range s.f {
		for _, c := range fl.Clauses {
			out = append(out, strings.ToLower(c.Attribute))
		}
	}
	return out
}

// Groups lists MEMBER_OF values.
func (s *Set) Groups() []string { return nil }

// Match reports whether obj is in scope.
func (s *Set) Match(obj Object, now time.Time) (bool, string) {
	if len(s.f) == 0 {
		return true, ""
	}
	for _, fl := range s.f {
		in := true
		for _, c := range fl.Clauses {
			v, ok := obj.Attr(c.Attribute)
			if sv, isStr := v.(string); !ok || !isStr || sv != c.Value {
				in = false
			}
		}
		if in {
			return true, ""
		}
	}
	return false, "no scoping filter matched"
}
